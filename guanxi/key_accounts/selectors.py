"""Reads of key accounts, scoped by `permissions`: the candidates from the segments module's key-account
score with each criterion's contribution, the accounts one may see, one account's profile (read
through the other apps' models and selectors in a fixed number of queries), its people as an org
chart, and a plan with its actuals from the ledger and sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.customers.enums import TransactionKind
from guanxi.customers.models import Contact, Holding, Transaction
from guanxi.customers.selectors.history import billing_summary
from guanxi.orders.models import Contract
from guanxi.sales.models import Opportunity
from guanxi.segments.models import CustomerValueSnapshot
from guanxi.segments.selectors import value_settings
from guanxi.servicedesk.models.tickets import IS_OPEN, OPEN_STATUSES, Ticket
from guanxi.surveys.selectors import satisfaction_by_customer

from . import permissions
from .enums import CRITERIA, GreenStatus, StepStatus, VisitKind, VisitStatus
from .models import (
    GreenDocument,
    GreenProcess,
    GreenStep,
    GreenTemplate,
    KeyAccount,
    KeyAccountEvent,
    KeyAccountPlan,
    KeyAccountTier,
    KeyPerson,
    Visit,
)

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)


# ---------------------------------------------------------------- criteria and candidates


def weights() -> dict[str, float]:
    row = value_settings()
    return {key: float(getattr(row, f"weight_{key}")) for key, _field, _label in CRITERIA}


def contributions(snapshot, weight: dict[str, float] | None = None) -> list[dict]:
    """Each criterion's score (0–100), weight and points it adds to the weighted total."""
    weight = weight or weights()
    total = sum(weight.values()) or 1.0
    rows = []
    for key, field, label in CRITERIA:
        score = float(getattr(snapshot, field)) if snapshot is not None else 0.0
        rows.append(
            {
                "key": key,
                "label": label,
                "score": score,
                "weight": weight[key],
                "points": round(score * weight[key] / total, 1),
            }
        )
    return rows


def criteria_of(*, customer_id: int) -> dict:
    """The customer's key-account score now, its criteria and whether it meets the threshold."""
    snapshot = CustomerValueSnapshot.objects.filter(customer_id=customer_id).first()
    threshold = value_settings().key_account_threshold
    score = snapshot.key_account_score if snapshot is not None else None
    return {
        "score": score,
        "threshold": threshold,
        "criteria": contributions(snapshot),
        "meets": score is not None and score >= threshold,
    }


def candidate_list(*, user, limit: int = 100, include_below: bool = False) -> list[dict]:
    """Customers scoring at least the threshold who are not key accounts yet, best first."""
    permissions.require(user, "designation", "read")
    threshold = value_settings().key_account_threshold
    rows = (
        CustomerValueSnapshot.objects.filter(customer__deleted_at__isnull=True)
        .exclude(customer__key_account__is_active=True)
        .select_related("customer")
        .order_by("-key_account_score", "customer_id")
    )
    if not include_below:
        rows = rows.filter(key_account_score__gte=threshold)
    weight = weights()
    return [
        {
            "customer": s.customer,
            "score": s.key_account_score,
            "meets": s.key_account_score >= threshold,
            "criteria": contributions(s, weight),
        }
        for s in rows[:limit]
    ]


# ---------------------------------------------------------------- accounts


def tier_list(*, user) -> QuerySet[KeyAccountTier]:
    permissions.require(user, "tier", "read")
    return KeyAccountTier.objects.order_by("rank", "id")


def account_list(*, user, tier: str = "", active: bool = True, query: str = "") -> QuerySet[KeyAccount]:
    """The key accounts `user` may read (key-account managers: theirs and those they back up)."""
    permissions.require(user, "account", "read")
    rows = KeyAccount.objects.filter(permissions.account_condition(user))
    if active:
        rows = rows.filter(is_active=True)
    if tier:
        rows = rows.filter(tier__code=tier)
    if query:
        rows = rows.filter(Q(customer__name__icontains=query) | Q(customer__code=query))
    return rows.select_related("customer", "tier", "manager", "backup").order_by("id")


def _not_yours() -> PermissionDenied:
    """The refusal of another manager's account or its records, in the language of the request (a
    message translated once at import would keep the language the server started in)."""
    return PermissionDenied(
        _("This key account is managed by someone else: you see only your own key accounts."),
        code="not_your_account",
    )


