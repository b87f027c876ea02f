"""Set-based reads of the value inputs and bulk writes of the snapshots.

Reads: four GROUP BY queries (customers with their strategic weight; transactions per customer
and day, then per customer; holdings per customer and product kind, then per customer;
interactions per customer), each one pass over its table. On PostgreSQL the results stream out
with COPY … TO STDOUT as CSV and are parsed by pyarrow; on SQLite they are fetched as rows.

Writes: on PostgreSQL the new snapshot is COPYed into a staging table that gets the same
primary key and indexes, then swapped for the old table in the caller's transaction (readers see
the old snapshot until the commit and wait only for the swap itself). On SQLite the rows are
replaced with batched inserts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils import timezone

from guanxi.core.copy import frame_csv_chunks, query_frame
from guanxi.customers.enums import InteractionChannel, TransactionKind

from .compute import CUSTOMER_COLUMNS, EFFORT_COLUMNS, HOLDING_COLUMNS, PURCHASE_COLUMNS, ValueConfig
from .effort import EFFORT_SOURCES
from .models import CustomerValueSnapshot

SQLITE_BATCH = 2_000

# ---------------------------------------------------------------- reading


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _dialect(dialect: str | None) -> str:
    """Where the reads run: the database ("postgresql", "sqlite") or "spark" over its tables."""
    return dialect or connection.vendor


def _day(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"({column} AT TIME ZONE %(tz)s)::date"
    if dialect == "spark":
        return f"to_date(from_utc_timestamp({column}, %(tz)s))"
    return f"django_datetime_cast_date({column}, %(tz)s, 'UTC')"


def _date_param(value: dt.date, dialect: str):
    return value.isoformat() if dialect == "sqlite" else value


def _frame(sql: str, params: dict, columns: tuple[str, ...], dialect: str) -> pd.DataFrame:
    # Columns by position: the queries name their columns in this order.
    if dialect == "spark":
        from guanxi.core.spark import spark_query_frame

        return spark_query_frame(sql, params, columns)
    return query_frame(sql, params, columns)


def _bounds(config: ValueConfig, dialect: str) -> dict:
    tz = timezone.get_default_timezone()

    def start_of(day: dt.date):
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        if dialect != "sqlite":
            return moment
        # SQLite keeps UTC as text, as Django writes it; compare like with like.
        return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    d12 = config.as_of - dt.timedelta(days=365)
    d24 = config.as_of - dt.timedelta(days=730)
    since = config.as_of - dt.timedelta(days=config.history_days)
    return {
        "tz": settings.TIME_ZONE, "since": start_of(since), "until": start_of(config.as_of + dt.timedelta(days=1)),
        "since12": start_of(d12 + dt.timedelta(days=1)), "d12": _date_param(d12 + dt.timedelta(days=1), dialect),
        "d24": _date_param(d24 + dt.timedelta(days=1), dialect),
        "order": TransactionKind.ORDER.value, "bill": TransactionKind.BILL.value,
        "payment": TransactionKind.PAYMENT.value, "refund": TransactionKind.REFUND.value,
        "outlet": InteractionChannel.OUTLET.value, "active": "active",
    }


def read_customers(config: ValueConfig, dialect: str | None = None) -> pd.DataFrame:
    dialect = _dialect(dialect)
    sql = f"""
        SELECT c.id, c.kind, c.brand_id, c.arpu, c.lifecycle_stage, {_day("c.created_at", dialect)} AS created_on,
               c.credit_level, c.credit_limit, c.overdue_count, c.balance, COALESCE(w.weight, 0) AS strategic_weight
        FROM customers_customer c LEFT JOIN segments_strategicweight w ON w.customer_id = c.id
        WHERE c.deleted_at IS NULL
    """  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    return _frame(sql, _bounds(config, dialect), CUSTOMER_COLUMNS, dialect)


def read_purchases(config: ValueConfig, dialect: str | None = None) -> pd.DataFrame:
    """Per customer: purchase days (days with an order or a bill) and their dates, spend and
    refunds per year, bills and payments of the last year, months with a purchase."""
    dialect = _dialect(dialect)
    month = "substr(day, 1, 7)" if dialect == "sqlite" else "date_trunc('month', day)"
    sql = f"""
        WITH daily AS (
            SELECT t.customer_id, {_day("t.occurred_at", dialect)} AS day,
                   SUM(CASE WHEN t.kind IN (%(order)s, %(bill)s) THEN t.amount ELSE 0 END) AS spend,
                   SUM(CASE WHEN t.kind IN (%(order)s, %(bill)s) THEN 1 ELSE 0 END) AS purchases,
                   SUM(CASE WHEN t.kind = %(refund)s THEN t.amount ELSE 0 END) AS refunds,
                   SUM(CASE WHEN t.kind = %(payment)s THEN t.amount ELSE 0 END) AS paid,
                   SUM(CASE WHEN t.kind = %(bill)s THEN t.amount ELSE 0 END) AS billed
            FROM customers_transaction t
            WHERE t.occurred_at >= %(since)s AND t.occurred_at < %(until)s
            GROUP BY 1, 2
        ), months AS (
            SELECT customer_id, COUNT(*) AS active_months_12m FROM (
                SELECT customer_id, {month} AS month FROM daily
                WHERE purchases > 0 AND day >= %(d12)s GROUP BY 1, 2
            ) m GROUP BY customer_id
        ), per_customer AS (
            SELECT customer_id,
                   MIN(CASE WHEN purchases > 0 THEN day END) AS first_purchase,
                   MAX(CASE WHEN purchases > 0 THEN day END) AS last_purchase,
                   SUM(CASE WHEN purchases > 0 THEN 1 ELSE 0 END) AS purchase_days,
                   SUM(CASE WHEN purchases > 0 AND day >= %(d12)s THEN 1 ELSE 0 END) AS purchase_days_12m,
                   SUM(spend) AS spend_total,
                   SUM(CASE WHEN day >= %(d12)s THEN spend ELSE 0 END) AS spend_12m,
                   SUM(CASE WHEN day >= %(d24)s AND day < %(d12)s THEN spend ELSE 0 END) AS spend_prev_12m,
                   SUM(refunds) AS refunds_total,
                   SUM(CASE WHEN day >= %(d12)s THEN refunds ELSE 0 END) AS refunds_12m,
                   SUM(CASE WHEN day >= %(d24)s AND day < %(d12)s THEN refunds ELSE 0 END) AS refunds_prev_12m,
                   SUM(CASE WHEN day >= %(d12)s THEN paid ELSE 0 END) AS paid_12m,
                   SUM(CASE WHEN day >= %(d12)s THEN billed ELSE 0 END) AS billed_12m
            FROM daily GROUP BY customer_id
        )
        SELECT p.customer_id, p.first_purchase, p.last_purchase, p.purchase_days, p.purchase_days_12m,
               COALESCE(m.active_months_12m, 0), COALESCE(d.spend, 0) AS first_day_spend, p.spend_total,
               p.spend_12m, p.spend_prev_12m, p.refunds_total, p.refunds_12m, p.refunds_prev_12m,
               p.paid_12m, p.billed_12m
        FROM per_customer p
        LEFT JOIN months m ON m.customer_id = p.customer_id
        LEFT JOIN daily d ON d.customer_id = p.customer_id AND d.day = p.first_purchase
    """  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    return _frame(sql, _bounds(config, dialect), PURCHASE_COLUMNS, dialect)


def read_holdings(config: ValueConfig, dialect: str | None = None) -> pd.DataFrame:
    """Per customer: kinds (category, else product name) of our products held and active, how
    many of ours and of competitors' are active, and when the first of ours started."""
    sql = """
        SELECT customer_id, SUM(own_kind), SUM(own_active), SUM(competitor_active), MIN(first_started)
        FROM (
            SELECT h.customer_id, COALESCE(NULLIF(h.category, ''), h.product) AS kind_key,
                   MAX(CASE WHEN h.status = %(active)s AND NOT h.is_competitor THEN 1 ELSE 0 END) AS own_kind,
                   SUM(CASE WHEN h.status = %(active)s AND NOT h.is_competitor THEN 1 ELSE 0 END) AS own_active,
                   SUM(CASE WHEN h.status = %(active)s AND h.is_competitor THEN 1 ELSE 0 END) AS competitor_active,
                   MIN(CASE WHEN NOT h.is_competitor THEN h.started_on END) AS first_started
            FROM customers_holding h GROUP BY 1, 2
        ) k GROUP BY customer_id
    """
    dialect = _dialect(dialect)
    return _frame(sql, _bounds(config, dialect), HOLDING_COLUMNS, dialect)


