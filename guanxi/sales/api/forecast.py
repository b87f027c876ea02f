"""`/api/v1/sales/forecast`, `/api/v1/sales/forecast/representatives`, `/api/v1/sales/funnel`,
`/api/v1/sales/quotas`: the weighted forecast with quotas and attainment, the funnel, and quotas."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from guanxi.accounts.selectors import team_visible_to, user_visible_to
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router

from .. import permissions
from ..models import Period
from ..schemas.forecast import (
    ForecastIn,
    ForecastRowOut,
    FunnelIn,
    FunnelRowOut,
    QuotaFilterIn,
    QuotaIn,
    QuotaOut,
    QuotaPageOut,
    RepForecastIn,
    RepRowOut,
)
from ..selectors import forecast as selectors
from ..services import quotas as services

router = Router(tags=["sales forecast"], operation_prefix="guanxi_sales_api_forecast")


def _period(value: str) -> str:
    if value not in Period.values:
        raise ValidationFailed(fields={"period": _("month or quarter")})
    return value


def _day(value):
    day = value or timezone.localdate()
    if not 2000 <= day.year <= 2998:
        raise ValidationFailed(fields={"start": _("a date from 2000 to 2998")})
    return day


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


@router.get("/sales/forecast", response=list[ForecastRowOut])
def sales_forecast(request: HttpRequest, params: Query[ForecastIn]):
    """Per period: pipeline, weighted forecast (Σ amount × probability), won, quota and attainment of
    the company, one team or one representative."""
    rows = selectors.forecast(user=request.user, kind=_period(params.period), first=_day(params.start),
                              count=params.periods, team_id=params.team, owner_id=params.owner)
    return [{"period": r.label, "start": r.start, "end": r.end, "pipeline": r.pipeline, "weighted": r.weighted,
             "won": r.won, "expected": r.expected, "quota": r.quota, "attainment": r.attainment} for r in rows]


@router.get("/sales/forecast/representatives", response=list[RepRowOut])
def sales_forecast_by_representative(request: HttpRequest, params: Query[RepForecastIn]):
    """Each representative of a team in one period: weighted forecast, won, quota and attainment."""
    rows = selectors.forecast_by_rep(user=request.user, kind=_period(params.period), start=_day(params.start),
                                     team_id=params.team)
    return [{"representative": _ref(r.user), "weighted": r.weighted, "won": r.won, "quota": r.quota,
             "attainment": r.attainment} for r in rows]


@router.get("/sales/funnel", response=list[FunnelRowOut])
def sales_funnel(request: HttpRequest, params: Query[FunnelIn]):
    """The sales funnel (销售漏斗): open deals per open stage, count, amount and weighted amount."""
    rows = selectors.funnel(user=request.user, team_id=params.team, owner_id=params.owner)
    return [{"stage": {"id": r.stage_id, "name": r.name}, "probability": r.probability, "count": r.count,
             "amount": r.amount, "weighted": r.weighted} for r in rows]


def _quota(quota) -> dict:
    return {"id": quota.pk, "period": quota.period, "period_start": quota.period_start, "user": _ref(quota.user),
            "team": _ref(quota.team), "amount": quota.amount}


@router.get("/sales/quotas", response=QuotaPageOut)
def list_sales_quotas(request: HttpRequest, params: Query[QuotaFilterIn]):
    """The quotas the caller may read, newest period first."""
    kind = _period(params.period) if params.period else None
    page = keyset_page(selectors.quota_list(user=request.user, kind=kind, start=params.start),
                       cursor=params.cursor, limit=params.limit)
    return {"items": [_quota(q) for q in page.rows], "next_cursor": page.next_cursor}


@router.post("/sales/quotas", response=QuotaOut)
def set_sales_quota(request: HttpRequest, payload: QuotaIn):
    """Set the quota of a representative or a team for a month or a quarter (created or changed)."""
    permissions.require(request.user, "quota", "write")  # a role without the right: 403 before any lookup
    user = team = None
    if payload.user is not None:
        user = referenced(user_visible_to, field="user", reason=_("does not exist"), viewer=request.user,
                          user_id=payload.user)
    if payload.team is not None:
        team = referenced(team_visible_to, field="team", reason=_("does not exist"), viewer=request.user,
                          team_id=payload.team)
    quota = services.quota_set(actor=request.user, period=_period(payload.period),
                               period_start=payload.period_start, amount=payload.amount, user=user, team=team)
    return _quota(quota)
