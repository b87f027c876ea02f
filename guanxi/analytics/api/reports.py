"""`/api/v1/analytics/report-subscriptions`: scheduled reports (定期报表) — one's own (administrators:
everyone's), newest first and cursor-paged to the end; create one (its source must exist: a deleted
or unknown saved view or analysis is refused with a 422 naming the field); read one; delete one.
A stopped subscription says why (`stopped_reason`, e.g. its source was deleted)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..reports import selectors

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_reports_api")


class ReportSubscriptionIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = Field(..., description="hotspot | dashboard | explorer_view | mining | quality", max_length=20)
    cadence: str = Field(..., description="daily | weekly | monthly", max_length=10)
    recipients: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(
        ..., description="user ids (1 to 50), each allowed to see the report", max_length=51)
    explorer_view: int | None = Field(None, description="the saved view (kind explorer_view)", ge=1,
                                      le=2**62)
    analysis: int | None = Field(None, description="the data-mining analysis (kind mining)", ge=1, le=2**62)


class ReportSubscriptionOut(Schema):
    id: int
    name: str
    kind: str
    cadence: str
    owner: int
    explorer_view: int | None
    analysis: int | None
    recipients: list[int]
    is_active: bool
    stopped_reason: str
    last_period_start: dt.date | None
    last_run_at: dt.datetime | None
    created_at: dt.datetime


class ReportSubscriptionPageOut(Schema):
    items: list[ReportSubscriptionOut]
    next_cursor: str | None


def _out(s) -> dict:
    return {"id": s.pk, "name": s.name, "kind": s.kind, "cadence": s.cadence, "owner": s.owner_id,
            "explorer_view": s.explorer_view_id, "analysis": s.analysis_id,
            "recipients": sorted(u.pk for u in s.recipients.all()), "is_active": s.is_active,
            "stopped_reason": s.stopped_reason, "last_period_start": s.last_period_start,
            "last_run_at": s.last_run_at, "created_at": s.created_at}


@router.get("/report-subscriptions", response=ReportSubscriptionPageOut)
def list_report_subscriptions(request: HttpRequest, page: Query[CursorPageParams]):
    result = keyset_page(selectors.report_subscription_list(user=request.user), cursor=page.cursor, limit=page.limit)
    return {"items": [_out(s) for s in result.rows], "next_cursor": result.next_cursor}


@router.post("/report-subscriptions", response={201: ReportSubscriptionOut})
def create_report_subscription(request: HttpRequest, payload: ReportSubscriptionIn):
    from ..reports.services import report_subscription_create

    created = report_subscription_create(
        actor=request.user, name=payload.name, kind=payload.kind, cadence=payload.cadence,
        recipient_ids=payload.recipients, explorer_view_id=payload.explorer_view, analysis_id=payload.analysis)
    return Status(201, _out(selectors.report_subscription_get_for_user(user=request.user,
                                                                       subscription_id=created.pk)))


@router.get("/report-subscriptions/{subscription_id}", response=ReportSubscriptionOut)
def get_report_subscription(request: HttpRequest, subscription_id: int):
    return _out(selectors.report_subscription_get_for_user(user=request.user, subscription_id=subscription_id))


@router.delete("/report-subscriptions/{subscription_id}", response={204: None})
def delete_report_subscription(request: HttpRequest, subscription_id: int):
    from ..reports.services import report_subscription_delete

    subscription = selectors.report_subscription_get_for_user(user=request.user, subscription_id=subscription_id)
    report_subscription_delete(actor=request.user, subscription=subscription)
    return Status(204, None)
