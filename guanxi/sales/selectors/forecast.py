"""The weighted forecast, quotas and attainment, and the funnel, for the company, a team or a
representative, within what the user may see (`permissions.reaches`).

Per period (month or quarter):
- pipeline: the amount of open deals expected to close in the period;
- weighted: Σ amount × probability / 100 over those deals (the weighted forecast);
- won: the amount of deals won (closed) in the period;
- quota: the representative's quota, the team's, or (for the company) the sum of the teams';
- attainment: won / quota (None without a quota);
- expected: won + weighted, what the period is likely to end at.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope

from .. import permissions
from ..models import Opportunity, Period, Quota, period_bounds
from .configuration import stage_list
from .opportunities import WEIGHTED, ZERO

Status = Opportunity.Status
MAX_PERIODS = 24
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    """A sum in yuan to the fen, the same on every database (SQLite drops trailing zeros)."""
    return Decimal(value or 0).quantize(CENT)


def period_start_of(kind: str, day: dt.date) -> dt.date:
    month = day.month if kind == Period.MONTH else (day.month - 1) // 3 * 3 + 1
    return dt.date(day.year, month, 1)


def periods(kind: str, first: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """`count` consecutive periods from the one holding `first`, as [start, end) dates."""
    start, out = period_start_of(kind, first), []
    for _ in range(count):
        bounds = period_bounds(kind, start)
        out.append(bounds)
        start = bounds[1]
    return out


def period_label(kind: str, start: dt.date) -> str:
    return f"{start:%Y-%m}" if kind == Period.MONTH else f"{start.year} Q{(start.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ForecastRow:
    start: dt.date
    end: dt.date
    label: str
    pipeline: Decimal
    weighted: Decimal
    won: Decimal
    quota: Decimal | None

    @property
    def attainment(self) -> float | None:
        return float(self.won / self.quota) if self.quota else None

    @property
    def expected(self) -> Decimal:
        return self.won + self.weighted


def _scope(rows: QuerySet, *, team_id: int | None, owner_id: int | None) -> QuerySet:
    if owner_id is not None:
        return rows.filter(owner_id=owner_id)
    if team_id is not None:
        return rows.filter(team_id=team_id)
    return rows


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def _quota(kind: str, start: dt.date, *, team_id: int | None, owner_id: int | None) -> Decimal | None:
    quotas = Quota.objects.filter(period=kind, period_start=start)
    if owner_id is not None:
        quotas = quotas.filter(user_id=owner_id)
    elif team_id is not None:
        quotas = quotas.filter(team_id=team_id)
    else:
        quotas = quotas.filter(team__isnull=False)
    return quotas.aggregate(total=Sum("amount"))["total"]


def forecast(*, user, kind: str, first: dt.date, count: int, team_id: int | None = None,
             owner_id: int | None = None) -> list[ForecastRow]:
    """The forecast rows of `count` periods from the one holding `first`, for one representative,
    one team or (neither) the company. The caller checks `permissions.require_reach` first."""
    permissions.require_reach(user, "forecast", team_id=team_id, user_id=owner_id)
    bounds = periods(kind, first, max(1, min(count, MAX_PERIODS)))
    rows = _scope(Opportunity.objects.all(), team_id=team_id, owner_id=owner_id)
    out = []
    for start, end in bounds:
        open_ = rows.filter(status=Status.OPEN, expected_close_date__gte=start, expected_close_date__lt=end) \
            .aggregate(pipeline=Coalesce(Sum("amount"), ZERO), weighted=Coalesce(Sum(WEIGHTED), ZERO))
        won = rows.filter(status=Status.WON, closed_at__gte=_moment(start), closed_at__lt=_moment(end)) \
            .aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        quota = _quota(kind, start, team_id=team_id, owner_id=owner_id)
        out.append(ForecastRow(start, end, period_label(kind, start), _money(open_["pipeline"]),
                               _money(open_["weighted"]), _money(won), None if quota is None else _money(quota)))
    return out


@dataclass(frozen=True)
class RepRow:
    user: User
    weighted: Decimal
    won: Decimal
    quota: Decimal | None

    @property
    def attainment(self) -> float | None:
        return float(self.won / self.quota) if self.quota else None


def forecast_by_rep(*, user, kind: str, start: dt.date, team_id: int) -> list[RepRow]:
    """Each member of a team in one period: weighted forecast, won amount, quota and attainment."""
    permissions.require_reach(user, "forecast", team_id=team_id)
    start, end = period_bounds(kind, period_start_of(kind, start))
    members = list(User.objects.filter(team_id=team_id, is_active=True).order_by("display_name", "username"))
    rows = Opportunity.objects.filter(team_id=team_id)
    weighted = dict(rows.filter(status=Status.OPEN, expected_close_date__gte=start, expected_close_date__lt=end)
                    .values("owner_id").annotate(w=Sum(WEIGHTED)).values_list("owner_id", "w").order_by())
    won = dict(rows.filter(status=Status.WON, closed_at__gte=_moment(start), closed_at__lt=_moment(end))
               .values("owner_id").annotate(w=Sum("amount")).values_list("owner_id", "w").order_by())
    quotas = dict(Quota.objects.filter(period=kind, period_start=start, user__in=members)
                  .values_list("user_id", "amount"))
    return [RepRow(m, _money(weighted.get(m.pk)), _money(won.get(m.pk)),
                   None if quotas.get(m.pk) is None else _money(quotas[m.pk]))
            for m in members if permissions.may_own_opportunities(m)]


@dataclass(frozen=True)
class FunnelRow:
    stage_id: int
    name: str
    probability: int
    count: int
    amount: Decimal
    weighted: Decimal


def funnel(*, user, team_id: int | None = None, owner_id: int | None = None) -> list[FunnelRow]:
    """The sales funnel (销售漏斗): open deals per open stage, in the stages' order."""
    permissions.require_reach(user, "forecast", team_id=team_id, user_id=owner_id)
    rows = _scope(Opportunity.objects.filter(status=Status.OPEN), team_id=team_id, owner_id=owner_id)
    totals: dict[int, list] = {}
    # Grouped by probability too, so that the database only adds amounts (no product per deal): the
    # weighted amount of a group is its amount times its probability.
    for stage_id, probability, n, amount in rows.values_list("stage_id", "probability").annotate(
            n=Count("*"), total=Sum("amount")).values_list("stage_id", "probability", "n", "total").order_by():
        row = totals.setdefault(stage_id, [0, ZERO, ZERO])
        row[0] += n
        row[1] += amount
        row[2] += amount * probability / 100
    stages = stage_list(active_only=True).filter(Q(is_won=False) & Q(is_lost=False))
    return [FunnelRow(s.pk, s.name, s.probability, *_funnel_totals(totals.get(s.pk))) for s in stages]


def _funnel_totals(row: list | None) -> tuple[int, Decimal, Decimal]:
    n, amount, weighted = row or (0, ZERO, ZERO)
    return n, _money(amount), _money(weighted)


def quota_list(*, user, kind: str | None = None, start: dt.date | None = None) -> QuerySet[Quota]:
    """The quotas the user may read."""
    reach = permissions.scope(user, "quota", "read")
    quotas = Quota.objects.select_related("user", "team").order_by("-period_start", "id")
    if kind:
        quotas = quotas.filter(period=kind)
    if start:
        quotas = quotas.filter(period_start=start)
    if reach is Scope.ALL:
        return quotas
    if reach is Scope.NONE or not getattr(user, "pk", None):
        return quotas.none()
    mine = Q(user_id=user.pk)
    if reach is Scope.TEAM and user.team_id:
        return quotas.filter(mine | Q(team_id=user.team_id) | Q(user__team_id=user.team_id))
    return quotas.filter(mine)
