"""Pool benchmark (`guanxi bench pool_sweep`): the 公海 recycling sweep over every customer.

Prepares, on PostgreSQL, after `guanxi bench generate`: every bench customer owned by one of the
bench sales representatives (bench/sales.py), a staff follow-up (an interaction by the owner) for
each customer at a random moment of the last 45 days and, for a third of them, an older one too;
four recycling rules like a real company's (no follow-up for 30 working days with a 5-day warning,
no deal won in 180 days for the small and medium tiers, contract ended 90 days, leads untouched
for 14 days). Then times `pool_sweep` twice: the first run returns and warns what the data make
due; the second is the steady state of a nightly run (nothing new is due).
"""

from __future__ import annotations

import time

from django.db import connection
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Customer, Interaction
from guanxi.pool.enums import DayKind, RecordKind, RuleKind
from guanxi.pool.models import PoolEvent, PoolRule, PoolWarning
from guanxi.pool.services import pool_sweep, rule_save

from .sales import ensure_sales_setup

RULES = [
    {"name": "bench 30 working days", "kind": RuleKind.NO_FOLLOW_UP, "applies_to": RecordKind.CUSTOMER, "days": 30,
     "day_kind": DayKind.WORKING, "warn_days": 5},
    {"name": "bench 180 days no deal", "kind": RuleKind.NO_WON_DEAL, "applies_to": RecordKind.CUSTOMER, "days": 180,
     "day_kind": DayKind.CALENDAR, "warn_days": 10, "tiers": ["small", "medium"]},
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
    reps = [u.pk for u in ensure_sales_setup()["reps"]]
    started = time.perf_counter()
    customers, interactions = Customer._meta.db_table, Interaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 100])
        cursor.execute(f"UPDATE {customers} SET owner_id = (%s::bigint[])[1 + id %% %s], "
                       f"created_at = LEAST(created_at, now() - interval '200 days')", [reps, len(reps)])
        cursor.execute(f"INSERT INTO {interactions} (customer_id, channel, direction, occurred_at, staff_id, subject, "
                       f"content, created_at) SELECT id, 'call', 'outbound', now() - random() * interval '45 days', "
                       f"owner_id, '回访', '', now() FROM {customers}")
        cursor.execute(f"INSERT INTO {interactions} (customer_id, channel, direction, occurred_at, staff_id, subject, "
                       f"content, created_at) SELECT id, 'visit', 'outbound', now() - interval '60 days' - random() * "
                       f"interval '300 days', owner_id, '拜访', '', now() FROM {customers} WHERE id %% 3 = 0")
        cursor.execute(f"ANALYZE {customers}")
        cursor.execute(f"ANALYZE {interactions}")
    PoolRule.objects.filter(name__startswith="bench ").delete()
    for data in RULES:
        rule_save(actor=SYSTEM, data=data)
    return {"prepare_s": round(time.perf_counter() - started, 1)}


def time_sweep() -> dict:
    """Two sweeps, timed: the first returns and warns what is due, the second finds nothing new."""
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        result = pool_sweep(actor=SYSTEM, now=timezone.now())
        runs.append({**result, "seconds": round(time.perf_counter() - started, 2)})
    return {"runs": runs, "tables": _table_sizes()}
