"""`/api/v1/service-standards`: the service standards (服务标准) and their attainment report."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Status

from guanxi.core.api import ListParams, cursor_list
from guanxi.core.errors import ValidationFailed
from guanxi.core.routers import Router

from .. import permissions
from ..schemas.standards import AttainmentFilterIn, AttainmentRowOut, StandardIn, StandardOut
from ..selectors import reports as report_selectors
from ..selectors import standards as standard_selectors
from ..services import standards as standard_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


@router.get("/service-standards", response=list[StandardOut])
def list_service_standards(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    return cursor_list(request, response, standard_selectors.standard_list(), params)


@router.post("/service-standards", response={201: StandardOut})
def create_service_standard(request: HttpRequest, payload: StandardIn):
    return Status(201, standard_services.standard_save(actor=request.user, data=payload.dict()))


@router.put("/service-standards/{int:standard_id}", response=StandardOut)
def update_service_standard(request: HttpRequest, standard_id: int, payload: StandardIn):
    standard = standard_selectors.standard_get(standard_id=standard_id)
    return standard_services.standard_save(actor=request.user, data=payload.dict(), standard=standard)



@router.get("/service-standards/attainment", response=list[AttainmentRowOut])
def list_standard_attainment(request: HttpRequest, filters: Query[AttainmentFilterIn]):
    """Attainment of the service standards per group and period (trend over time)."""
    permissions.require(request.user, "report", "read", message=permissions.REPORT_DENIED)
    errors = {}
    if unknown := [g for g in filters.group_by if g not in report_selectors.GROUPS]:
        errors["group_by"] = f"unknown: {', '.join(unknown)}; use {', '.join(report_selectors.GROUPS)}"
    if filters.period and filters.period not in report_selectors.PERIODS:
        errors["period"] = f"one of: {', '.join(report_selectors.PERIODS)}"
    if filters.until <= filters.since or (filters.until - filters.since).days > 3 * 366:
        errors["until"] = "after since, at most three years later"
    if errors:
        raise ValidationFailed(fields=errors)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(filters.since, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(filters.until, dt.time(), tzinfo=zone)
    rows = report_selectors.standard_attainment(since=since, until=until, group_by=tuple(filters.group_by),
                                                period=filters.period or None)
    return [{"period": r.period, "group": r.group, "total": r.total, "met": r.met, "breached": r.breached,
             "rate": r.rate} for r in rows]
