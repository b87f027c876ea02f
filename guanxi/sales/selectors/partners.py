"""Channel partners (代理商): the partner organisations (teams of kind partner), their performance
(won amount, win rate, average deal, cycle time, lead conversion) and a forecast of each partner's
monthly won amount for the coming months.

Why a team rather than a model of its own: a partner organisation is a group of users who log in and
see the group's records — exactly what `accounts.Team` is for everyone else (its members, its
region, the team scope of the permission tables). `Opportunity.partner` and `Lead.partner` name it.

The forecast: the partner's monthly won amounts (months without wins count 0) up to the last
complete month, fitted with statsmodels' ETS (additive error, additive damped trend) and projected
`horizon` months ahead with an 80 % prediction interval (floored at 0: nobody wins a negative
amount). With fewer than MIN_MONTHS months of history, or fewer than MIN_WON_MONTHS months with a
win, there is no forecast but the reason.
"""

import datetime as dt
import warnings
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.enums import TeamKind
from guanxi.accounts.models import Team
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound
from guanxi.marketing.selectors.leads import partner_lead_counts

from .. import permissions
from ..models import Opportunity
from .analysis import CYCLE, WON, _days, _moment, _money

Status = Opportunity.Status
MIN_MONTHS = 12
MIN_WON_MONTHS = 6
MAX_HORIZON = 12
INTERVAL = 0.80


def partner_list(*, user) -> QuerySet[Team]:
    """The partner organisations the user may see: all of them, or one's own."""
    partners = Team.objects.filter(kind=TeamKind.PARTNER).order_by("name", "id")
    reach = permissions.scope(user, "partner", "read")
    if reach is Scope.ALL:
        return partners
    if reach is Scope.OWN and getattr(user, "team_id", None):
        return partners.filter(pk=user.team_id)
    return partners.none()


def partner_get_for_user(*, user, partner_id: int) -> Team:
    partner = partner_list(user=user).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(_("Partner not found."))
    return partner


@dataclass
class PartnerPerformance:
    partner: Team
    closed: int = 0
    won: int = 0
    won_amount: Decimal = Decimal("0.00")
    cycle_days: float | None = None
    open_count: int = 0
    open_amount: Decimal = Decimal("0.00")
    leads: int = 0
    leads_converted: int = 0

    @property
    def win_rate(self) -> float | None:
        return round(self.won / self.closed, 4) if self.closed else None

    @property
    def average_deal(self) -> Decimal | None:
        return _money(self.won_amount / self.won) if self.won else None

    @property
    def lead_conversion(self) -> float | None:
        return round(self.leads_converted / self.leads, 4) if self.leads else None


def partner_performance(*, user, start: dt.date, end: dt.date,
                        partner_id: int | None = None) -> list[PartnerPerformance]:
    """Each partner the user sees (or one): deals closed in [start, end) — won, win rate, average
    deal, cycle time —, its open pipeline now, and its leads of the period with their conversion."""
    partners = partner_list(user=user)
    if partner_id is not None:
        partners = [partner_get_for_user(user=user, partner_id=partner_id)]
    rows = {p.pk: PartnerPerformance(p) for p in partners}
    deals = Opportunity.objects.filter(partner_id__in=list(rows))
    closed = deals.filter(closed_at__gte=_moment(start), closed_at__lt=_moment(end))
    for r in closed.values("partner_id").annotate(n=Count("id"), won=Count("id", filter=WON),
                                                  amount=Sum("amount", filter=WON),
                                                  cycle=Avg(CYCLE, filter=WON)).order_by():
        row = rows[r["partner_id"]]
        row.closed, row.won, row.won_amount, row.cycle_days = r["n"], r["won"], _money(r["amount"]), _days(r["cycle"])
    for r in deals.filter(status=Status.OPEN).values("partner_id").annotate(n=Count("id"), amount=Sum("amount")) \
            .order_by():
        rows[r["partner_id"]].open_count, rows[r["partner_id"]].open_amount = r["n"], _money(r["amount"])
    for key, (n, converted) in partner_lead_counts(since=_moment(start), until=_moment(end),
                                                   partner_ids=list(rows)).items():
        rows[key].leads, rows[key].leads_converted = n, converted
    return sorted(rows.values(), key=lambda r: (-r.won_amount, r.partner.name))


# ---------------------------------------------------------------- forecast


@dataclass(frozen=True)
class ForecastPoint:
    month: dt.date
    mean: Decimal
    lower: Decimal
    upper: Decimal


@dataclass
class PartnerForecast:
    history: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    points: list[ForecastPoint] = field(default_factory=list)
    reason: str = ""  # why there is no forecast

    @property
    def available(self) -> bool:
        return bool(self.points)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for a 29 February)."""
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly_won(*, partner_id: int, until: dt.date) -> list[tuple[dt.date, Decimal]]:
    """The partner's won amount per month from its first deal's month to the month before `until`
    (months without a win: 0)."""
    deals = Opportunity.objects.filter(partner_id=partner_id)
    first = deals.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return []
    sums = dict(deals.filter(status=Status.WON, closed_at__lt=_moment(until))
                .annotate(m=TruncMonth("closed_at")).values("m").annotate(t=Sum("amount"))
                .values_list("m", "t").order_by())
    sums = {(k.date() if isinstance(k, dt.datetime) else k): v for k, v in sums.items()}
    out, month = [], _month(timezone.localtime(first).date())
    while month < until:
        out.append((month, _money(sums.get(month))))
        month = _add_months(month, 1)
    return out


def forecast_series(values: list[float], horizon: int, *, interval: float = INTERVAL) -> list[tuple[float, ...]]:
    """(mean, lower, upper) for each of the `horizon` steps after `values`: ETS with additive error
    and an additive damped trend, the interval at `interval` coverage, floored at 0."""
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(values, dtype=float)
    model = ETSModel(series, error="add", trend="add", damped_trend=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False, maxiter=200)
        frame = fitted.get_prediction(start=len(series), end=len(series) + horizon - 1) \
            .summary_frame(alpha=1 - interval)
    return [(max(0.0, m), max(0.0, lo), max(0.0, hi))
            for m, lo, hi in zip(frame["mean"], frame["pi_lower"], frame["pi_upper"], strict=True)]


def partner_forecast(*, user, partner_id: int, horizon: int = 6, today: dt.date | None = None) -> PartnerForecast:
    """The partner's monthly won amounts and, with enough history, the next `horizon` months'."""
    partner_get_for_user(user=user, partner_id=partner_id)
    horizon = max(1, min(horizon, MAX_HORIZON))
    this_month = _month(today or timezone.localdate())
    history = monthly_won(partner_id=partner_id, until=this_month)
    result = PartnerForecast(history=history)
    won_months = sum(1 for _m, v in history if v > 0)
    if len(history) < MIN_MONTHS or won_months < MIN_WON_MONTHS:
        result.reason = _("Too little history for a forecast: %(months)d months with %(won)d months of wins "
                          "(at least %(min_months)d months with %(min_won)d months of wins are needed).") % {
            "months": len(history), "won": won_months, "min_months": MIN_MONTHS, "min_won": MIN_WON_MONTHS}
        return result
    steps = forecast_series([float(v) for _m, v in history], horizon)
    result.points = [ForecastPoint(_add_months(this_month, i), _money(m), _money(lo), _money(hi))
                     for i, (m, lo, hi) in enumerate(steps)]
    return result
