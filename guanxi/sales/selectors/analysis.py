"""The sales analysis (销售分析, SPEC C.4): deals closed in a period grouped by a dimension (product,
region, outlet, representative, customer group, channel, partner, team), the funnel's stage-to-stage
conversion, the reasons deals were won and lost, cost and efficiency per team, and representative
behaviour with quota attainment.

Every report is one or two aggregated queries over the deals closed in [start, end) (the index
`opp_analysis_closed` holds every grouped column) within the caller's reach:
- analysts and administrators: the company (or one team);
- sales managers: their team; representatives: themselves; partners: their organisation's deals.

Measures of a group: deals closed (won + lost), won, lost, won amount, win rate = won / closed,
average deal = won amount / won, cycle = mean days from creation to winning, and (channel, team,
efficiency) cost = the sales expenses of the period with cost per won deal = cost / won.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team, User
from guanxi.accounts.roles import Scope
from guanxi.catalog.models import Product
from guanxi.core.errors import NotFound, PermissionDenied, ValidationFailed
from guanxi.customers.enums import CustomerKind
from guanxi.tasks.selectors import done_by_assignee

from .. import permissions
from ..models import Opportunity, Outlet, Quota, Region, SalesChannel, SalesExpense, StageChange
from .configuration import stage_list
from .opportunities import opportunity_list

Status = Opportunity.Status
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
WON = Q(status=Status.WON)
CYCLE = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())

# report: (the grouped column, the drill-down filter it sets, its title). Deals are grouped by the bare
# column (read from the index alone, no join); the few labels are read afterwards.
DIMENSIONS = {
    "product": ("product_id", "product", gettext_lazy("By product")),
    "region": ("outlet_id", "region", gettext_lazy("By region")),  # the outlets folded into their regions
    "outlet": ("outlet_id", "outlet", gettext_lazy("By outlet")),
    "representative": ("owner_id", "owner", gettext_lazy("By representative")),
    "customer_group": ("customer__kind", "customer_kind", gettext_lazy("By customer group")),
    "channel": ("channel_id", "channel", gettext_lazy("By channel")),
    "partner": ("partner_id", "partner", gettext_lazy("By partner")),
    "team": ("team_id", "team", gettext_lazy("By team")),
}
OTHER_REPORTS = {
    "funnel": gettext_lazy("Funnel conversion"),
    "reasons": gettext_lazy("Won and lost reasons"),
    "efficiency": gettext_lazy("Cost and efficiency"),
    "behaviour": gettext_lazy("Representative behaviour"),
}
REPORTS = {**{k: v[2] for k, v in DIMENSIONS.items()}, **OTHER_REPORTS}
PERIODS = {"year": 12, "quarter": 3, "month": 1}
STRONG, WEAK = 1.1, 0.9


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _days(value) -> float | None:
    """Days of a mean duration (a timedelta, or microseconds on SQLite)."""
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value) / 1_000_000
    return round(seconds / 86400, 1)


@dataclass(frozen=True)
class AnalysisScope:
    """What a report covers: [start, end) and the deals' filter (team, owner or partner)."""

    start: dt.date
    end: dt.date
    team_id: int | None = None
    owner_id: int | None = None
    partner_id: int | None = None
    partner_user_id: int | None = None

    @property
    def since(self) -> dt.datetime:
        return _moment(self.start)

    @property
    def until(self) -> dt.datetime:
        return _moment(self.end)

    def deals(self) -> QuerySet[Opportunity]:
        rows = Opportunity.objects.all()
        if self.partner_user_id is not None:
            return rows.filter(Q(owner_id=self.partner_user_id) | Q(partner_id=self.partner_id))
        filters = {"team_id": self.team_id, "owner_id": self.owner_id, "partner_id": self.partner_id}
        return rows.filter(**{k: v for k, v in filters.items() if v is not None})

    def closed(self) -> QuerySet[Opportunity]:
        return self.deals().filter(closed_at__gte=self.since, closed_at__lt=self.until)

    def drill(self) -> dict:
        """The drill-down list's filter of the scope itself."""
        out = {"closed_after": self.start.isoformat(), "closed_before": self.end.isoformat()}
        if self.team_id is not None:
            out["team"] = self.team_id
        if self.owner_id is not None:
            out["owner"] = self.owner_id
        return out


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def period_range(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """[first day, first day after) of the year, quarter or month holding `start`."""
    if kind not in PERIODS:
        raise ValidationFailed(fields={"period": _("year, quarter or month")})
    month = 1 if kind == "year" else (start.month - 1) // 3 * 3 + 1 if kind == "quarter" else start.month
    first = dt.date(start.year, month, 1)
    index = first.year * 12 + first.month - 1 + PERIODS[kind]
    return first, dt.date(index // 12, index % 12 + 1, 1)


def analysis_scope(*, user, start: dt.date, end: dt.date, team_id: int | None = None) -> AnalysisScope:
    """The caller's reach for the analysis: the company or one team (all), their team (managers),
    themselves (representatives), their organisation (partners)."""
    reach = permissions.scope(user, "analysis", "read")
    if reach is Scope.NONE:
        raise PermissionDenied(permissions.ANALYSIS_DENIED)
    if getattr(user, "role", None) == Role.PARTNER:
        return AnalysisScope(start, end, partner_id=user.team_id, partner_user_id=user.pk)
    if reach is Scope.ALL:
        return AnalysisScope(start, end, team_id=team_id)
    if reach is Scope.TEAM and user.team_id:
        if team_id is not None and team_id != user.team_id:
            raise PermissionDenied(permissions.ANALYSIS_DENIED)
        return AnalysisScope(start, end, team_id=user.team_id)
    return AnalysisScope(start, end, owner_id=user.pk)


# ---------------------------------------------------------------- one dimension


@dataclass
class AnalysisRow:
    key: object
    label: str
    closed: int
    won: int
    won_amount: Decimal
    cycle_days: float | None
    cost: Decimal | None = None
    drill: dict = field(default_factory=dict)
    strengths: list[str] = field(default_factory=list)
    weaknesses: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.closed - self.won

    @property
    def win_rate(self) -> float | None:
        return round(self.won / self.closed, 4) if self.closed else None

    @property
    def average_deal(self) -> Decimal | None:
        return _money(self.won_amount / self.won) if self.won else None

    @property
    def cost_per_won(self) -> Decimal | None:
        return _money(self.cost / self.won) if self.cost is not None and self.won else None


def _measures(rows: QuerySet, column: str) -> list[dict]:
    return list(rows.values(column).annotate(
        n=Count("id"), won=Count("id", filter=WON), won_amount=Sum("amount", filter=WON),
        cycle=Sum(CYCLE, filter=WON)).order_by())


def _total(rows: QuerySet) -> dict:
    return rows.aggregate(n=Count("id"), won=Count("id", filter=WON), won_amount=Sum("amount", filter=WON),
                          cycle=Sum(CYCLE, filter=WON))


def _less(whole, part):
    """A sum less a part of it (a sum over no deal is None)."""
    return whole if part is None else whole - part


def _kind_measures(rows: QuerySet) -> list[dict]:
    """Measures by customer group without joining every customer: the deals of each kind but the
    commonest (individuals) through the `customer_kind` index, and individuals as all deals less those."""
    rest, out = _total(rows), []
    for kind in CustomerKind.values:
        if kind == CustomerKind.INDIVIDUAL:
            continue
        part = _total(rows.filter(customer__kind=kind))
        if part["n"]:
            out.append({"customer__kind": kind, **part})
            rest = {name: _less(rest[name], part[name]) for name in part}
    if rest["n"]:
        if not rest["won"]:
            rest["won_amount"] = rest["cycle"] = None
        out.append({"customer__kind": CustomerKind.INDIVIDUAL.value, **rest})
    return out


def _labels(report: str, keys: list) -> dict:
    """The names of the dimension's values (the few present in a report)."""
    ids = [k for k in keys if k is not None]
    if report == "customer_group":
        return {k: str(CustomerKind(k).label) if k in CustomerKind.values else k for k in ids}
    if report == "representative":
        return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    model = {"product": Product, "outlet": Outlet, "channel": SalesChannel, "partner": Team, "team": Team}[report]
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def _fold_regions(rows: list[dict]) -> list[dict]:
    """Per-outlet measures added up per region (deals without an outlet: region not set)."""
    regions = dict(Outlet.objects.filter(pk__in=[r["outlet_id"] for r in rows if r["outlet_id"]])
                   .values_list("pk", "region_id"))
    folded: dict = {}
    for row in rows:
        key = regions.get(row["outlet_id"])
        into = folded.setdefault(key, {"outlet_id": key, "n": 0, "won": 0, "won_amount": None, "cycle": None})
        into["n"] += row["n"]
        into["won"] += row["won"]
        for name in ("won_amount", "cycle"):
            if row[name] is not None:
                into[name] = row[name] if into[name] is None else into[name] + row[name]
    return list(folded.values())


def _cycle_days(total, won: int) -> float | None:
    days = _days(total)
    return round(days / won, 1) if days is not None and won else None


def dimension_report(*, scope: AnalysisScope, report: str) -> list[AnalysisRow]:
    """The deals closed in the scope's period grouped by one dimension, largest won amount first."""
    column, drill_key, _title = DIMENSIONS[report]
    rows = _kind_measures(scope.closed()) if report == "customer_group" else _measures(scope.closed(), column)
    if report == "region":
        rows = _fold_regions(rows)
    labels = _labels(report, [r[column] for r in rows]) if report != "region" else \
        dict(Region.objects.filter(pk__in=[r[column] for r in rows if r[column]]).values_list("pk", "name"))
    costs = _costs(scope, report)
    out = []
    for row in rows:
        key = row[column]
        out.append(AnalysisRow(key=key, label=labels.get(key) or _("(not set)"), closed=row["n"], won=row["won"],
                               won_amount=_money(row["won_amount"]), cycle_days=_cycle_days(row["cycle"], row["won"]),
                               cost=costs.get(key) if costs is not None else None,
                               drill={**scope.drill(), drill_key: "" if key is None else key}))
    out.sort(key=lambda r: (-r.won_amount, -r.closed, r.label))
    if report == "channel":
        _judge(out)
    return out


def _costs(scope: AnalysisScope, report: str) -> dict | None:
    """Sales expenses of the period per channel or per team (None for other dimensions)."""
    if report not in ("channel", "team"):
        return None
    column = "channel_id" if report == "channel" else "team_id"
    expenses = SalesExpense.objects.filter(month__gte=scope.start, month__lt=scope.end)
    if scope.team_id is not None:
        expenses = expenses.filter(team_id=scope.team_id)
    elif scope.owner_id is not None or scope.partner_id is not None:
        return None
    return {k: _money(v) for k, v in expenses.values(column).annotate(t=Sum("amount"))
            .values_list(column, "t").order_by()}


def totals(rows: list[AnalysisRow]) -> AnalysisRow:
    """The rows' sum (the whole scope), with the overall cycle as the closed-weighted mean."""
    won = sum(r.won for r in rows)
    cycles = [(r.cycle_days, r.won) for r in rows if r.cycle_days is not None and r.won]
    cycle = round(sum(c * w for c, w in cycles) / won, 1) if cycles and won else None
    costs = [r.cost for r in rows if r.cost is not None]
    return AnalysisRow(key=None, label=_("Total"), closed=sum(r.closed for r in rows), won=won,
                       won_amount=sum((r.won_amount for r in rows), ZERO), cycle_days=cycle,
                       cost=sum(costs, ZERO) if costs else None)


def _judge(rows: list[AnalysisRow]) -> None:
    """Each channel's strengths and weaknesses against the whole: win rate, average deal, cycle time,
    cost per won deal (10 % better or worse than overall)."""
    whole = totals(rows)
    for row in rows:
        for name, mine, overall, higher_is_better in (
                (_("win rate"), row.win_rate, whole.win_rate, True),
                (_("average deal"), row.average_deal, whole.average_deal, True),
                (_("cycle time"), row.cycle_days, whole.cycle_days, False),
                (_("cost per won deal"), row.cost_per_won, whole.cost_per_won, False)):
            if mine is None or not overall:
                continue
            ratio = float(mine) / float(overall)
            better = ratio >= STRONG if higher_is_better else ratio <= WEAK
            worse = ratio <= WEAK if higher_is_better else ratio >= STRONG
            if better:
                row.strengths.append(name)
            elif worse:
                row.weaknesses.append(name)


# ---------------------------------------------------------------- funnel, reasons, efficiency, behaviour


@dataclass(frozen=True)
class FunnelStep:
    stage_id: int
    name: str
    entered: int
    average_days: float | None
    conversion: float | None  # of the deals that entered this stage, the share that entered the next


def funnel_conversion(*, scope: AnalysisScope) -> list[FunnelStep]:
    """Stage by stage over the period: deals that entered each stage (moves into it in the period),
    the conversion to the next stage (entered next / entered this) and the mean days spent in it
    (over the moves out of it in the period). The open stages in order, then the won stage."""
    moves = StageChange.objects.filter(changed_at__gte=scope.since, changed_at__lt=scope.until)
    if scope.team_id is not None or scope.owner_id is not None or scope.partner_id is not None:
        moves = moves.filter(opportunity__in=scope.deals().values("pk"))
    # One pass over the period's moves: per (from, to) pair, the moves and the seconds spent in `from`.
    entered: dict = {}
    spent: dict = {}
    for row in moves.values("from_stage_id", "to_stage_id").annotate(
            n=Count("id"), seconds=Sum("seconds_in_previous"), timed=Count("seconds_in_previous")).order_by():
        entered[row["to_stage_id"]] = entered.get(row["to_stage_id"], 0) + row["n"]
        if row["from_stage_id"] is not None and row["timed"]:
            total, count = spent.get(row["from_stage_id"], (0, 0))
            spent[row["from_stage_id"]] = (total + row["seconds"], count + row["timed"])
    stay = {stage_id: total / count for stage_id, (total, count) in spent.items()}
    stages = [s for s in stage_list(active_only=True) if not s.is_lost]
    counts = [entered.get(s.pk, 0) for s in stages]
    out = []
    for index, stage in enumerate(stages):
        following = counts[index + 1] if index + 1 < len(stages) else None
        conversion = round(min(1.0, following / counts[index]), 4) if following is not None and counts[index] \
            else None
        seconds = stay.get(stage.pk)
        out.append(FunnelStep(stage.pk, stage.name, counts[index],
                              round(float(seconds) / 86400, 1) if seconds is not None else None, conversion))
    return out


@dataclass
class ReasonRow:
    status: str
    reason_id: int | None
    name: str
    count: int
    amount: Decimal
    drill: dict


def reason_report(*, scope: AnalysisScope) -> list[ReasonRow]:
    """Why deals were won and lost in the period: per reason, the deals and their amount."""
    rows = scope.closed().values("status", "reason_id", "reason__name").annotate(
        n=Count("id"), total=Sum("amount")).order_by()
    out = [ReasonRow(r["status"], r["reason_id"], r["reason__name"] or _("(no reason given)"), r["n"],
                     _money(r["total"]), {**scope.drill(), "status": r["status"], "reason": r["reason_id"] or ""})
           for r in rows]
    out.sort(key=lambda r: (r.status != Status.WON, -r.count, r.name))
    return out


def efficiency_report(*, scope: AnalysisScope) -> list[AnalysisRow]:
    """Cost and efficiency per team (the sales process each runs): conversion, cycle time, sales
    expenses and cost per won deal."""
    return dimension_report(scope=scope, report="team")


@dataclass
class BehaviourRow:
    user_id: int
    name: str
    created: int = 0
    touched: int = 0
    tasks_done: int = 0
    won: int = 0
    won_amount: Decimal = ZERO
    quota: Decimal | None = None
    drill: dict = field(default_factory=dict)

    @property
    def attainment(self) -> float | None:
        return round(float(self.won_amount / self.quota), 4) if self.quota else None


def behaviour_report(*, scope: AnalysisScope) -> list[BehaviourRow]:
    """Per representative: deals created, stage moves made (deals moved on, won or lost), tasks and activities
    done, won deals and amount, the monthly quotas of the period summed, and attainment."""
    deals = scope.deals()
    created = dict(deals.filter(created_at__gte=scope.since, created_at__lt=scope.until)
                   .values("owner_id").annotate(n=Count("id")).values_list("owner_id", "n").order_by())
    won = {r["owner_id"]: r for r in scope.closed().filter(WON).values("owner_id")
           .annotate(n=Count("id"), total=Sum("amount")).order_by()}
    # Stage moves each person made (a count of moves, read from the index: a distinct count of deals
    # over a year's million moves would sort them all).
    moves = StageChange.objects.filter(changed_at__gte=scope.since, changed_at__lt=scope.until,
                                       changed_by__isnull=False, from_stage__isnull=False)
    if scope.team_id is not None or scope.owner_id is not None or scope.partner_id is not None:
        moves = moves.filter(opportunity__in=deals.values("pk"))
    touched = dict(moves.values("changed_by_id").annotate(n=Count("id"))
                   .values_list("changed_by_id", "n").order_by())
    people = [k for k in dict.fromkeys([*touched, *won, *created])
              if scope.owner_id is None or k == scope.owner_id]
    tasks = done_by_assignee(user_ids=people, since=scope.since, until=scope.until)
    quotas = dict(Quota.objects.filter(period="month", period_start__gte=scope.start, period_start__lt=scope.end,
                                       user_id__in=people).values("user_id").annotate(t=Sum("amount"))
                  .values_list("user_id", "t").order_by())
    names = _names(people)
    out = [BehaviourRow(user_id=k, name=names.get(k, str(k)), created=created.get(k, 0),
                        touched=touched.get(k, 0), tasks_done=tasks.get(k, 0),
                        won=won[k]["n"] if k in won else 0, won_amount=_money(won[k]["total"]) if k in won else ZERO,
                        quota=_money(quotas[k]) if quotas.get(k) is not None else None,
                        drill={**scope.drill(), "owner": k})
           for k in people]
    out.sort(key=lambda r: (-r.won_amount, r.name))
    return out


def _names(user_ids: list[int]) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}


# ---------------------------------------------------------------- one report as data


def analysis_report(*, user, report: str, period: str, day: dt.date | None, team_id: int | None) -> dict:
    """One report as plain data (the API's answer; the page and the export read it too)."""
    if report not in REPORTS:
        raise NotFound(_("No such report."))
    start, end = period_range(period, day or timezone.localdate())
    scope = analysis_scope(user=user, start=start, end=end, team_id=team_id)
    out = {"report": report, "title": str(REPORTS[report]), "start": start, "end": end, "rows": [],
           "total": None, "funnel": [], "reasons": [], "behaviour": [], "scope": scope}
    if report in DIMENSIONS or report == "efficiency":
        rows = efficiency_report(scope=scope) if report == "efficiency" else \
            dimension_report(scope=scope, report=report)
        out["rows"], out["total"] = rows, totals(rows)
    elif report == "funnel":
        out["funnel"] = funnel_conversion(scope=scope)
    elif report == "reasons":
        out["reasons"] = reason_report(scope=scope)
    else:
        out["behaviour"] = behaviour_report(scope=scope)
    return out



# ---------------------------------------------------------------- drill-down


@dataclass(frozen=True)
class DrillFilter:
    closed_after: dt.date
    closed_before: dt.date
    team_id: int | None = None
    owner_id: int | None = None
    status: str = ""
    values: dict = field(default_factory=dict)  # dimension filter name → id ("" for not set)


DRILL_COLUMNS = {"product": "product_id", "outlet": "outlet_id", "region": "outlet__region_id",
                 "channel": "channel_id", "partner": "partner_id", "customer_kind": "customer__kind",
                 "reason": "reason_id", "team": "team_id", "owner": "owner_id"}


def drill_down(*, user, filters: DrillFilter) -> QuerySet[Opportunity]:
    """The deals behind a figure: closed in the period, within the caller's reach, matching the
    dimension values (an empty value: not set)."""
    scope = analysis_scope(user=user, start=filters.closed_after, end=filters.closed_before,
                           team_id=filters.team_id)
    rows = scope.closed().filter(pk__in=opportunity_list(user=user).values("pk"))
    if filters.owner_id is not None:
        rows = rows.filter(owner_id=filters.owner_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    for name, value in filters.values.items():
        column = DRILL_COLUMNS[name]
        rows = rows.filter(**({f"{column}__isnull": True} if value in ("", None) else {column: value}))
    return rows.select_related("customer", "owner", "stage", "product", "outlet", "channel", "reason") \
        .order_by("-closed_at", "-id")
