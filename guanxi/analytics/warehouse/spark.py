"""The full rebuild on Apache Spark (`BATCH_ENGINE=spark`): the source tables are handed to Spark as
Parquet (`core.spark.table_to_spark`, the columns the tables' SELECTs read), each fact and dimension
is the same `WarehouseTable.select` run as Spark SQL, and the rollups the same GROUPING SETS
statement (`rollups.rollup_statement`, Spark's dialect) over the facts just written. The files land
in the warehouse's usual layout (`<table>/base-<refresh>-NNNN.parquet`, listed in the manifest by
`refresh`), so the explorer, the dashboards and the incremental refresh read them as any other.

The date dimension and the code lists stay on the driver (a few thousand rows)."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from .rollups import ALWAYS_BELOW, PARTS, rollup_select, rollup_statement, worth_keeping
from .store import TableFiles, parquet_relation
from .tables import TABLES

LOCAL_TZ = "Asia/Shanghai"
ROLLUP_FILE_ROWS = 2_000_000
SPARK_TYPES = {"int": "BIGINT", "str": "STRING", "bool": "BOOLEAN", "float": "DOUBLE", "money": "DECIMAL(14,2)",
               # naive UTC, as the single-machine path stores it (Parquet isAdjustedToUTC=false)
               "ts": "TIMESTAMP_NTZ", "date": "DATE"}

# What the tables' SELECTs read of each operational table (their kinds come from the models).
SOURCES: dict[str, tuple[str, ...]] = {
    "customers_customer": ("id", "kind", "brand_id", "lifecycle_stage", "source", "owner_id", "team_id", "arpu",
                           "created_at", "updated_at", "deleted_at", "merged_into_id"),
    "customers_address": ("id", "customer_id", "province", "is_default"),
    "key_accounts_keyaccount": ("id", "customer_id", "is_active"),
    "servicedesk_ticket": ("id", "customer_id", "type", "channel", "category_id", "priority", "status",
                           "customer_tier", "owner_id", "team_id", "created_at", "first_responded_at",
                           "resolved_at", "closed_at", "breached_at", "reopen_count"),
    "customers_interaction": ("id", "customer_id", "channel", "direction", "occurred_at", "staff_id", "team_id",
                              "duration_seconds"),
    "orders_orderline": ("id", "order_id", "product_id", "quantity", "line_total"),
    "orders_order": ("id", "customer_id", "order_date", "status", "owner_id", "team_id"),
    "orders_payment": ("id", "customer_id", "owner_id", "team_id", "received_on", "amount", "refunded", "method"),
    "accounts_team": ("id", "name", "kind", "region"),
    "accounts_user": ("id", "display_name", "username", "role", "team_id", "is_active"),
    "catalog_product": ("id", "model_code", "name", "kind", "brand", "category_id"),
    "customers_brand": ("id", "name"),
    "surveys_answer": ("id", "response_id", "question_id", "dimension", "score", "score_pct", "answered_at"),
    "surveys_surveyresponse": ("id", "survey_id", "mode"),
    "surveys_survey": ("id", "customer_id", "ticket_id"),
    "surveys_question": ("id", "type"),
    "marketing_campaignresponse": ("id", "member_id", "kind", "channel", "lead_id", "responded_at"),
    "marketing_campaignmember": ("id", "campaign_id", "customer_id"),
    "sales_opportunity": ("id", "customer_id", "owner_id", "team_id", "stage_id", "status", "amount", "probability",
                          "expected_close_date", "created_at", "closed_at"),
}


@functools.cache
def _models_by_table() -> dict:
    from django.apps import apps

    return {model._meta.db_table: model for model in apps.get_models()}


def _kind(field) -> str:
    internal = field.get_internal_type()
    if field.is_relation:
        return _kind(field.target_field)
    if internal.endswith(("AutoField", "IntegerField")):
        return "int"
    if internal == "DecimalField":
        if field.decimal_places != 2:
            raise ValueError(f"{field}: money has 2 decimal places")
        return "money"
    return {"BooleanField": "bool", "FloatField": "float", "DateTimeField": "ts", "DateField": "date"}.get(
        internal, "str")


def source_columns(table: str) -> tuple[tuple[str, str], ...]:
    """The (name, kind) pairs `core.spark.table_to_spark` exports of the operational `table`."""
    fields = {field.column: field for field in _models_by_table()[table]._meta.concrete_fields}
    return tuple((name, _kind(fields[name])) for name in SOURCES[table])


def _write(root: Path, table: str, stem: str, frame) -> TableFiles:
    """`frame` written by the executors into a staging folder under the table's, then each part
    renamed into the table's folder (fsynced first, as every warehouse file)."""
    import duckdb

    from .refresh import _durable_replace

    staging = root / table / f".spark-{stem}"
    frame.write.mode("overwrite").parquet(str(staging))
    names = []
    for number, part in enumerate(sorted(staging.glob("part-*.parquet"))):
        names.append(f"{table}/{stem}-{number:04d}.parquet")
        _durable_replace(part, root / names[-1])
    shutil.rmtree(staging)
    reader = duckdb.connect(":memory:")
    try:
        rows = reader.execute(f"SELECT COUNT(*) FROM {parquet_relation(root, names)}").fetchall()[0][0]  # nosec B608  # file names from code
    finally:
        reader.close()
    return TableFiles(base=names, rows=rows)


