"""`guanxi bench explorer`: pivots of the OLAP explorer over a year of the star schema, timed in-process
as the page and the API call them (SQL built, DuckDB run over the Parquet files, cells shaped), as an
analyst (every row) and as a sales manager (their team's rows only). Loads order lines and interactions
first when the database has fewer than asked (bench/orders.py, bench/history.py), and rebuilds the
warehouse unless told not to. Target: each pivot ≤ 1 s."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.analytics.explorer.query import ExplorerQuery, Filter, explorer_run
from guanxi.analytics.services import warehouse_refresh
from guanxi.analytics.warehouse.store import manifest_read, warehouse_dir

# (name, measures, rows, columns, filters): the pivots a user builds in a year's exploring.
PIVOTS = (
    ("revenue by month × team", ("revenue", "order_lines"), ("month",), ("team",), ()),
    ("revenue by product × quarter", ("revenue", "quantity"), ("product",), ("quarter",), ()),
    ("ARPU by quarter × region", ("buying_customers", "arpu"), ("quarter",), ("region",), ()),
    ("interactions by month × channel", ("interactions", "talk_minutes"), ("month",), ("channel",), ()),
    ("interactions by week × direction", ("interactions",), ("week",), ("direction",), ()),
    ("interactions by lifecycle × customer kind", ("interactions",), ("lifecycle_stage",), ("customer_kind",), ()),
    ("new customers by month × source", ("new_customers",), ("month",), ("customer_source",), ()),
    ("revenue + contacts by month (drilled: one quarter)", ("revenue", "interactions"), ("month",), (),
     (("quarter", "Q"),)),
    ("revenue by representative × month", ("revenue",), ("representative",), ("month",), ()),
)


def _sizes() -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in ("customers_customer", "customers_interaction", "orders_orderline", "orders_payment",
                      "servicedesk_ticket"):
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    manifest = manifest_read()
    parquet = sum(path.stat().st_size for path in warehouse_dir().rglob("*.parquet"))
    sizes["warehouse"] = {"rows": {name: files.rows + files.delta_rows for name, files in manifest.tables.items()},
                          "parquet_mb": round(parquet / 2**20)}
    return sizes


def _ensure_data(*, lines: int, interactions: int, seed: int) -> dict:
    from bench.history import generate_history
    from bench.orders import generate_orders

    loaded = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM orders_orderline")
        have_lines = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM customers_interaction")
        have_interactions = cursor.fetchone()[0]
    if have_lines < lines:
        loaded["orders"] = generate_orders(lines=lines - have_lines, seed=seed)
    if have_interactions < interactions:
        result = generate_history(interactions=interactions - have_interactions, transactions=0, seed=seed,
                                  progress=False)
        loaded["interactions_seconds"] = round(result.load_seconds + result.index_seconds, 1)
    return loaded


def _viewer(role: str) -> User:
    from bench.sales import ensure_sales_setup

    if role == Role.SALES_MANAGER:
        return ensure_sales_setup()["managers"][0]
    user = User.objects.filter(username="bench_explorer_analyst").first()
    if user is None:
        from guanxi.accounts.services import user_create

        user = user_create(actor=SYSTEM, username="bench_explorer_analyst", password="bench-Explorer-2026!",
                           role=Role.ANALYST, validate=False, display_name="分析师")
    return user


def _year() -> tuple[dt.date, dt.date]:
    """The last full year that has order lines (the bench loaders spread two to three years)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(order_date) FROM orders_orderline")
        last = cursor.fetchone()[0] or dt.date.today()
    return last - dt.timedelta(days=364), last


def run(*, refresh: bool = True, runs: int = 3, lines: int = 5_000_000, interactions: int = 10_000_000,
        seed: int = 5, load: bool = True) -> dict:
    result: dict = {"load_average_start": [round(x, 1) for x in os.getloadavg()]}
    if load:
        result["loaded"] = _ensure_data(lines=lines, interactions=interactions, seed=seed)
    if refresh:
        started = time.perf_counter()
        warehouse_refresh(actor=SYSTEM, full=True)
        result["full_refresh_seconds"] = round(time.perf_counter() - started, 1)
    result["sizes"] = _sizes()
    first, last = _year()
    result["period"] = [first.isoformat(), last.isoformat()]
    timings = []
    for role in (Role.ANALYST, Role.SALES_MANAGER):
        user = _viewer(role)
        for name, measures, rows, columns, filters in PIVOTS:
            resolved = tuple(Filter(d, ((last.year * 10 + (last.month - 1) // 3),) if v == "Q" else (v,))
                             for d, v in filters)
            query = ExplorerQuery(measures=measures, rows=rows, columns=columns, filters=resolved,
                                  date_from=first, date_to=last)
            seconds, cells = [], 0
            for _ in range(runs):
                started = time.perf_counter()
                pivot = explorer_run(user=user, query=query)
                seconds.append(time.perf_counter() - started)
                cells = len(pivot.row_headers) * max(len(pivot.column_headers), 1)
            timings.append({"pivot": name, "as": role, "cells": cells,
                            "median_ms": round(statistics.median(seconds) * 1000),
                            "max_ms": round(max(seconds) * 1000),
                            "total": pivot.total})
    result["pivots"] = timings
    result["slowest_ms"] = max(t["max_ms"] for t in timings)
    result["all_within_1s"] = result["slowest_ms"] <= 1000
    result["load_average_end"] = [round(x, 1) for x in os.getloadavg()]
    return result
