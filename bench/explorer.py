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
    ("cases by month × case type", ("cases", "breaches"), ("month",), ("case_type",), ()),
    ("cases by region × priority", ("cases",), ("region",), ("priority",), ()),
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
    viewers = {role: _viewer(role) for role in (Role.ANALYST, Role.SALES_MANAGER)}
    timings = _time_pivots(viewers, first, last, runs)
    result["pivots"] = timings
    result["slowest_ms"] = max(t["max_ms"] for t in timings)
    result["all_within_1s"] = result["slowest_ms"] <= 1000
    result["load_average_end"] = [round(x, 1) for x in os.getloadavg()]
    return result


# ---------------------------------------------------------------- a synthetic warehouse

SYNTHETIC = {"customers": 1_000_000, "interactions": 10_000_000, "lines": 5_000_000, "cases": 1_000_000,
             "payments": 1_000_000, "answers": 1_000_000, "responses": 100_000, "opportunities": 1_000_000}
TEAMS, STAFF, PRODUCTS, BRANDS = 20, 400, 60, 5
REGIONS = ("华东", "华南", "华北", "西南", "东北")


def _synthetic_columns(table: str, n: dict, start: dt.date, days: int) -> dict[str, str]:
    """Each column of `table` as an expression of `i` (1..rows): a deterministic spread."""
    def day_of(i: str) -> str:
        return f"DATE '{start}' + CAST(({i} * 7919) % {days} AS INTEGER)"

    def customer_of(i: str) -> str:
        return f"1 + ({i} * 48271) % {n['customers']}"

    def staff_of(i: str) -> str:
        return f"1 + ({i} * 31) % {STAFF}"

    def team_of(i: str) -> str:
        return f"1 + (({i} * 31) % {STAFF}) % {TEAMS}"

    day, customer, staff, team = day_of("i"), customer_of("i"), staff_of("i"), team_of("i")
    ts = f"CAST({day} AS TIMESTAMP) + INTERVAL 9 HOUR"
    # An order's lines (three an order, as bench/orders.py loads them) share its customer, date, owner,
    # team and status; the line's own are its product, quantity and total.
    o = "((i + 2) // 3)"
    order = {"order_id": o, "customer_id": customer_of(o), "owner_id": staff_of(o), "team_id": team_of(o),
             "order_date": day_of(o), "order_status": f"CASE WHEN {o} % 20 = 0 THEN 'draft' "
                                                     f"WHEN {o} % 20 = 1 THEN 'cancelled' ELSE 'delivered' END"}
    return {
        "dim_team": {"team_id": "i", "name": "'团队' || i", "kind": "'sales'",
                     "region": f"(ARRAY{list(REGIONS)})[1 + i % 5]"},
        "dim_staff": {"staff_id": "i", "name": "'员工' || i", "role": "'sales_rep'", "team_id": f"1 + i % {TEAMS}",
                      "is_active": "TRUE"},
        "dim_product": {"product_id": "i", "model_code": "'P' || i", "name": "'产品' || i",
                        "kind": "CASE WHEN i % 3 = 0 THEN 'service' ELSE 'product' END", "brand": "'品牌' || (i % 4)",
                        "category_id": "NULL"},
        "dim_brand": {"brand_id": "i", "name": "'品牌' || i"},
        "dim_customer": {"customer_id": "i", "kind": "CASE WHEN i % 10 = 0 THEN 'organisation' ELSE 'individual' END",
                         "brand_id": f"1 + i % {BRANDS}",
                         "lifecycle_stage":
                             "(ARRAY['prospect','new','growing','mature','at_risk','churned'])[1 + i % 6]",
                         "source": "(ARRAY['outlet','call_center','partner','web'])[1 + i % 4]", "owner_id": staff,
                         "team_id": team, "arpu": "(i % 300) + 0.5", "created_at": ts, "is_live": "i % 50 <> 0",
                         "region": f"(ARRAY{list(REGIONS)})[1 + i % 5]", "is_key_account": "i % 200 = 0",
                         "churned_at": f"CASE WHEN i % 6 = 5 THEN {ts} END", "created_date": day,
                         "churned_date": f"CASE WHEN i % 6 = 5 THEN {day} END"},
        "fact_case": {"case_id": "i", "customer_id": customer,
                      "case_type": "(ARRAY['consultation','query','complaint','fault'])[1 + i % 4]",
                      "channel": "(ARRAY['hotline','web','wechat','outlet'])[1 + i % 4]", "category_id": "NULL",
                      "priority": "1 + i % 4", "status": "(ARRAY['open','resolved','closed'])[1 + i % 3]",
                      "customer_tier": "(ARRAY['','vip','large','medium'])[1 + i % 4]", "owner_id": staff,
                      "team_id": team, "created_at": ts, "first_responded_at": ts, "resolved_at": "NULL",
                      "closed_at": "NULL", "breached_at": f"CASE WHEN i % 9 = 0 THEN {ts} END",
                      "reopen_count": "i % 5 = 0", "created_date": day, "closed_date": "NULL"},
        "fact_interaction": {"interaction_id": "i", "customer_id": customer,
                             "channel": "(ARRAY['call','visit','outlet','email','sms','wechat','web'])[1 + i % 7]",
                             "direction": "CASE WHEN i % 3 = 0 THEN 'outbound' ELSE 'inbound' END",
                             "occurred_at": ts, "staff_id": staff, "team_id": team,
                             "duration_seconds": "(i * 13) % 900", "occurred_date": day},
        "fact_order_line": {"order_line_id": "i", **order, "product_id": f"1 + (i * 31) % {PRODUCTS}",
                            "quantity": "1 + i % 3", "line_total": "((i * 7919) % 5000) + 100"},
        "fact_payment": {"payment_id": "i", "customer_id": customer, "owner_id": staff, "team_id": team,
                         "received_on": day, "amount": "((i * 7919) % 5000) + 100", "refunded": "0",
                         "method": "(ARRAY['bank','cash','wechat','alipay'])[1 + i % 4]"},
        "fact_survey_answer": {"answer_id": "i", "survey_id": "(i + 5) / 6", "customer_id": customer,
                               "case_id": "NULL", "question_type": "(ARRAY['rating_5','rating_10','nps'])[1 + i % 3]",
                               "dimension": "CASE WHEN i % 6 < 3 THEN 'overall' ELSE 'speed' END",
                               "score": "(i * 7) % 11", "score_pct": "((i * 7) % 11) * 10.0", "mode": "'sms'",
                               "answered_at": ts, "answered_date": day},
        "fact_campaign_response": {"response_id": "i", "campaign_id": "1 + i % 50", "customer_id": customer,
                                   "response_kind": "(ARRAY['opened','clicked','replied'])[1 + i % 3]",
                                   "channel": "'sms'", "lead_id": "NULL", "responded_at": ts,
                                   "responded_date": day},
        "fact_opportunity": {"opportunity_id": "i", "customer_id": customer, "owner_id": staff, "team_id": team,
                             "stage_id": "1 + i % 6", "status": "(ARRAY['open','won','lost','open','won'])[1 + i % 5]",
                             "amount": "((i * 7919) % 50000) + 1000", "probability": "(i * 13) % 100",
                             "expected_close_date": day, "created_at": ts,
                             "closed_at": f"CASE WHEN i % 5 IN (1, 2, 4) THEN {ts} END", "created_date": day,
                             "closed_date": f"CASE WHEN i % 5 IN (1, 2, 4) THEN {day} END"},
    }[table]


