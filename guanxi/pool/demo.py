"""Demo data of the pool: recycling rules and claim limits, some customers and leads released into
the pool, claims and an assignment from it, then the sweep (warnings and returns in the log)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.customers.models import Customer
from guanxi.marketing.models import Lead

from .enums import DayKind, RecordKind, RuleKind
from .services import claim_limit_set, pool_assign, pool_claim, pool_release, pool_sweep, rule_save

RULES = [
    {"name": "客户30个工作日未跟进退回公海", "kind": RuleKind.NO_FOLLOW_UP, "applies_to": RecordKind.CUSTOMER,
     "days": 30, "day_kind": DayKind.WORKING, "warn_days": 5, "tiers": ["small"]},
    {"name": "线索14天未跟进退回公海", "kind": RuleKind.NO_FOLLOW_UP, "applies_to": RecordKind.LEAD,
     "days": 14, "day_kind": DayKind.CALENDAR, "warn_days": 3},
    {"name": "客户180天未成交退回公海", "kind": RuleKind.NO_WON_DEAL, "applies_to": RecordKind.CUSTOMER,
     "days": 180, "day_kind": DayKind.CALENDAR, "warn_days": 10, "tiers": ["small", "medium"],
     "is_enabled": False},
    {"name": "合同结束90天退回公海", "kind": RuleKind.CONTRACT_ENDED, "applies_to": RecordKind.CUSTOMER,
     "days": 90, "day_kind": DayKind.CALENDAR, "warn_days": 7},
]
RELEASED = 40


def pool_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime | None = None) -> str:
    rng = random.Random(seed + 70)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    for data in RULES:
        rule_save(actor=SYSTEM, data=data)
    claim_limit_set(actor=SYSTEM, role=Role.SALES_REP, limit=30)
    claim_limit_set(actor=SYSTEM, role=Role.KEY_ACCOUNT_MANAGER, limit=50)
    claim_limit_set(actor=SYSTEM, role=Role.SALES_MANAGER, limit=100)
    reps = [u for u in staff.by_role(Role.SALES_REP) if u.is_active]
    managers = [u for u in staff.by_role(Role.SALES_MANAGER) if u.is_active]
    if not reps:
        return "pool rules only (no representatives)"
    owned = list(Customer.objects.alive().filter(owner__in=reps).order_by("id").values_list("pk", flat=True))
    released = [Customer(pk=pk) for pk in rng.sample(owned, min(RELEASED, len(owned)))]
    for customer in released:
        pool_release(actor=SYSTEM, customer=customer, at=now - dt.timedelta(days=rng.randint(20, 60)))
    claims = 0
    for customer in released[: len(released) // 4]:
        pool_claim(actor=rng.choice(reps), customer=customer, at=now - dt.timedelta(days=rng.randint(1, 15)))
        claims += 1
    for lead in Lead.objects.filter(owner__isnull=True, status__in=("new", "contacted")).order_by("id")[:5]:
        pool_claim(actor=rng.choice(reps), lead=lead, at=now - dt.timedelta(days=rng.randint(1, 10)))
        claims += 1
    manager = managers[0] if managers else SYSTEM
    team_reps = [r for r in reps if managers and r.team_id == managers[0].team_id] or reps
    pool_assign(actor=manager if managers else SYSTEM, owner=rng.choice(team_reps),
                customer=released[-1], at=now - dt.timedelta(days=3))
    swept = pool_sweep(actor=SYSTEM, now=now)
    return (f"{len(RULES)} pool rules, {len(released)} customers released, {claims} claims, 1 assignment; "
            f"sweep returned {swept['returned']}, warned {swept['warned']}")
