"""`/api/v1/partners`: channel partner organisations (代理商) with their performance and the forecast
of their monthly won amount; a partner's users see only their own organisation."""

import datetime as dt

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router

from ..schemas.partners import (
    PartnerForecastIn,
    PartnerForecastOut,
    PartnerOut,
    PartnerPageOut,
    PartnerPerformanceOut,
    PartnerPeriodIn,
)
from ..selectors import partners as selectors

router = Router(tags=["partners"], operation_prefix="guanxi_sales_api_partners")


def _partner(team) -> dict:
    return {"id": team.pk, "name": team.name, "region": team.region, "members": getattr(team, "n_members", 0)}


def _one(user, partner_id: int):
    selectors.partner_get_for_user(user=user, partner_id=partner_id)
    return selectors.partner_list(user=user).annotate(n_members=Count("members")).get(pk=partner_id)


def _period(params: PartnerPeriodIn) -> tuple[dt.date, dt.date]:
    end = params.end or timezone.localdate() + dt.timedelta(days=1)
    start = params.start or selectors.year_before(end)
    if not dt.date(2000, 1, 1) <= start < end <= dt.date(2999, 12, 31):
        raise ValidationFailed(fields={"start": _("a period from 2000 to 2999 that starts before it ends")})
    return start, end


@router.get("/partners", response=PartnerPageOut)
def list_partners(request: HttpRequest, page: Query[CursorPageParams]):
    """The partner organisations the caller may see (all of them, or one's own), by name."""
    rows = selectors.partner_list(user=request.user).annotate(n_members=Count("members")).order_by("name", "id")
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {"items": [_partner(t) for t in result.rows], "next_cursor": result.next_cursor}


@router.get("/partners/{partner_id}", response=PartnerOut)
def get_partner(request: HttpRequest, partner_id: int):
    """One partner organisation (404 outside the caller's reach)."""
    return _partner(_one(request.user, partner_id))


@router.get("/partners/{partner_id}/performance", response=PartnerPerformanceOut)
def partner_performance(request: HttpRequest, partner_id: int, params: Query[PartnerPeriodIn]):
    """Deals closed in the period (won, win rate, average deal, cycle time), the open pipeline and
    the leads of the period with their conversion."""
    team = _one(request.user, partner_id)
    start, end = _period(params)
    row = selectors.partner_performance(user=request.user, start=start, end=end, partner_id=partner_id)[0]
    return {"partner": _partner(team), "start": start, "end": end, "closed": row.closed, "won": row.won,
            "won_amount": row.won_amount, "win_rate": row.win_rate, "average_deal": row.average_deal,
            "cycle_days": row.cycle_days, "open_count": row.open_count, "open_amount": row.open_amount,
            "leads": row.leads, "leads_converted": row.leads_converted, "lead_conversion": row.lead_conversion}


@router.get("/partners/{partner_id}/forecast", response=PartnerForecastOut)
def partner_forecast(request: HttpRequest, partner_id: int, params: Query[PartnerForecastIn]):
    """The partner's monthly won amounts and the next months' forecast (ETS, 80 % interval); with
    too little history, no forecast and the reason."""
    team = _one(request.user, partner_id)
    result = selectors.partner_forecast(user=request.user, partner_id=partner_id, horizon=params.months)
    return {"partner": _partner(team), "available": result.available, "reason": result.reason,
            "history": [{"month": m, "won": v} for m, v in result.history],
            "forecast": [{"month": p.month, "mean": p.mean, "lower": p.lower, "upper": p.upper}
                         for p in result.points]}
