"""`/api/v1/analytics/workbench/...`: the catalogue (kinds, targets, features), analyses (run one: it is
queued as a task, inline without Redis; read its status, quality figures and reasons), its customers
(those the caller may read, by rank, cursor-paged to the end, names masked) and saving part of it as
a segment. Analysts and administrators."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..churn.selectors import customer_name_for
from ..permissions import permissions
from ..workbench import selectors
from ..workbench.catalogue import catalogue

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_workbench_api")


class MiningAnalysisIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = Field(..., description="classification, regression (prediction), clustering or ranking")
    target: str = Field("", description="a target of the catalogue; empty for clustering")
    target_option: str = Field("", max_length=50, description="the product category code of `bought_category`")
    features: list[str] = Field(default_factory=list, description="features of the catalogue; empty: all")
    params: dict = Field(default_factory=dict, description="seed, holdout, horizon_days, clusters")


class MiningAnalysisOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    target_option: str
    features: list[str]
    params: dict
    status: str = Field(description="queued, running, done or failed")
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    rows: int
    scored: int
    metrics: dict = Field(description="AUC, accuracy, lift deciles; R², MAE; silhouette and sizes")
    reasons: dict = Field(description="`importance` (gain share, mean |SHAP|) or `clusters` (profiles)")


class MiningAnalysisPageOut(Schema):
    items: list[MiningAnalysisOut]
    next_cursor: str | None


class MiningPredictionOut(Schema):
    customer: int
    customer_code: str
    customer_name: str
    rank: int
    score: float
    label: int


class MiningPredictionPageOut(Schema):
    items: list[MiningPredictionOut]
    next_cursor: str | None


class MiningPredictionFilter(Schema):
    label: int | None = Field(None, ge=-1, le=1000)


class MiningSegmentIn(Schema):
    kind: str = Field(..., description="`top` (the first `value` by rank) or `label` (class or cluster `value`)")
    value: int = Field(..., ge=0, le=100_000)
    name: str = Field(..., max_length=100)


class MiningSegmentOut(Schema):
    id: int
    name: str
    member_count: int


def _analysis(a) -> dict:
    return {field: getattr(a, field) for field in MiningAnalysisOut.model_fields}


@router.get("/workbench/catalogue", response=dict)
def get_workbench_catalogue(request: HttpRequest):
    """The kinds of analysis, the targets (with the kinds each suits), the features and the parameters' limits."""
    permissions.require(request.user, "mining", "read")
    return catalogue()


@router.get("/workbench/analyses", response=MiningAnalysisPageOut)
def list_analyses(request: HttpRequest, page: Query[CursorPageParams]):
    """Your analyses and the system's, newest first."""
    result = keyset_page(selectors.mining_analysis_list(user=request.user).defer(None), cursor=page.cursor,
                         limit=page.limit)
    return {"items": [_analysis(a) for a in result.rows], "next_cursor": result.next_cursor}


@router.post("/workbench/analyses", response={201: MiningAnalysisOut})
def run_analysis(request: HttpRequest, payload: MiningAnalysisIn):
    """Queue an analysis; 422 naming each field that is not valid. Without Redis it has run when this
    answers; otherwise poll it until `status` is done or failed (with the reason in `error`)."""
    from ..workbench import services  # numpy, pandas and LightGBM load on first use

    analysis = services.mining_analysis_create(actor=request.user, data=payload.model_dump(exclude_unset=True))
    analysis.refresh_from_db()
    return Status(201, _analysis(analysis))


@router.get("/workbench/analyses/{analysis_id}", response=MiningAnalysisOut)
def get_analysis(request: HttpRequest, analysis_id: int):
    return _analysis(selectors.mining_analysis_get_for_user(user=request.user, analysis_id=analysis_id))


@router.get("/workbench/analyses/{analysis_id}/customers", response=MiningPredictionPageOut)
def list_analysis_customers(request: HttpRequest, analysis_id: int, filters: Query[MiningPredictionFilter],
                            page: Query[CursorPageParams]):
    """The analysis' customers that you may read, by rank (1 = highest score); of one class or cluster."""
    analysis = selectors.mining_analysis_get_for_user(user=request.user, analysis_id=analysis_id)
    result = keyset_page(selectors.mining_prediction_list(user=request.user, analysis=analysis, label=filters.label),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [{"customer": p.customer_id, "customer_code": p.customer.code,
                       "customer_name": customer_name_for(request.user, p.customer), "rank": p.rank,
                       "score": p.score, "label": p.label} for p in result.rows],
            "next_cursor": result.next_cursor}


@router.post("/workbench/analyses/{analysis_id}/segments", response={201: MiningSegmentOut})
def save_analysis_segment(request: HttpRequest, analysis_id: int, payload: MiningSegmentIn):
    """Save the top N or one class or cluster as a segment of yours; 409 while the analysis has no result."""
    from ..workbench import services

    analysis = selectors.mining_analysis_get_for_user(user=request.user, analysis_id=analysis_id)
    segment = services.mining_segment_save(actor=request.user, analysis=analysis, kind=payload.kind,
                                           value=payload.value, name=payload.name)
    return Status(201, {"id": segment.pk, "name": segment.name, "member_count": segment.member_count or 0})