def account_get_for_user(*, user, account_id: int, action: str = "read") -> KeyAccount:
    """One key account; not found when it does not exist, refused with the reason when it is another
    manager's account (or the role has no access)."""
    permissions.require(user, "account", "read")
    account = KeyAccount.objects.select_related("customer", "tier", "manager", "backup").filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Key account not found."))
    if not permissions.may(user, account, "read"):
        raise _not_yours()
    if action != "read":
        permissions.require(user, "account", action, allowed=permissions.may(user, account, action))
    return account


def event_list(*, account: KeyAccount) -> QuerySet[KeyAccountEvent]:
    return account.events.select_related("actor").order_by("-at", "-id")


def people_of(*, account: KeyAccount) -> list[KeyPerson]:
    return list(account.people.select_related("contact").order_by("id"))


def org_chart(people: list[KeyPerson]) -> list[dict]:
    """The people as trees (roots: those reporting to nobody in the chart) for the ECharts tree."""
    children: dict[int | None, list[KeyPerson]] = {}
    ids = {p.pk for p in people}
    for person in people:
        parent = person.reports_to_id if person.reports_to_id in ids else None
        children.setdefault(parent, []).append(person)

    def node(person, seen):
        seen = seen | {person.pk}
        return {
            "name": person.contact.name,
            "title": person.contact.title,
            "role": person.get_role_display(),
            "influence": person.influence,
            "relationship": person.relationship,
            "children": [node(c, seen) for c in children.get(person.pk, []) if c.pk not in seen],
        }

    return [node(p, set()) for p in children.get(None, [])]


def upcoming_birthdays(*, people: list[KeyPerson], today: dt.date, days: int = 30) -> list[dict]:
    rows = []
    for person in people:
        born = person.contact.birth_date
        if born is None:
            continue
        for year in (today.year, today.year + 1):
            try:
                day = born.replace(year=year)
            except ValueError:  # 29 February in a common year
                day = dt.date(year, 3, 1)
            if today <= day <= today + dt.timedelta(days=days):
                rows.append({"person": person, "date": day})
                break
    return sorted(rows, key=lambda r: r["date"])


def _revenue(customer_id: int, start: dt.date, end: dt.date) -> QuerySet:
    tz = timezone.get_current_timezone()
    return Transaction.objects.filter(
        customer_id=customer_id,
        occurred_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=tz),
        occurred_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=tz),
    )


def _net() -> dict:
    return {
        "plus": Coalesce(Sum("amount", filter=Q(kind__in=(TransactionKind.BILL, TransactionKind.ORDER))), ZERO),
        "minus": Coalesce(Sum("amount", filter=Q(kind__in=(TransactionKind.REFUND, TransactionKind.REVERSAL))), ZERO),
    }


