"""Reads of key accounts, scoped by `permissions`: the candidates from the segments module's key-account
score with each criterion's contribution, the accounts one may see, one account's profile (read
through the other apps' models and selectors in a fixed number of queries), its people as an org
chart, and a plan with its actuals from the ledger and sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
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
from guanxi.servicedesk.models.tickets import IS_OPEN, Ticket

from . import permissions
from .enums import CRITERIA, StepStatus, VisitKind, VisitStatus
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

# Satisfaction of an account in a year comes from surveys once they report it per customer: a callable
# (customer_id, year) -> float | None registered here (the dashboard's place too).
SATISFACTION_SOURCES: list = []

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))


def register_satisfaction_source(source) -> None:
    if source not in SATISFACTION_SOURCES:
        SATISFACTION_SOURCES.append(source)


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


def account_get_for_user(*, user, account_id: int, action: str = "read") -> KeyAccount:
    """One key account; not found when it does not exist, refused with the reason when it is another
    manager's account (or the role has no access)."""
    permissions.require(user, "account", "read")
    account = KeyAccount.objects.select_related("customer", "tier", "manager", "backup").filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Key account not found."))
    if not permissions.may(user, account, "read"):
        raise PermissionDenied(
            _("This key account is managed by someone else: you see only your own key accounts."),
            code="not_your_account",
        )
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
    projects won (sales), satisfaction (from a registered source, else none yet); monthly revenue
    cumulated against the target spread evenly, for the chart."""
    months = revenue_by_month(customer_id=account.customer_id, year=year)
    revenue = sum(months, Decimal("0.00"))
    won = Opportunity.objects.filter(
        customer_id=account.customer_id, status=Opportunity.Status.WON, closed_at__year=year
    ).aggregate(n=Count("id"))["n"]
    share = (revenue / account.wallet_estimate * 100).quantize(Decimal("0.1")) if account.wallet_estimate else None
    satisfaction = next(
        (v for v in (s(account.customer_id, year) for s in SATISFACTION_SOURCES) if v is not None), None
    )
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

NOT_YOURS = _("This key account is managed by someone else: you see only your own key accounts.")


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
        raise PermissionDenied(NOT_YOURS, code="not_your_account")
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


def document_get_for_user(*, user, document_id: int) -> GreenDocument:
    """A step's document, to those who may read its process (files are never served directly)."""
    document = GreenDocument.objects.select_related("step").filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("Document not found."))
    process_get_for_user(user=user, process_id=document.step.process_id)
    return document


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
        raise PermissionDenied(NOT_YOURS, code="not_your_account")
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
