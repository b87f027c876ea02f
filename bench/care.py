"""Care benchmark (`guanxi bench care`): the daily care run over every customer.

Prepares, on PostgreSQL, after `guanxi bench generate`: one customer with a birth date in seven
keeping a lunar birthday, an active contract for one owned customer in twenty (signed on a day of
2020–2025), and four rules like a company's: birthday SMS greetings (solar and lunar), 春节 and
中秋 SMS greetings (the 中秋 one with a budget paying for exactly 100,000 greetings) and contract
anniversary visits (tasks for the owner, three days ahead). Then times:
- an ordinary day (2026-06-16: birthdays, lunar birthdays and anniversaries only), twice — the
  second run is the idempotent repeat and must add nothing;
- 中秋 2026-09-25: the 100,000 greetings queued in bulk, twice (the repeat adds nothing).
Messages are queued, not delivered (delivery is the messaging worker's, timed apart).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.care.enums import ActionKind, CareChannel, Festival, OccasionKind
from guanxi.care.models import CareAction, CareProfile, CareRule
from guanxi.care.services import care_rule_save, care_run
from guanxi.customers.models import Customer
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.orders.models import Contract
from guanxi.tasks.models import Task

ORDINARY_DAY, MID_AUTUMN = dt.date(2026, 6, 16), dt.date(2026, 9, 25)
GREETINGS = 100_000
SMS_COST = Decimal("0.05")
RULES = [
    {"name": "bench birthday", "occasion": OccasionKind.BIRTHDAY, "action": ActionKind.GREETING,
     "channel": CareChannel.SMS, "template": "尊敬的{name}，祝您生日快乐！", "cost_per_action": SMS_COST},
    {"name": "bench spring festival", "occasion": OccasionKind.LUNAR_FESTIVAL, "occasion_key": Festival.SPRING,
     "action": ActionKind.GREETING, "channel": CareChannel.SMS, "template": "{name}您好，新春快乐！",
     "cost_per_action": SMS_COST},
    {"name": "bench mid-autumn", "occasion": OccasionKind.LUNAR_FESTIVAL, "occasion_key": Festival.MID_AUTUMN,
     "action": ActionKind.GREETING, "channel": CareChannel.SMS, "template": "{name}您好，中秋快乐！",
     "cost_per_action": SMS_COST, "budget": SMS_COST * GREETINGS},
    {"name": "bench contract anniversary", "occasion": OccasionKind.CONTRACT_ANNIVERSARY, "lead_days": 3,
     "action": ActionKind.VISIT, "channel": CareChannel.TASK, "cost_per_action": Decimal("50")},
]


def _table_sizes() -> dict:
    tables = {"customers": Customer, "care_profiles": CareProfile, "contracts": Contract, "care_actions": CareAction,
              "outbound_messages": OutboundMessage, "tasks": Task}
    out = {}
    with connection.cursor() as cursor:
        for label, model in tables.items():
            table = model._meta.db_table
            cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            count, size = cursor.fetchone()
            out[label] = {"rows": count, "size": size}
    return out


def prepare() -> dict:
    """Lunar keepers, contracts and the rules; earlier bench care data removed first."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the care bench runs on PostgreSQL")
    if not Customer.objects.exists():
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    started = time.perf_counter()
    customers, profiles, contracts = (Customer._meta.db_table, CareProfile._meta.db_table,
                                      Contract._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CareAction._meta.db_table} WHERE rule_id IN "
                       f"(SELECT id FROM {CareRule._meta.db_table} WHERE name LIKE 'bench %%')")
        cursor.execute(f"DELETE FROM {profiles}")
        cursor.execute(f"INSERT INTO {profiles} (customer_id, birthday_calendar) SELECT id, 'lunar' FROM {customers} "
                       f"WHERE birth_date IS NOT NULL AND id % 7 = 0")
        cursor.execute(f"DELETE FROM {contracts} WHERE number LIKE 'BENCH-%%'")
        cursor.execute(
            f"INSERT INTO {contracts} (number, title, status, amount, signed_on, starts_on, ends_on, reminder_days, "
            f"customer_id, owner_id, created_at, updated_at) SELECT 'BENCH-' || id, '年度服务合同', 'active', 100000, "
            f"date '2020-01-01' + (id % 2190)::int, date '2020-01-01' + (id % 2190)::int, date '2030-12-31', 30, "
            f"id, owner_id, now(), now() FROM {customers} WHERE owner_id IS NOT NULL AND id % 20 = 0")
        for table in (profiles, contracts):
            cursor.execute(f"VACUUM ANALYZE {table}")
    CareRule.objects.filter(name__startswith="bench ").delete()
    for data in RULES:
        care_rule_save(actor=SYSTEM, data=data)
    return {"prepare_s": round(time.perf_counter() - started, 1)}


def _timed(day: dt.date) -> dict:
    started = time.perf_counter()
    result = care_run(actor=SYSTEM, day=day, deliver=False)
    return {**result, "day": day.isoformat(), "seconds": round(time.perf_counter() - started, 2),
            "load_average": [round(v, 2) for v in os.getloadavg()]}


def time_runs() -> dict:
    """An ordinary day and 中秋, each run twice (the repeat adds nothing)."""
    runs = [_timed(ORDINARY_DAY), _timed(ORDINARY_DAY), _timed(MID_AUTUMN), _timed(MID_AUTUMN)]
    return {"runs": runs, "tables": _table_sizes()}