def revenue_by_month(*, customer_id: int, year: int) -> list[Decimal]:
    """Net revenue (bills and orders less refunds and reversals) per month of `year`, one query."""
    rows = (
        _revenue(customer_id, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
        .annotate(month=ExtractMonth("occurred_at"))
        .values("month")
        .annotate(**_net())
        .order_by("month")
    )
    months = [Decimal("0.00")] * 12
    for row in rows:
        months[int(row["month"]) - 1] = row["plus"] - row["minus"]
    return months


def account_profile(*, user, account: KeyAccount, now: dt.datetime | None = None) -> dict:
    """Everything on one account's page: basic, business (holdings, deals, contracts), billing, credit
    and service data, people, competitors, history; a fixed number of queries whatever the size."""
    now = now or timezone.now()
    customer = account.customer
    people = people_of(account=account)
    year = timezone.localdate(now).year
    revenue = sum(revenue_by_month(customer_id=customer.pk, year=year - 1), Decimal("0.00"))
    competitors = list(account.competitors.all())
    share = (revenue / account.wallet_estimate * 100).quantize(Decimal("0.1")) if account.wallet_estimate else None
    opportunities = list(
        Opportunity.objects.filter(customer=customer).select_related("stage", "owner").order_by("-created_at")[:10]
    )
    contracts = list(Contract.objects.filter(customer=customer).order_by("-starts_on")[:10])
    snapshot = CustomerValueSnapshot.objects.filter(customer_id=customer.pk).first()
    return {
        "account": account,
        "customer": customer,
        "criteria": criteria_of(customer_id=customer.pk),
        "billing": billing_summary(customer=customer, now=now),
        "credit_score": snapshot.credit_score if snapshot else None,
        "holdings": list(Holding.objects.filter(customer=customer).order_by("id")[:20]),
        "opportunities": opportunities,
        "contracts": contracts,
        "open_cases": _open_cases(customer.pk),
        "people": people,
        "chart": org_chart(people),
        "birthdays": upcoming_birthdays(people=people, today=timezone.localdate(now)),
        "competitors": competitors,
        "revenue_last_year": revenue,
        "share_of_wallet": share,
        "events": list(event_list(account=account)[:20]),
        "contacts_free": list(
            Contact.objects.filter(customer=customer)
            .exclude(pk__in=[p.contact_id for p in people])
            .order_by("name")[:100]
        ),
    }


def _open_cases(customer_id: int) -> int:
    return Ticket.objects.filter(IS_OPEN, customer_id=customer_id).count()


# ---------------------------------------------------------------- plans


def plan_get(*, account: KeyAccount, year: int) -> KeyAccountPlan | None:
    return KeyAccountPlan.objects.filter(account=account, year=year).first()


def plan_years(*, account: KeyAccount) -> list[int]:
    return list(account.plans.order_by("-year").values_list("year", flat=True))


def plan_actuals(*, account: KeyAccount, year: int, plan: KeyAccountPlan | None = None) -> dict:
    """The year's actuals against the plan: revenue (ledger), share of wallet (revenue / wallet),
    projects won (sales), satisfaction (surveys: the mean rating of the year's answers); monthly revenue
    cumulated against the target spread evenly, for the chart."""
    months = revenue_by_month(customer_id=account.customer_id, year=year)
    revenue = sum(months, Decimal("0.00"))
    won = Opportunity.objects.filter(
        customer_id=account.customer_id, status=Opportunity.Status.WON, closed_at__year=year
    ).aggregate(n=Count("id"))["n"]
    share = (revenue / account.wallet_estimate * 100).quantize(Decimal("0.1")) if account.wallet_estimate else None
    satisfaction = satisfaction_of(customer_ids=[account.customer_id], year=year).get(account.customer_id)
    cumulative, running = [], Decimal("0")
    for value in months:
        running += value
        cumulative.append(float(running))
    target = float(plan.revenue_target) if plan and plan.revenue_target is not None else None
    return {
        "year": year,
        "revenue": revenue,
        "share_of_wallet": share,
        "projects_won": won,
        "satisfaction": satisfaction,
        "monthly": [float(v) for v in months],
        "cumulative": cumulative,
        "target_line": [round(target * m / 12, 2) for m in range(1, 13)] if target is not None else None,
        "attainment": (revenue / plan.revenue_target * 100).quantize(Decimal("0.1"))
        if plan and plan.revenue_target
        else None,
    }


# ---------------------------------------------------------------- green channel (绿色通道)



def process_list(*, user, account: KeyAccount | None = None, status: str = "") -> QuerySet[GreenProcess]:
    """The green-channel processes `user` may read (of one account), oldest first for keyset paging;
    each with its step in progress (`current`) read in one more query by `processes_with_current`."""
    permissions.require(user, "process", "read")
    rows = GreenProcess.objects.filter(permissions.account_scope(user, "process")).select_related(
        "account__customer", "template"
    )
    if account is not None:
        rows = rows.filter(account=account)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("id")


def processes_with_current(processes) -> list[GreenProcess]:
    """The processes with `current` (the step in progress or None) and `done_steps`/`total_steps`."""
    processes = list(processes)
    by_id = {p.pk: p for p in processes}
    for p in processes:
        p.current, p.done_steps, p.total_steps = None, 0, 0
    for step in GreenStep.objects.filter(process_id__in=by_id).select_related("owner").order_by("position"):
        process = by_id[step.process_id]
        process.total_steps += 1
        if step.status == StepStatus.DONE:
            process.done_steps += 1
        elif step.status == StepStatus.ACTIVE:
            process.current = step
    return processes


def process_get_for_user(*, user, process_id: int, action: str = "read") -> GreenProcess:
    """One process; not found, or refused with the reason when it is of another manager's account."""
    permissions.require(user, "process", "read")
    process = (
        GreenProcess.objects.select_related("account__customer", "account__manager", "account__backup", "template")
        .filter(pk=process_id)
        .first()
    )
    if process is None:
        raise NotFound(_("Green-channel process not found."))
    if not permissions.may_on(user, "process", process.account, "read"):
        raise _not_yours()
    if action != "read":
        permissions.require(
            user, "process", action, allowed=permissions.may_on(user, "process", process.account, action)
        )
    return process


def process_steps(*, process: GreenProcess) -> list[GreenStep]:
    """The process's steps in order, each with its `documents` and `missing` required documents."""
    steps = list(process.steps.select_related("owner", "completed_by").order_by("position"))
    documents: dict[int, list[GreenDocument]] = {s.pk: [] for s in steps}
    for d in GreenDocument.objects.filter(step__process=process).order_by("id"):
        documents[d.step_id].append(d)
    for step in steps:
        step.document_list = documents[step.pk]
        present = {d.name for d in step.document_list}
        step.missing = [name for name in step.required_documents if name not in present]
    return steps


def step_get_for_user(*, user, process: GreenProcess, step_id: int) -> GreenStep:
    step = GreenStep.objects.filter(pk=step_id, process=process).first()
    if step is None:
        raise NotFound(_("Step not found."))
    return step


def document_get_for_user(*, user, document_id: int, process_id: int | None = None) -> GreenDocument:
    """A step's document (of that process when given), to those who may read its process (files are
    never served directly)."""
    document = GreenDocument.objects.select_related("step").filter(pk=document_id).exclude(file="").first()
    if document is None or (process_id is not None and document.step.process_id != process_id):
        raise NotFound(_("Document not found."))
    process_get_for_user(user=user, process_id=document.step.process_id)
    return document


def document_list(*, process: GreenProcess, step_id: int | None = None) -> QuerySet[GreenDocument]:
    """The documents of a process read by `process_get_for_user` (of one step), oldest first for paging."""
    rows = GreenDocument.objects.filter(step__process=process).select_related("step", "uploaded_by")
    if step_id is not None:
        rows = rows.filter(step_id=step_id)
    return rows.order_by("id")


def template_list(*, user, active_only: bool = False) -> QuerySet[GreenTemplate]:
    permissions.require(user, "template", "read")
    rows = GreenTemplate.objects.select_related("calendar").prefetch_related("steps__owner_user")
    return rows.filter(is_active=True) if active_only else rows


def template_get(*, user, template_id: int) -> GreenTemplate:
    template = template_list(user=user).filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("Template not found."))
    return template


