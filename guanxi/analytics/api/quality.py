"""`/api/v1/analytics/quality/...`: the CRM quality checklist (questions, levels, figures and targets), the
figures computed from the data now, and the assessments (record one; list them newest first,
cursor-paged; read one). Managers and analysts."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..permissions import permissions
from ..quality import selectors
from ..quality.checklist import checklist

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_quality_api")


class QualityAssessmentIn(Schema):
    answers: dict = Field(..., description="per question key: {level: 0–4, evidence: link, note}")


class QualityAssessmentOut(Schema):
    id: int
    as_of: dt.date
    created_at: dt.datetime
    created_by: int | None = Field(None, alias="created_by_id")
    figures: dict
    answers: dict
    data_score: float
    checklist_score: float
    score: float
    gaps: list[dict] = Field(description="items below target, worst first, with `fix` (where to fix them)")


class QualityAssessmentPageOut(Schema):
    items: list[QualityAssessmentOut]
    next_cursor: str | None


@router.get("/quality/checklist", response=dict)
def get_quality_checklist(request: HttpRequest):
    permissions.require(request.user, "quality", "read")
    return checklist()


@router.get("/quality/figures", response=dict)
def get_quality_figures(request: HttpRequest):
    """Retention rate, value in use, history depth and contact strategy per tier, computed now."""
    return selectors.quality_figures(user=request.user)


@router.get("/quality/assessments", response=QualityAssessmentPageOut)
def list_quality_assessments(request: HttpRequest, page: Query[CursorPageParams]):
    result = keyset_page(selectors.quality_assessment_list(user=request.user), cursor=page.cursor, limit=page.limit)
    return {"items": result.rows, "next_cursor": result.next_cursor}


@router.post("/quality/assessments", response={201: QualityAssessmentOut})
def record_quality_assessment(request: HttpRequest, payload: QualityAssessmentIn):
    """Record an assessment: the figures as of today, the answers, the scores and the gaps."""
    from ..quality.services import quality_assessment_create

    return Status(201, quality_assessment_create(actor=request.user, answers=payload.answers))


@router.get("/quality/assessments/{assessment_id}", response=QualityAssessmentOut)
def get_quality_assessment(request: HttpRequest, assessment_id: int):
    return selectors.quality_assessment_get_for_user(user=request.user, assessment_id=assessment_id)
