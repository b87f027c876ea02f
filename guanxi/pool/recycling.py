"""Which owned records a recycling rule finds neglected, as set-based querysets (one SQL statement
each, with anti-joins on indexed activity), for the sweep (`services.pool_sweep`) to warn about or
return.

What counts as activity, per record:
- a customer: the claim or assignment that gave it to its owner (`Holding.since`), an interaction
  recorded by staff (customers.Interaction with a staff member), a task on the customer completed
  (tasks.Task done, by its `closed_at`), and the customer's creation; for "no deal won", a deal of
  the customer won (sales.Opportunity won, by `closed_at`) instead of the interactions and tasks;
- a lead: the claim or assignment, and any change to the lead by staff (a contact recorded, the
  qualification, an edit: `Lead.updated_at`), and its creation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from guanxi.customers.models import Customer, Interaction
from guanxi.customers.value import DEFAULT_TIER_FLOORS
from guanxi.marketing.enums import OPEN_STATUSES
from guanxi.marketing.models import Lead
from guanxi.sales.models import Opportunity
from guanxi.tasks.models import Task

from .calendar import nth_day_back
from .contracts import contract_sources
from .enums import RecordKind, RuleKind
from .models import Holding, PoolRule


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def rule_cutoff(rule: PoolRule, today: dt.date, *, ahead: int = 0) -> dt.date:
    """Records with no activity on or after this day are due (`ahead` days early: for warnings)."""
    return nth_day_back(today, rule.days - ahead, rule.day_kind)


def tier_condition(tiers: list[str]) -> Q:
    """Customers in these value tiers (customers.value's ARPU floors), as a filter; all when empty."""
    if not tiers:
        return Q()
    floors = {k: Decimal(str(v)) for k, v in getattr(settings, "VALUE_TIER_ARPU_FLOORS", DEFAULT_TIER_FLOORS).items()}
    ranges = {"vip": Q(arpu__gte=floors["vip"]),
              "large": Q(arpu__gte=floors["large"], arpu__lt=floors["vip"]),
              "medium": Q(arpu__gte=floors["medium"], arpu__lt=floors["large"]),
              "small": Q(arpu__lt=floors["medium"])}
    condition = Q(pk__in=[])
    for tier in tiers:
        condition |= ranges[tier]
    return condition


def _contract_ended(before: dt.date) -> Q:
    condition = Q(pk__in=[])
    for source in contract_sources():
        condition |= Q(pk__in=source(before))
    return condition


def customer_candidates(rule: PoolRule, cutoff: dt.date) -> QuerySet[Customer]:
    """Owned live customers the rule finds neglected since `cutoff`."""
    moment = start_of(cutoff)
    rows = Customer.objects.filter(owner__isnull=False, deleted_at__isnull=True, created_at__lt=moment)
    rows = rows.filter(tier_condition(rule.tiers)).exclude(
        Exists(Holding.objects.filter(customer=OuterRef("pk"), since__gte=moment)))
    if rule.kind == RuleKind.NO_FOLLOW_UP:
        rows = rows.exclude(Exists(Interaction.objects.filter(
            customer=OuterRef("pk"), staff__isnull=False, occurred_at__gte=moment))).exclude(
            Exists(Task.objects.filter(customer=OuterRef("pk"), status=Task.Status.DONE, closed_at__gte=moment)))
    elif rule.kind == RuleKind.NO_WON_DEAL:
        rows = rows.exclude(Exists(Opportunity.objects.filter(
            customer=OuterRef("pk"), status=Opportunity.Status.WON, closed_at__gte=moment)))
    else:
        rows = rows.filter(_contract_ended(cutoff))
    return rows


def lead_candidates(rule: PoolRule, cutoff: dt.date) -> QuerySet[Lead]:
    """Owned open leads untouched since `cutoff` (leads know only the no-follow-up rule)."""
    moment = start_of(cutoff)
    if rule.kind != RuleKind.NO_FOLLOW_UP:
        return Lead.objects.none()
    return Lead.objects.filter(owner__isnull=False, status__in=OPEN_STATUSES, created_at__lt=moment,
                               updated_at__lt=moment).exclude(
        Exists(Holding.objects.filter(lead=OuterRef("pk"), since__gte=moment)))


def candidates(rule: PoolRule, cutoff: dt.date) -> QuerySet:
    if rule.applies_to == RecordKind.LEAD:
        return lead_candidates(rule, cutoff)
    return customer_candidates(rule, cutoff)
