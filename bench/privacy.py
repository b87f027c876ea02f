"""Personal data rights benchmark (`guanxi bench privacy`): on the database as it is (e.g. a copy of
the 1M-customer bench database), export and erase `--people` customers picked with a seed, timing
each. Every erasure runs in full and is rolled back, so the run can be repeated on the same data.
Reports p50/p95/max per operation, the load average and the sizes of the tables walked most."""

from __future__ import annotations

import os
import random
import statistics
import time

from django.db import connection, transaction

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Customer
from guanxi.privacy.services import customer_data_export, erasure_execute, erasure_request, erasure_review

TABLES = ("customers_customer", "customers_historicalcustomer", "customers_interaction", "servicedesk_ticket",
          "orders_order", "surveys_answer", "messaging_outboundmessage")


class _RolledBack(Exception):
    pass


def table_sizes() -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    return sizes


def _people(count: int, seed: int) -> list[int]:
    high = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(seed)
    picked = []
    while len(picked) < count and high:
        pk = rng.randint(1, high)
        if pk not in picked and Customer.objects.filter(pk=pk).exists():
            picked.append(pk)
    return picked


def _erase(customer: Customer) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            request = erasure_request(actor=SYSTEM, customer=customer, note="bench")
            erasure_review(actor=SYSTEM, request=request, approve=True)
            erasure_execute(actor=SYSTEM, request=request)
            elapsed = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        return elapsed


def _export(customer: Customer) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            customer_data_export(actor=SYSTEM, customer=customer)
            elapsed = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        return elapsed


def _summary(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"runs": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1),
            "max_ms": round(ms[-1], 1)}


def run(*, people: int, seed: int) -> dict:
    chosen = [Customer.objects.get(pk=pk) for pk in _people(people, seed)]
    exports = [_export(c) for c in chosen]
    erasures = [_erase(c) for c in chosen]
    return {"people": len(chosen), "export": _summary(exports), "erasure": _summary(erasures),
            "load_average": [round(x, 1) for x in os.getloadavg()], "tables": table_sizes()}