def build_synthetic(root, *, start: dt.date, days: int = 730, scale: float = 1.0, rollups: bool = True) -> dict:
    """Write a warehouse of SYNTHETIC × `scale` rows straight to Parquet (no PostgreSQL), then its
    rollups as a refresh does (timed apart): the explorer's timing depends on the files alone."""
    import duckdb

    from guanxi.analytics.warehouse.dates import DATE_COLUMNS, date_frame
    from guanxi.analytics.warehouse.store import Manifest, TableFiles, manifest_write
    from guanxi.analytics.warehouse.tables import DUCKDB_TYPES, TABLES

    n = {k: max(1, int(v * scale)) for k, v in SYNTHETIC.items()}
    rows = {"dim_team": TEAMS, "dim_staff": STAFF, "dim_product": PRODUCTS, "dim_brand": BRANDS,
            "dim_customer": n["customers"], "fact_case": n["cases"], "fact_interaction": n["interactions"],
            "fact_order_line": n["lines"], "fact_payment": n["payments"], "fact_survey_answer": n["answers"],
            "fact_campaign_response": n["responses"], "fact_opportunity": n["opportunities"]}
    root.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(refresh_id=1)
    started = time.perf_counter()
    writer = duckdb.connect(":memory:")
    try:
        for table in TABLES:
            expressions = _synthetic_columns(table.name, n, start, days)
            select = ", ".join(f"CAST({expressions[name]} AS {DUCKDB_TYPES[kind]}) AS {name}"
                               for name, kind in table.all_columns)
            (root / table.name).mkdir(exist_ok=True)
            name = f"{table.name}/base-1-0000.parquet"
            writer.execute(f"COPY (SELECT {select} FROM range(1, {rows[table.name]} + 1) t(i)) "
                           f"TO '{root / name}' (FORMAT parquet)")
            manifest.tables[table.name] = TableFiles(base=[name], rows=rows[table.name])
        frame = date_frame(dt.date(start.year, 1, 1), dt.date(start.year + days // 365 + 1, 12, 31))
        writer.register("frame", frame)
        (root / "dim_date").mkdir(exist_ok=True)
        casts = ", ".join(f"CAST({name} AS {DUCKDB_TYPES[kind]}) AS {name}" for name, kind in DATE_COLUMNS)
        writer.execute(f"COPY (SELECT {casts} FROM frame) TO '{root / 'dim_date/base-1.parquet'}' (FORMAT parquet)")
        manifest.tables["dim_date"] = TableFiles(base=["dim_date/base-1.parquet"], rows=len(frame))
    finally:
        writer.close()
    facts_seconds = time.perf_counter() - started
    rollup_seconds = 0.0
    if rollups:  # as a refresh writes them after the facts
        from guanxi.analytics.warehouse.rollups import rollups_write
        from guanxi.analytics.warehouse.store import connect

        started = time.perf_counter()
        reader = connect(manifest, root)
        try:
            for name, files in rollups_write(reader, root, 1, rows).items():
                manifest.tables[name] = files
                rows[name] = files.rows
        finally:
            reader.close()
        rollup_seconds = time.perf_counter() - started
    manifest_write(manifest, root)
    return {"seconds": round(facts_seconds, 1), "rollup_seconds": round(rollup_seconds, 1), "rows": rows}


def run_synthetic(*, runs: int = 3, scale: float = 1.0) -> dict:
    """The pivots over a synthetic warehouse (see `build_synthetic`) in WAREHOUSE_DIR."""
    from django.test import override_settings

    root = warehouse_dir() / "explorer-synthetic"
    start = dt.date(2025, 1, 1)
    result: dict = {"load_average_start": [round(x, 1) for x in os.getloadavg()]}
    result["build"] = build_synthetic(root, start=start, scale=scale)
    parquet = sum(path.stat().st_size for path in root.rglob("*.parquet"))
    result["parquet_mb"] = round(parquet / 2**20)
    first, last = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
    result["period"] = [first.isoformat(), last.isoformat()]
    viewers = {Role.ANALYST: User(pk=10**9, id=10**9, role=Role.ANALYST, is_active=True),
               Role.SALES_MANAGER: User(pk=10**9 + 1, id=10**9 + 1, role=Role.SALES_MANAGER, team_id=3,
                                        is_active=True)}
    with override_settings(WAREHOUSE_DIR=str(root)):
        result["pivots"] = _time_pivots(viewers, first, last, runs)
    result["rollup_increment"] = time_rollup_increment(root, start=start)
    with override_settings(WAREHOUSE_DIR=str(root)):  # the same pivots after the day's increment
        result["pivots_after_increment"] = _time_pivots(viewers, first, last, 1)
    result["slowest_ms"] = max(t["max_ms"] for t in result["pivots"])
    result["all_within_1s"] = result["slowest_ms"] <= 1000
    result["load_average_end"] = [round(x, 1) for x in os.getloadavg()]
    return result


def _time_pivots(viewers: dict, first: dt.date, last: dt.date, runs: int) -> list[dict]:
    timings = []
    for role, user in viewers.items():
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
            timings.append({"pivot": name, "as": str(role), "cells": cells,
                            "median_ms": round(statistics.median(seconds) * 1000),
                            "max_ms": round(max(seconds) * 1000), "total": pivot.total})
    return timings


DAY_OF_ACTIVITY = {"fact_interaction": 10_000, "fact_case": 1_000, "fact_order_line": 7_500, "fact_payment": 1_000}


def time_rollup_increment(root, *, start: dt.date, days: int = 730, customers_changed: int = 2_000) -> dict:
    """What an incremental refresh adds for the rollups after a day of activity on the synthetic
    warehouse: a delta file per fact with that day's new rows (the sizes `bench warehouse` writes)
    and one of customers whose ARPU changed, then the rollups brought up to date (only the months the
    changes touch are recomputed). Times that last step; the new manifest is then the warehouse's."""
    import duckdb

    from guanxi.analytics.warehouse.rollups import rollups_write
    from guanxi.analytics.warehouse.store import TableFiles, connect, create_views, manifest_read, manifest_write
    from guanxi.analytics.warehouse.tables import DUCKDB_TYPES, TABLES

    previous = manifest_read(root)
    current = manifest_read(root)
    current.refresh_id = previous.refresh_id + 1
    last = start + dt.timedelta(days=days - 1)
    n = {k: int(v) for k, v in SYNTHETIC.items()}
    writer = duckdb.connect(":memory:")
    try:
        for table in TABLES:
            if table.name not in DAY_OF_ACTIVITY and table.name != "dim_customer":
                continue
            expressions = _synthetic_columns(table.name, n, start, days)
            if table.name == "dim_customer":  # existing customers, spread over the ids, ARPU changed
                step = n["customers"] // customers_changed
                source = f"(SELECT i * {step} AS i FROM range(1, {customers_changed} + 1) r(i))"
                expressions = {**expressions, "arpu": "(i % 300) + 1.5"}
            else:
                first = previous.tables[table.name].rows + 1
                source = f"(SELECT i FROM range({first}, {first + DAY_OF_ACTIVITY[table.name]}) r(i))"
                for name, kind in table.all_columns:  # new rows: dated the last day
                    if name in (table.local_dates or {}) or name in ("order_date", "received_on"):
                        expressions = {**expressions, name: f"DATE '{last}'"}
                    elif kind == "ts" and name in table.local_dates.values():
                        expressions = {**expressions, name: f"TIMESTAMP '{last} 09:00:00'"}
            select = ", ".join(f"CAST({expressions[name]} AS {DUCKDB_TYPES[kind]}) AS {name}"
                               for name, kind in table.all_columns)
            relative = f"{table.name}/delta-{current.refresh_id}.parquet"
            writer.execute(f"COPY (SELECT {select}, {current.refresh_id} AS version_, FALSE AS is_deleted_ "
                           f"FROM {source} t) TO '{root / relative}' (FORMAT parquet)")
            files = current.tables[table.name]
            current.tables[table.name] = TableFiles(base=files.base, delta=[*files.delta, relative], rows=files.rows,
                                                    delta_rows=files.delta_rows + DAY_OF_ACTIVITY.get(
                                                        table.name, customers_changed))
    finally:
        writer.close()
    started = time.perf_counter()
    reader = connect(current, root)
    try:
        create_views(reader, previous, root, prefix="old_")
        fact_rows = {name: files.rows + files.delta_rows for name, files in current.tables.items()}
        for name, files in rollups_write(reader, root, current.refresh_id, fact_rows, previous, current).items():
            current.tables[name] = files
    finally:
        reader.close()
    seconds = time.perf_counter() - started
    manifest_write(current, root)
    return {"rollup_seconds": round(seconds, 1), "load_average": [round(x, 1) for x in os.getloadavg()]}