# ---------------------------------------------------------------- yellow channel (黄色通道)


def visit_list(
    *, user, account: KeyAccount | None = None, kind: str = "", status: str = "", owner_id: int | None = None
) -> QuerySet[Visit]:
    """The visits `user` may read (of one account, kind, status or owner), oldest first for paging."""
    permissions.require(user, "visit", "read")
    rows = Visit.objects.filter(permissions.account_scope(user, "visit")).select_related("account__customer", "owner")
    if account is not None:
        rows = rows.filter(account=account)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    return rows.order_by("id")


def visit_get_for_user(*, user, visit_id: int, action: str = "read") -> Visit:
    permissions.require(user, "visit", "read")
    visit = Visit.objects.select_related("account__customer", "owner").filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("Visit not found."))
    if not permissions.may_on(user, "visit", visit.account, "read"):
        raise _not_yours()
    if action != "read":
        permissions.require(user, "visit", action, allowed=permissions.may_on(user, "visit", visit.account, action))
    return visit


def visit_coverage(*, user, now: dt.datetime | None = None) -> list[dict]:
    """Per key-account manager (within `user`'s reach): the active accounts they manage, those visited
    by them within their tier's cadence, and the share covered (0–100). Two queries."""
    permissions.require(user, "visit", "read")
    now = now or timezone.now()
    # A manager's own row only for those who see just their accounts (their backups count for the other).
    mine = Q() if permissions.scope(user, "visit", "read") is permissions.ALL else Q(manager_id=user.pk)
    accounts = list(
        KeyAccount.objects.filter(mine, is_active=True).values(
            "pk",
            "manager_id",
            "manager__username",
            "manager__first_name",
            "manager__last_name",
            "tier__visit_cadence_days",
        )
    )
    if not accounts:
        return []
    longest = max(a["tier__visit_cadence_days"] for a in accounts)
    last_visit = dict(
        Visit.objects.filter(
            account_id__in=[a["pk"] for a in accounts],
            kind=VisitKind.MANAGER_VISIT,
            status=VisitStatus.DONE,
            done_at__gte=now - dt.timedelta(days=longest),
            done_at__lte=now,
        )
        .values("account_id")
        .annotate(last=Max("done_at"))
        .values_list("account_id", "last")
    )
    rows: dict[int, dict] = {}
    for a in accounts:
        name = f"{a['manager__last_name']}{a['manager__first_name']}".strip() or a["manager__username"]
        row = rows.setdefault(
            a["manager_id"], {"manager_id": a["manager_id"], "manager": name, "accounts": 0, "covered": 0}
        )
        row["accounts"] += 1
        last = last_visit.get(a["pk"])
        if last is not None and last >= now - dt.timedelta(days=a["tier__visit_cadence_days"]):
            row["covered"] += 1
    result = sorted(rows.values(), key=lambda r: r["manager"])
    for row in result:
        row["share"] = round(100 * row["covered"] / row["accounts"], 1)
    return result