def read_effort(config: ValueConfig, dialect: str | None = None) -> pd.DataFrame:
    """Per customer in the last year: contacts, minutes in contact, visits to an outlet, and the
    other modules' effort (EFFORT_SOURCES)."""
    sql = """
        SELECT customer_id, COUNT(*), SUM(COALESCE(duration_seconds, 0)),
               SUM(CASE WHEN channel = %(outlet)s THEN 1 ELSE 0 END), 0
        FROM customers_interaction
        WHERE occurred_at >= %(since12)s AND occurred_at < %(until)s
        GROUP BY customer_id
    """
    dialect = _dialect(dialect)
    frame = _frame(sql, _bounds(config, dialect), EFFORT_COLUMNS, dialect)
    tz = timezone.get_default_timezone()
    since12 = dt.datetime.combine(config.as_of - dt.timedelta(days=364), dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(config.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    for source in EFFORT_SOURCES:
        extra = source(since12, until)
        if extra is None or extra.empty:
            continue
        extra = extra.groupby("customer_id", as_index=False)["effort"].sum()
        frame = frame.merge(extra, on="customer_id", how="outer")
        frame["effort_12m"] = frame["effort_12m"].fillna(0) + frame.pop("effort").fillna(0)
        frame = frame.fillna(0)
    return frame


def read_inputs(config: ValueConfig, progress: Callable[[str], None] | None = None, *, engine: str | None = None):
    """The four input frames, read by the database or, with `engine="spark"` (default:
    settings.BATCH_ENGINE), aggregated on Spark from the tables handed to it as Parquet."""
    from guanxi.core.spark import batch_engine

    dialect = None
    if (engine or batch_engine()) == "spark":
        from guanxi.core.spark import table_to_spark

        for table, columns in SPARK_SOURCES.items():
            table_to_spark(table, columns)
        dialect = "spark"
    frames = []
    for label, reader in (("customers", read_customers), ("transactions", read_purchases),
                          ("holdings", read_holdings), ("interactions", read_effort)):
        if progress:
            progress(f"read {label}")
        frames.append(reader(config, dialect))
    return frames


# What the reads use of each table, with the warehouse's column kinds (guanxi.core.spark).
SPARK_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "customers_customer": (("id", "int"), ("kind", "str"), ("brand_id", "int"), ("arpu", "money"),
                           ("lifecycle_stage", "str"), ("created_at", "ts"), ("credit_level", "str"),
                           ("credit_limit", "money"), ("overdue_count", "int"), ("balance", "money"),
                           ("deleted_at", "ts")),
    "segments_strategicweight": (("id", "int"), ("customer_id", "int"), ("weight", "int")),
    "customers_transaction": (("id", "int"), ("customer_id", "int"), ("kind", "str"), ("amount", "money"),
                              ("occurred_at", "ts")),
    "customers_holding": (("id", "int"), ("customer_id", "int"), ("category", "str"), ("product", "str"),
                          ("status", "str"), ("is_competitor", "bool"), ("started_on", "date")),
    "customers_interaction": (("id", "int"), ("customer_id", "int"), ("channel", "str"),
                              ("duration_seconds", "int"), ("occurred_at", "ts")),
}


# ---------------------------------------------------------------- writing

SNAPSHOT_FIELDS = [f for f in CustomerValueSnapshot._meta.concrete_fields]
SNAPSHOT_COLUMNS = [f.column for f in SNAPSHOT_FIELDS]
INTEGER_COLUMNS = {f.column for f in SNAPSHOT_FIELDS if f.get_internal_type().endswith("IntegerField")}
INTEGER_COLUMNS |= {"customer_id", "run_id"}
MONEY_COLUMNS = {f.column for f in SNAPSHOT_FIELDS if f.get_internal_type() == "DecimalField"}
DATE_COLUMNS = {f.column for f in SNAPSHOT_FIELDS if f.get_internal_type() == "DateField"}
FLOAT_COLUMNS = {f.column for f in SNAPSHOT_FIELDS if f.get_internal_type() == "FloatField"}


def snapshot_table(frame: pd.DataFrame, *, run_id: int, computed_at: dt.datetime) -> pd.DataFrame:
    """The frame in the snapshot table's column order and types (nullable integers, rounded
    money and scores)."""
    table = pd.DataFrame(index=frame.index)
    for column in SNAPSHOT_COLUMNS:
        if column == "run_id":
            table[column] = run_id
        elif column == "computed_at":
            moment = computed_at.astimezone(dt.UTC)
            # SQLite keeps naive UTC text, as Django writes it; PostgreSQL takes the offset.
            table[column] = moment.isoformat() if _is_postgres() else moment.replace(tzinfo=None).isoformat(" ")
        elif column in INTEGER_COLUMNS:
            table[column] = pd.array(np.round(frame[column].astype(float)), dtype="Int64")
        elif column in MONEY_COLUMNS:
            table[column] = frame[column].astype(float).round(2)
        elif column in FLOAT_COLUMNS:
            table[column] = frame[column].astype(float).round(6)
        elif column in DATE_COLUMNS:
            table[column] = pd.to_datetime(frame[column], errors="coerce").dt.date
        else:
            table[column] = frame[column].fillna("").astype(str)
    return table


def write_snapshots(frame: pd.DataFrame, *, run_id: int, computed_at: dt.datetime) -> int:
    """Replace every snapshot row with `frame`'s; call inside a transaction."""
    table = snapshot_table(frame, run_id=run_id, computed_at=computed_at)
    if _is_postgres():
        _swap_postgres(table)
    else:
        _replace_sqlite(table)
    return len(table)


def _swap_postgres(table: pd.DataFrame) -> None:
    name = CustomerValueSnapshot._meta.db_table
    staging = f"{name}__next"
    columns = ", ".join(SNAPSHOT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(f"CREATE TABLE {staging} (LIKE {name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            for chunk in frame_csv_chunks(table):
                copy.write(chunk)
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [name])
        primary_key = cursor.fetchone()[0]
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = %s", [name])
        indexes = [(index, definition) for index, definition in cursor.fetchall() if index != primary_key]
        cursor.execute(f"ALTER TABLE {staging} ADD CONSTRAINT {primary_key}__next PRIMARY KEY (customer_id)")
        for index, definition in indexes:
            definition = re.sub(rf"INDEX {re.escape(index)} ON (\S+\.)?{re.escape(name)} ",
                                rf"INDEX {index}__next ON \g<1>{staging} ", definition, count=1)
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {staging}")
        cursor.execute(f"LOCK TABLE {name} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"DROP TABLE {name}")
        cursor.execute(f"ALTER TABLE {staging} RENAME TO {name}")
        cursor.execute(f"ALTER TABLE {name} RENAME CONSTRAINT {primary_key}__next TO {primary_key}")
        for index, _ in indexes:
            cursor.execute(f"ALTER INDEX {index}__next RENAME TO {index}")


def _replace_sqlite(table: pd.DataFrame) -> None:
    name = CustomerValueSnapshot._meta.db_table
    placeholders = ", ".join(["%s"] * len(SNAPSHOT_COLUMNS))
    sql = f"INSERT INTO {name} ({', '.join(SNAPSHOT_COLUMNS)}) VALUES ({placeholders})"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    rows = table.astype(object).where(table.notna(), None)
    for column in DATE_COLUMNS:
        rows[column] = [d.isoformat() if d is not None else None for d in rows[column]]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {name}")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        batch = []
        for row in rows.itertuples(index=False, name=None):
            batch.append(tuple(_plain(v) for v in row))
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _plain(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value
