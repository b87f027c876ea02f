"""`guanxi bench warehouse`: time the star schema's full rebuild on the data as it is, then a day of
activity (contacts, cases, orders, customers changed) and the incremental refresh that follows."""

from __future__ import annotations

import os
import time

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.services import warehouse_refresh
from guanxi.analytics.warehouse.store import warehouse_dir

SOURCE_TABLES = ("customers_customer", "customers_interaction", "servicedesk_ticket", "orders_order",
                 "orders_orderline", "orders_payment")


def table_sizes() -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in SOURCE_TABLES:
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    return sizes


def _directory_size() -> str:
    total = sum(path.stat().st_size for path in warehouse_dir().rglob("*.parquet"))
    return f"{total / 2**20:,.0f} MB"


def _timed_refresh(full: bool) -> dict:
    started = time.perf_counter()
    run = warehouse_refresh(actor=SYSTEM, full=full)
    return {"seconds": round(time.perf_counter() - started, 1), "rows": run.rows,
            "load_average": [round(x, 1) for x in os.getloadavg()]}


def a_day_of_activity(*, interactions: int, cases: int, lines: int, customers: int, seed: int) -> dict:
    """What a working day writes, through the benchmark loaders (captured by the triggers as any
    write is): contacts, cases, orders with their lines, and customers whose data changed."""
    from bench.cases import generate_cases
    from bench.history import generate_history
    from bench.orders import generate_orders

    started = time.perf_counter()
    generate_history(interactions=interactions, transactions=0, seed=seed, progress=False, rebuild_indexes=False)
    generate_cases(cases=cases, open_cases=cases // 2, seed=seed)
    generate_orders(lines=lines, seed=seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM customers_customer")
        step = max(1, cursor.fetchone()[0] // max(customers, 1))
        cursor.execute("UPDATE customers_customer SET arpu = arpu + 1, updated_at = now() WHERE id %% %s = 0",
                       [step])
        cursor.execute("SELECT COUNT(*) FROM analytics_warehousechange")
        changes = cursor.fetchone()[0]
    return {"seconds": round(time.perf_counter() - started, 1), "changes_captured": changes}


def run(*, full: bool = True, interactions: int = 10_000, cases: int = 1_000, lines: int = 7_500,
        customers: int = 2_000, seed: int = 41) -> dict:
    if connection.vendor != "postgresql":
        raise RuntimeError("the warehouse benchmark loads its day of activity with PostgreSQL")
    result: dict = {"tables": table_sizes()}
    if full:
        result["full_rebuild"] = _timed_refresh(True)
    result["day_of_activity"] = a_day_of_activity(interactions=interactions, cases=cases, lines=lines,
                                                  customers=customers, seed=seed)
    result["incremental"] = _timed_refresh(False)
    result["warehouse_size"] = _directory_size()
    return result