def _typed(table) -> list[str]:
    """The SELECT's columns (by position, renamed) cast to the warehouse's types, then the Beijing dates."""
    columns = [f"CAST({name} AS {SPARK_TYPES[kind]}) AS {name}" for name, kind in table.columns]
    columns += [f"to_date(from_utc_timestamp({source}, '{LOCAL_TZ}')) AS {name}"
                for name, source in table.local_dates.items()]
    return columns


def spark_build(root: Path, refresh_id: int, progress) -> dict[str, TableFiles]:
    """Every fact, dimension and rollup rebuilt on Spark under `root`; returns name → files."""
    from guanxi.core.spark import spark_schema, spark_session, table_to_spark, work_dir

    session = spark_session()
    exports = Path(tempfile.mkdtemp(prefix="warehouse-", dir=work_dir()))
    try:
        for source in SOURCES:
            table_to_spark(source, source_columns(source), directory=exports / source)
        built: dict[str, TableFiles] = {}
        for table in TABLES:
            progress(table.name, 0, 0)
            frame = session.sql(table.select).toDF(*[name for name, _ in table.columns])
            frame = frame.selectExpr(*_typed(table)).sortWithinPartitions(table.key)
            built[table.name] = files = _write(root, table.name, f"base-{refresh_id}", frame)
            progress(table.name, files.rows, files.rows)
            session.read.schema(spark_schema(table.all_columns, SPARK_TYPES)).parquet(
                *[str(root / name) for name in files.base]).createOrReplaceTempView(table.name)
        built.update(_rollups(session, root, refresh_id, {name: files.rows for name, files in built.items()},
                              progress))
        return built
    finally:
        shutil.rmtree(exports, ignore_errors=True)


def _rollups(session, root: Path, refresh_id: int, fact_rows: dict[str, int], progress) -> dict[str, TableFiles]:
    """What `rollups.rollups_write` writes on a full refresh: one GROUPING SETS pass per fact (kept
    in the executors' memory while its rollups are written), the rollups too close to their fact's
    size left out."""
    written: dict[str, TableFiles] = {}
    for table in PARTS:
        sql, marks = rollup_statement(table, dialect="spark")
        grouped = session.sql(sql).persist()
        try:
            grouped.createOrReplaceTempView("rollup_")
            counts = {}  # rows per rollup: only needed when the fact is large enough for some to be left out
            if fact_rows.get(table, 0) >= ALWAYS_BELOW:
                counts = {row[0]: row[1] for row in grouped.groupBy("grouping_").count().collect()}
            for rollup, mark, kept in marks:
                if not worth_keeping(rollup, counts.get(mark, 0), fact_rows):
                    continue
                # Each file sorted by date (what a reader's filters prune by), ROLLUP_FILE_ROWS rows or so apiece.
                parts = max(1, counts.get(mark, 0) // ROLLUP_FILE_ROWS)
                frame = session.sql(rollup_select(rollup, mark, kept)).coalesce(parts).sortWithinPartitions(
                    rollup.date)
                written[rollup.name] = files = _write(root, rollup.name, f"base-{refresh_id}", frame)
                progress(rollup.name, files.rows, files.rows)
        finally:
            grouped.unpersist()
    return written