def visits_due(*, account: KeyAccount, now: dt.datetime | None = None) -> dict:
    """When the account's manager last visited it and when the next visit is due by its tier's cadence."""
    now = now or timezone.now()
    last = (
        Visit.objects.filter(account=account, kind=VisitKind.MANAGER_VISIT, status=VisitStatus.DONE)
        .order_by("-done_at")
        .values_list("done_at", flat=True)
        .first()
    )
    cadence = account.tier.visit_cadence_days
    due = (last + dt.timedelta(days=cadence)) if last else now
    return {"last": last, "cadence": cadence, "next_due": due, "is_overdue": due < now}


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def satisfaction_of(*, customer_ids, year: int) -> dict[int, float]:
    """Satisfaction (0–100) of these customers in `year`, read from the surveys module (below this one):
    the mean of their answered dimension ratings; customers without answers are left out."""
    since, until = _year_bounds(year)
    found = satisfaction_by_customer(customer_ids=customer_ids, since=since, until=until)
    return {k: v["mean"] for k, v in found.items()}


# ---------------------------------------------------------------- red channel (红色通道)


def red_case_list(*, user, account: KeyAccount | None = None, open_only: bool = True) -> QuerySet:
    """The red-channel board: cases routed through the red channel of the accounts `user` may read
    (key-account managers: their own and those they back up), most urgent first."""
    from .models import RedChannelCase

    permissions.require(user, "account", "read")
    rows = RedChannelCase.objects.filter(account__in=KeyAccount.objects.filter(permissions.account_condition(user)))
    if account is not None:
        rows = rows.filter(account=account)
    if open_only:
        rows = rows.filter(ticket__status__in=OPEN)
    return rows.select_related("ticket__team", "ticket__owner", "account__customer", "account__manager").order_by(
        "ticket__next_due_at", "-routed_at", "-id"
    )


def red_rule_list(*, user) -> QuerySet:
    """The red-channel rules, active and not (their standards prefetched)."""
    from .models import RedChannelRule

    permissions.require(user, "red_rule", "read")
    return RedChannelRule.objects.select_related("tier", "team").prefetch_related("standards").order_by("id")


def red_rule_get(*, user, rule_id: int):
    rule = red_rule_list(user=user).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Red-channel rule not found."))
    return rule


# ---------------------------------------------------------------- dashboard

# Channels besides the red one (green: pre- and in-sale processes; yellow: visits) report their open
# and late items for a set of accounts: `(accounts: QuerySet[KeyAccount], now) -> {"open": n, "late": n}`,
# registered here by key (an app of this module or one above) with its label.
CHANNEL_SOURCES: dict[str, tuple] = {}
# The churn score of analytics (above this module): `(customer_ids) -> {customer_id: 0–100}`, the ids a
# list or a query of them (a portfolio's thousands of ids go as a subquery, not as parameters).
RISK_SOURCES: list = []
CHANNEL_ORDER = ("green", "yellow", "red")
OPEN = [s.value for s in OPEN_STATUSES]
UPCOMING_DAYS = 30


def register_channel_source(key: str, label, source) -> None:
    CHANNEL_SOURCES[key] = (label, source)


def register_risk_source(source) -> None:
    if source not in RISK_SOURCES:
        RISK_SOURCES.append(source)


def _risk(customer_ids) -> dict[int, float] | None:
    """The first registered risk source's scores, or None when no source exists yet."""
    for source in RISK_SOURCES:
        return source(customer_ids) or {}
    return None


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _i in range(count):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


