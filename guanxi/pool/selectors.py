"""Reads of the pool: the unowned leads and customers, what someone holds and when it returns,
rules, claim limits and the log; scoped by `permissions`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import NotFound
from guanxi.customers.models import Customer, Interaction
from guanxi.marketing.enums import OPEN_STATUSES
from guanxi.marketing.models import Lead
from guanxi.sales.models import Opportunity
from guanxi.tasks.models import Task

from . import permissions
from .calendar import nth_day_after
from .enums import RecordKind, RuleKind
from .models import ClaimLimit, Holding, PoolEvent, PoolRule, PoolWarning
from .recycling import tier_condition

DEFAULT_LIMIT = 50


def pool_leads(*, user, query: str = "", province: str = "") -> QuerySet[Lead]:
    """Unowned open leads, newest first."""
    permissions.require(user, "pool", "read")
    rows = Lead.objects.filter(owner__isnull=True, status__in=OPEN_STATUSES)
    if query:
        rows = rows.filter(name_key__startswith=query.lower()) | rows.filter(company_name__startswith=query) | \
            rows.filter(person_name__startswith=query)
    if province:
        rows = rows.filter(province=province)
    return rows.order_by("-created_at", "-id")


def pool_customers(*, user, query: str = "", tier: str = "") -> QuerySet[Customer]:
    """Unowned live customers, most recently changed first."""
    permissions.require(user, "pool", "read")
    rows = Customer.objects.filter(owner__isnull=True, deleted_at__isnull=True)
    if query:
        rows = rows.filter(name__startswith=query)
    if tier:
        rows = rows.filter(tier_condition([tier]))
    return rows.order_by("-updated_at", "-id")


def pool_lead_get(*, lead_id: int) -> Lead:
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("Lead not found."))
    return lead


def pool_customer_get(*, customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id, deleted_at__isnull=True).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def claim_limit_for(user) -> int:
    """The most pool records `user` may hold at once: their own limit, else their role's, else the default."""
    row = ClaimLimit.objects.filter(user=user).first() or ClaimLimit.objects.filter(role=user.role).first()
    return row.limit if row else getattr(settings, "POOL_DEFAULT_CLAIM_LIMIT", DEFAULT_LIMIT)


def held_count(user) -> int:
    return Holding.objects.filter(owner=user).count()


def rules(*, user, enabled_only: bool = False) -> QuerySet[PoolRule]:
    permissions.require(user, "rule", "read")
    rows = PoolRule.objects.all()
    return rows.filter(is_enabled=True) if enabled_only else rows


def rule_get(*, user, rule_id: int) -> PoolRule:
    permissions.require(user, "rule", "read")
    rule = PoolRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Rule not found."))
    return rule


def claim_limits(*, user) -> QuerySet[ClaimLimit]:
    permissions.require(user, "rule", "read")
    return ClaimLimit.objects.select_related("user").order_by("user_id", "role")


def events(*, user, kind: str = "", record_kind: str = "", customer_id: int | None = None,
           lead_id: int | None = None) -> QuerySet[PoolEvent]:
    permissions.require(user, "event", "read")
    rows = PoolEvent.objects.filter(permissions.event_condition(user))
    if kind:
        rows = rows.filter(kind=kind)
    if record_kind:
        rows = rows.filter(record_kind=record_kind)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if lead_id:
        rows = rows.filter(lead_id=lead_id)
    return rows.select_related("lead", "customer", "owner", "actor").order_by("-at", "-id")


@dataclass(frozen=True)
class Held:
    holding: Holding
    record: object
    last_activity: dt.datetime
    returns_on: dt.date | None
    days_left: int | None
    warned: bool


def _latest(model, field: str, **conditions):
    """The newest `field` of the rows matching `conditions`, as a subquery (one index probe)."""
    return Subquery(model.objects.filter(**conditions).filter(**{f"{field}__isnull": False})
                    .order_by(f"-{field}").values(field)[:1])


def _customer_activity(rule_kind: str):
    if rule_kind == RuleKind.NO_WON_DEAL:
        return [_latest(Opportunity, "closed_at", customer=OuterRef("customer_id"), status=Opportunity.Status.WON)]
    return [_latest(Interaction, "occurred_at", customer=OuterRef("customer_id"), staff__isnull=False),
            _latest(Task, "closed_at", customer=OuterRef("customer_id"), status=Task.Status.DONE)]


def _returns_on(rule: PoolRule, last: dt.datetime) -> dt.date:
    """The day the rule returns a record last active at `last`."""
    return nth_day_after(timezone.localtime(last).date(), rule.days, rule.day_kind)


def my_holdings(*, user, today: dt.date | None = None) -> list[Held]:
    """What `user` holds from the pool, with when the earliest rule returns each (days left)."""
    permissions.require(user, "pool", "read")
    today = today or timezone.localdate()
    holdings = list(Holding.objects.filter(owner=user).select_related("lead", "customer").order_by("-since", "-id"))
    enabled = list(PoolRule.objects.filter(is_enabled=True).exclude(kind=RuleKind.CONTRACT_ENDED))
    warned = {(w.lead_id, w.customer_id) for w in PoolWarning.objects.filter(owner=user)}
    latest: dict[tuple[int, str], dt.datetime] = {}
    for kind in (RuleKind.NO_FOLLOW_UP, RuleKind.NO_WON_DEAL):
        rows = Holding.objects.filter(owner=user, customer__isnull=False).annotate(
            last=Greatest("since", *(Coalesce(s, "since") for s in _customer_activity(kind))))
        latest.update({(h.pk, kind): h.last for h in rows})
    out = []
    for holding in holdings:
        record = holding.lead or holding.customer
        best: dt.date | None = None
        last_seen = holding.since
        for rule in enabled:
            if rule.applies_to != holding.record_kind:
                continue
            if holding.record_kind == RecordKind.LEAD:
                last = max(holding.since, holding.lead.updated_at)
            else:
                if rule.tiers and not Customer.objects.filter(pk=holding.customer_id).filter(
                        tier_condition(rule.tiers)).exists():
                    continue
                last = latest.get((holding.pk, rule.kind), holding.since)
            last_seen = max(last_seen, last)
            day = _returns_on(rule, last)
            best = day if best is None or day < best else best
        out.append(Held(holding, record, last_seen, best, (best - today).days if best else None,
                        (holding.lead_id, holding.customer_id) in warned))
    return out
