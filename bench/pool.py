"""Pool benchmark (`guanxi bench pool_sweep`): the 公海 recycling sweep over every customer.

Prepares, on PostgreSQL, after `guanxi bench generate` (which gives 70 % of the customers an owner
among the bench representatives): a staff follow-up (an interaction by the owner) for each owned
customer at a random moment of the last 48 days and, for a third of them, an older one too (so that, on
1,000,000 customers, ~100,000 records are due a warning and ~100,000 due to return at once);
four recycling rules like a real company's (no follow-up for 30 working days with a 5-day warning,
no deal won in 180 days for the VIP tier, contract ended 90 days, leads untouched
for 14 days). Then times `pool_sweep` twice: the first run returns and warns what the data make
due (the backlog of a first run, the flood case); the second finds nothing new on the same day.
With `daily`, it then times the steady state of the nightly runs: the sweep of each following
night (the clock moved on one day at a time, so that what one more day of neglect adds falls due:
about 1/48 of the owned records with only a recent follow-up), with the table sizes after each.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Customer, Interaction
from guanxi.pool.enums import DayKind, RecordKind, RuleKind
from guanxi.pool.models import PoolEvent, PoolRule, PoolWarning
from guanxi.pool.services import pool_sweep, rule_save

RULES = [
    {"name": "bench 30 working days", "kind": RuleKind.NO_FOLLOW_UP, "applies_to": RecordKind.CUSTOMER, "days": 30,
     "day_kind": DayKind.WORKING, "warn_days": 5},
    {"name": "bench 180 days no deal", "kind": RuleKind.NO_WON_DEAL, "applies_to": RecordKind.CUSTOMER, "days": 180,
     "day_kind": DayKind.CALENDAR, "warn_days": 10, "tiers": ["vip"]},
    {"name": "bench contract ended", "kind": RuleKind.CONTRACT_ENDED, "applies_to": RecordKind.CUSTOMER,
     "days": 90, "day_kind": DayKind.CALENDAR, "warn_days": 7},
    {"name": "bench leads 14 days", "kind": RuleKind.NO_FOLLOW_UP, "applies_to": RecordKind.LEAD, "days": 14,
     "day_kind": DayKind.CALENDAR, "warn_days": 3},
]


def _table_sizes() -> dict:
    names = {"customers": Customer._meta.db_table, "interactions": Interaction._meta.db_table,
             "pool_events": PoolEvent._meta.db_table, "pool_warnings": PoolWarning._meta.db_table}
    with connection.cursor() as cursor:
        out = {}
        for label, table in names.items():
            cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            count, size = cursor.fetchone()
            out[label] = {"rows": count, "size": size}
        cursor.execute(f"SELECT count(*) FROM {Customer._meta.db_table} WHERE owner_id IS NOT NULL")
        out["customers"]["owned"] = cursor.fetchone()[0]
    return out


def prepare(seed: int = 5) -> dict:
    """Owners and follow-ups for every customer, and the rules (idempotent for the rules)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the pool bench runs on PostgreSQL")
    if not Customer.objects.exists():
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    started = time.perf_counter()
    customers, interactions = Customer._meta.db_table, Interaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 100])
        for channel, subject, newest, spread, share in (("call", "回访", 0, 48, 1), ("visit", "拜访", 60, 300, 3)):
            cursor.execute(
                f"INSERT INTO {interactions} (customer_id, channel, direction, occurred_at, staff_id, subject, "
                f"content, created_at) SELECT id, %s, 'outbound', now() - %s * interval '1 day' - random() * %s "
                f"* interval '1 day', owner_id, %s, '', now() FROM {customers} "
                f"WHERE owner_id IS NOT NULL AND id %% %s = 0", [channel, newest, spread, subject, share])
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {customers}")
        cursor.execute(f"VACUUM ANALYZE {interactions}")
    PoolRule.objects.filter(name__startswith="bench ").delete()
    for data in RULES:
        rule_save(actor=SYSTEM, data=data)
    return {"prepare_s": round(time.perf_counter() - started, 1)}


def _timed(now: dt.datetime) -> dict:
    started = time.perf_counter()
    result = pool_sweep(actor=SYSTEM, now=now)
    return {**result, "seconds": round(time.perf_counter() - started, 2)}


def _load() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return ""


def time_sweep(*, nights: int = 0) -> dict:
    """Two sweeps, timed: the first returns and warns what is due, the second finds nothing new.
    Then `nights` nightly sweeps, each one day later than the one before (the steady state)."""
    now = timezone.now()
    runs = [{**_timed(now), "load": _load()} for _ in range(2)]
    out = {"runs": runs, "tables": _table_sizes()}
    if nights:
        out["nights"] = []
        for night in range(1, nights + 1):
            moment = now + dt.timedelta(days=night)
            run = {"day": timezone.localdate(moment).strftime("%Y-%m-%d %a"), **_timed(moment), "load": _load()}
            out["nights"].append({**run, "tables": _table_sizes()})
    return out