PLUS = (TransactionKind.BILL, TransactionKind.ORDER)
MINUS = (TransactionKind.REFUND, TransactionKind.REVERSAL)
CENT = Decimal("0.01")


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _money(value) -> Decimal:
    """A sum from the database as money: PostgreSQL's numeric already is; SQLite's number is not."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value or 0)).quantize(CENT)


def _ledger(customer_ids, today: dt.date, months: int = 24) -> tuple[dict[int, dict], list[str], list[float]]:
    """Net revenue (bills and orders less refunds and reversals) of these customers in one pass over the
    ledger: per customer this year so far, the last 12 months and the 12 before (by day), and per calendar
    month of the last `months` (this one included) for the trend. PostgreSQL groups the rows both ways in
    one statement (GROUPING SETS); SQLite, which has none, reads them twice."""
    tz = timezone.get_current_timezone()
    keys = _months_back(today, months)
    year_start = dt.datetime(today.year, 1, 1, tzinfo=tz)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    last12, prior12 = end - dt.timedelta(days=365), end - dt.timedelta(days=730)
    trend_start = dt.datetime.combine(keys[0], dt.time(), tzinfo=tz)
    rows = (
        Transaction.objects.filter(
            customer_id__in=customer_ids, occurred_at__gte=min(prior12, year_start, trend_start), kind__in=PLUS + MINUS
        )
        .order_by()
        .annotate(
            cid=F("customer_id"),
            signed=Case(When(kind__in=MINUS, then=-F("amount")), default=F("amount"), output_field=MONEY_FIELD),
            month=TruncMonth("occurred_at", tzinfo=tz),
            ytd=_flag(Q(occurred_at__gte=year_start, occurred_at__lt=end)),
            last12=_flag(Q(occurred_at__gte=last12, occurred_at__lt=end)),
            prior12=_flag(Q(occurred_at__gte=prior12, occurred_at__lt=last12)),
            trend=_flag(Q(occurred_at__gte=trend_start)),
        )
        .values_list("cid", "signed", "month", "ytd", "last12", "prior12", "trend")
    )
    inner, params = rows.query.sql_with_params()
    sums = ", ".join(f"SUM(signed) FILTER (WHERE {flag} = 1)" for flag in ("ytd", "last12", "prior12"))
    by_month = "SUM(signed) FILTER (WHERE trend = 1)"
    if connection.vendor == "postgresql":
        sql = f"SELECT cid, month, {sums}, {by_month} FROM ({inner}) t GROUP BY GROUPING SETS ((cid), (month))"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    else:
        sql = (f"SELECT cid, NULL, {sums}, NULL FROM ({inner}) t GROUP BY cid UNION ALL "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
               f"SELECT NULL, month, NULL, NULL, NULL, {by_month} FROM ({inner}) t GROUP BY month")
        params = (*params, *params)
    per_customer, per_month = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for cid, month, ytd, last, prior, net in cursor.fetchall():
            if cid is not None:
                per_customer[cid] = {"ytd": _money(ytd), "last12": _money(last), "prior12": _money(prior)}
            else:  # a naive local datetime from PostgreSQL, its text from SQLite's function
                day = month if isinstance(month, dt.datetime) else dt.datetime.fromisoformat(month)
                per_month[day.date()] = float(_money(net))
    return per_customer, [f"{k:%Y-%m}" for k in keys], [per_month.get(k, 0.0) for k in keys]


def _trend_pct(now_value, before_value) -> Decimal | None:
    if not before_value:
        return None
    return ((Decimal(now_value) - Decimal(before_value)) / abs(Decimal(before_value)) * 100).quantize(Decimal("0.1"))


def _birthday_days(today: dt.date, days: int) -> list[int]:
    """The next `days` days (today included) as month * 100 + day, to match birth dates by."""
    return sorted({d.month * 100 + d.day for d in (today + dt.timedelta(days=n) for n in range(days + 1))})


def _channels(accounts: QuerySet, customer_ids, now: dt.datetime) -> list[dict]:
    """Open items and breaches per channel: green and yellow from their registered sources (— until
    registered), red from the red-channel cases; and every open service case of the accounts."""
    from .models import RedChannelCase

    labels = {"green": _("Green channel"), "yellow": _("Yellow channel"), "red": _("Red channel")}
    red = RedChannelCase.objects.filter(account__in=accounts, ticket__status__in=OPEN).aggregate(
        open=Count("id"), late=Count("id", filter=Q(ticket__breached_at__isnull=False))
    )
    rows = []
    for key in CHANNEL_ORDER:
        if key == "red":
            rows.append({"key": key, "label": labels[key], **red})
        elif key in CHANNEL_SOURCES:
            label, source = CHANNEL_SOURCES[key]
            rows.append({"key": key, "label": label, **source(accounts, now)})
        else:
            rows.append({"key": key, "label": labels[key], "open": None, "late": None})
    for key, (label, source) in CHANNEL_SOURCES.items():
        if key not in CHANNEL_ORDER:
            rows.append({"key": key, "label": label, **source(accounts, now)})
    cases = Ticket.objects.filter(IS_OPEN, customer_id__in=customer_ids).aggregate(
        open=Count("id"), late=Count("id", filter=Q(breached_at__isnull=False))
    )
    rows.append({"key": "cases", "label": _("All open service cases"), **cases})
    return rows


def _upcoming(customer_ids, accounts: QuerySet, now: dt.datetime, limit: int = 10) -> dict:
    """Visits (tasks of kind visit) and care occasions (care actions, key people's birthdays) due in the
    next 30 days."""
    from guanxi.care.models import CareAction
    from guanxi.tasks.models import Task

    today = timezone.localdate(now)
    until = now + dt.timedelta(days=UPCOMING_DAYS)
    visits = Task.objects.filter(
        customer_id__in=customer_ids, kind="visit", status=Task.Status.OPEN, due_at__gte=now, due_at__lt=until
    )
    care = CareAction.objects.filter(
        customer_id__in=customer_ids, occasion_date__gte=today, occasion_date__lte=today + dt.timedelta(UPCOMING_DAYS)
    )
    birthdays = KeyPerson.objects.annotate(
        born=ExtractMonth("contact__birth_date") * 100 + ExtractDay("contact__birth_date")
    ).filter(born__in=_birthday_days(today, UPCOMING_DAYS), account__in=accounts)
    return {
        "visit_count": visits.count(),
        "visits": list(visits.select_related("customer", "assignee").order_by("due_at", "id")[:limit]),
        "care_count": care.count(),
        "care": list(care.select_related("customer").order_by("occasion_date", "id")[:limit]),
        "birthdays": upcoming_birthdays(
            people=list(birthdays.select_related("contact", "account__customer")[:200]), today=today,
            days=UPCOMING_DAYS,
        )[:limit],
    }


def _pipeline(customer_ids) -> dict:
    """Open opportunities by stage, their amount and the probability-weighted amount; one query."""
    rows = list(
        Opportunity.objects.filter(customer_id__in=customer_ids, status=Opportunity.Status.OPEN)
        .values("stage__name", "stage__order")
        .annotate(
            n=Count("id"),
            total=Coalesce(Sum("amount"), ZERO),
            weighted=Sum(
                F("amount") * F("probability") / 100, output_field=DecimalField(max_digits=18, decimal_places=2)
            ),
        )
        .order_by("stage__order")
    )
    weighted = sum((r["weighted"] or Decimal("0") for r in rows), Decimal("0"))
    return {
        "stages": [{"name": r["stage__name"], "count": r["n"], "amount": float(r["total"])} for r in rows],
        "count": sum(r["n"] for r in rows),
        "amount": sum((r["total"] for r in rows), Decimal("0.00")),
        "weighted": weighted.quantize(Decimal("0.01")),
    }


def _names(rows: list[dict]) -> None:
    """Fill in the customer, tier and manager of the rows shown (not of every account in the portfolio)."""
    found = {
        a["pk"]: a
        for a in KeyAccount.objects.filter(pk__in=[r["id"] for r in rows]).values(
            "pk", "customer__name", "tier__name", "manager__username"
        )
    }
    for row in rows:
        a = found[row["id"]]
        row.update(name=a["customer__name"], tier=a["tier__name"], manager=a["manager__username"])


def portfolio_dashboard(*, user, tier: str = "", now: dt.datetime | None = None, top: int = 20) -> dict:
    """The key-account dashboard of every account `user` may read (key-account managers: theirs):
    revenue and trend, pipeline, open items and breaches per channel, satisfaction, plan attainment,
    upcoming visits and care occasions, risk; a fixed number of grouped queries whatever the size (the
    ledger read once), names read for the rows shown only."""
    permissions.require(user, "account", "read")
    now = now or timezone.now()
    today = timezone.localdate(now)
    accounts = KeyAccount.objects.filter(permissions.account_condition(user), is_active=True)
    if tier:
        accounts = accounts.filter(tier__code=tier)
    customer_ids = accounts.order_by().values("customer_id")
    rows = list(accounts.order_by().values_list("pk", "customer_id"))
    revenue, months, trend = _ledger(customer_ids, today)
    plans = dict(
        KeyAccountPlan.objects.filter(account__in=accounts, year=today.year, revenue_target__isnull=False)
        .values_list("account_id", "revenue_target")
    )
    satisfaction = satisfaction_by_customer(
        customer_ids=customer_ids, since=now - dt.timedelta(days=365), until=now + dt.timedelta(seconds=1)
    )
    risk = _risk(customer_ids)
    zero = Decimal("0.00")
    empty = {"ytd": zero, "last12": zero, "prior12": zero}
    table = []
    for pk, customer_id in rows:
        money = revenue.get(customer_id, empty)
        target = plans.get(pk)
        table.append({
            "id": pk, "customer_id": customer_id, "ytd": money["ytd"], "last12": money["last12"],
            "target": target,
            "attainment": (money["ytd"] / target * 100).quantize(Decimal("0.1")) if target else None,
            "risk": None if risk is None else risk.get(customer_id),
        })
    table.sort(key=lambda t: (-t["last12"], t["id"]))
    at_risk = sorted((t for t in table if t["risk"] is not None), key=lambda t: -t["risk"])[:10]
    shown = [*table[:top], *at_risk]
    _names(shown)
    for row in shown:  # the rows shown only: the others' trend and satisfaction are not on the page
        money = revenue.get(row["customer_id"], empty)
        row["trend"] = _trend_pct(money["last12"], money["prior12"])
        row["satisfaction"] = satisfaction.get(row["customer_id"], {}).get("mean")
    on_pace = Decimal(today.timetuple().tm_yday * 100 / 365)
    answered = sum(v["n"] for v in satisfaction.values())
    targets = sum(plans.values(), zero)
    ytd_planned = sum((t["ytd"] for t in table if t["target"]), zero)
    last12 = sum((t["last12"] for t in table), zero)
    prior12 = sum((m["prior12"] for m in revenue.values()), zero)
    return {
        "count": len(rows),
        "ytd": sum((t["ytd"] for t in table), zero),
        "last12": last12,
        "trend": _trend_pct(last12, prior12),
        "months": months,
        "revenue_trend": trend,
        "pipeline": _pipeline(customer_ids),
        "channels": _channels(accounts, customer_ids, now),
        "satisfaction": round(sum(v["mean"] * v["n"] for v in satisfaction.values()) / answered, 1)
        if answered else None,
        "satisfaction_answers": answered,
        "plan": {
            "accounts": len(plans),
            "target": targets,
            "actual": ytd_planned,
            "attainment": (ytd_planned / targets * 100).quantize(Decimal("0.1")) if targets else None,
            "on_track": sum(1 for t in table if t["attainment"] is not None and t["attainment"] >= on_pace),
        },
        "upcoming": _upcoming(customer_ids, accounts, now),
        "has_risk": risk is not None,
        "at_risk": at_risk,
        "top": table[:top],
        "year": today.year,
    }


def account_dashboard(*, user, account: KeyAccount, now: dt.datetime | None = None) -> dict:
    """One account's dashboard (the account as read by `account_get_for_user`): the same figures as
    the portfolio's for this account, with its records to drill into."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    accounts = KeyAccount.objects.filter(pk=account.pk)
    ids = [account.customer_id]
    revenue, months, trend = _ledger(ids, today)
    money = revenue.get(account.customer_id, {})
    zero = Decimal("0.00")
    plan = plan_get(account=account, year=today.year)
    actuals = plan_actuals(account=account, year=today.year, plan=plan)
    satisfaction = satisfaction_by_customer(
        customer_ids=ids, since=now - dt.timedelta(days=365), until=now + dt.timedelta(seconds=1)
    ).get(account.customer_id)
    risk = _risk(ids)
    return {
        "account": account,
        "ytd": money.get("ytd", zero),
        "last12": money.get("last12", zero),
        "trend": _trend_pct(money.get("last12", zero), money.get("prior12", zero)),
        "months": months,
        "revenue_trend": trend,
        "pipeline": _pipeline(ids),
        "opportunities": list(
            Opportunity.objects.filter(customer_id=account.customer_id, status=Opportunity.Status.OPEN)
            .select_related("stage", "owner").order_by("expected_close_date", "id")[:20]
        ),
        "channels": _channels(accounts, ids, now),
        "cases": list(
            Ticket.objects.filter(IS_OPEN, customer_id=account.customer_id)
            .select_related("owner", "team", "red_channel").order_by("next_due_at", "id")[:20]
        ),
        "satisfaction": satisfaction,
        "plan": plan,
        "actuals": actuals,
        "upcoming": _upcoming(ids, accounts, now),
        "has_risk": risk is not None,
        "risk": None if risk is None else risk.get(account.customer_id),
        "year": today.year,
    }


def green_channel_counts(accounts: QuerySet, now: dt.datetime) -> dict:
    """The dashboard's green-channel row: running processes of the accounts, and those whose active
    step is past its time limit."""
    from .models import GreenProcess, GreenStep

    late_step = GreenStep.objects.filter(process=OuterRef("pk"), status=StepStatus.ACTIVE).filter(
        Q(is_late=True) | Q(due_at__lt=now))
    return GreenProcess.objects.filter(account__in=accounts, status=GreenStatus.RUNNING).aggregate(
        open=Count("id"), late=Count("id", filter=Q(Exists(late_step))))


def yellow_channel_counts(accounts: QuerySet, now: dt.datetime) -> dict:
    """The dashboard's yellow-channel row: planned visits, services and customer visits of the
    accounts, and those whose time has passed without an outcome."""
    from .models import Visit

    return Visit.objects.filter(account__in=accounts, status=VisitStatus.PLANNED).aggregate(
        open=Count("id"), late=Count("id", filter=Q(scheduled_at__lt=now)))
