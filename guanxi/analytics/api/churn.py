"""`/api/v1/analytics/churn/...`: the churn models' quality (analysts and managers), the scores of
the customers the caller may read (cursor-paged to the end, riskiest first, names masked as the
customers app masks them), one customer's score with its reasons in words, and training (analysts)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..churn import selectors

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_churn_api")


class ChurnModelOut(Schema):
    version: int
    status: str
    trained_at: dt.datetime
    cutoff: dt.datetime
    horizon_days: int
    data_from: dt.date
    data_to: dt.date
    seed: int
    params: dict
    features: list[str]
    rows: int
    churners: int
    metrics: dict = Field(description="holdout `auc`, `base_rate`, `deciles` (rate, lift), `reliability` bins")
    reason: str = Field(description="why a training was refused; empty otherwise")


class ChurnScoreOut(Schema):
    customer: int
    customer_code: str
    customer_name: str
    probability: float
    decile: int
    reasons: list[str]
    model_version: int
    data_from: dt.date
    data_to: dt.date
    scored_at: dt.datetime


class ChurnScorePageOut(Schema):
    items: list[ChurnScoreOut]
    next_cursor: str | None = Field(None, description="pass it back as `cursor`; null at the end")


class ChurnScoreFilter(Schema):
    min_probability: float = Field(0.0, ge=0.0, le=1.0)


class ChurnTrainIn(Schema):
    horizon_days: int = Field(90, ge=14, le=365)
    seed: int = Field(0, ge=0, le=2**31 - 1)


def _model(m) -> dict:
    return {field: getattr(m, field) for field in ChurnModelOut.model_fields}


def _score(user, s) -> dict:
    return {"customer": s.customer_id, "customer_code": s.customer.code,
            "customer_name": selectors.customer_name_for(user, s.customer), "probability": s.probability,
            "decile": s.decile, "reasons": selectors.reasons_in_words(s), "model_version": s.model_version,
            "data_from": s.data_from, "data_to": s.data_to, "scored_at": s.scored_at}


@router.get("/churn/models", response=list[ChurnModelOut])
def list_churn_models(request: HttpRequest):
    """Every training, newest first: the active model, retired ones and refused ones with the reason."""
    return [_model(m) for m in selectors.churn_model_list(user=request.user)[:50]]


@router.post("/churn/models", response={201: ChurnModelOut})
def train_churn_model(request: HttpRequest, payload: ChurnTrainIn):
    """Train a model now (analysts); 422 with the reason when there are too few churners (the model in
    use is kept)."""
    from ..churn import services  # numpy, pandas and LightGBM load when a model is trained, not at start-up

    model = services.churn_model_train(actor=request.user, horizon_days=payload.horizon_days, seed=payload.seed)
    if model.reason:
        raise ValidationFailed(model.reason)
    return Status(201, _model(model))


@router.get("/churn/scores", response=ChurnScorePageOut)
def list_churn_scores(request: HttpRequest, filters: Query[ChurnScoreFilter], page: Query[CursorPageParams]):
    """The churn risk of the customers you may read, riskiest first."""
    result = keyset_page(selectors.churn_score_list(user=request.user, min_probability=filters.min_probability),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [_score(request.user, s) for s in result.rows], "next_cursor": result.next_cursor}


@router.get("/churn/customers/{customer_id}", response=ChurnScoreOut)
def get_churn_score(request: HttpRequest, customer_id: int):
    """One customer's risk and its top three reasons in words."""
    return _score(request.user, selectors.churn_score_get_for_user(user=request.user, customer_id=customer_id))
