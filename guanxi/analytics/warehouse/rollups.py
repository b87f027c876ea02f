"""Rollups (汇总表): the additive parts of the facts' measures pre-aggregated by day or month and a few
dimension columns, written by every refresh after the facts, so that a pivot over a year reads
thousands of rows instead of millions. The explorer answers from a rollup when everything its query
names (measures, dimensions, filters, the viewer's row scope) is in one (`explorer.query`); otherwise
from the detail facts. A rollup carries the customer's conformed attributes (`c.x` → column `c_x`)
read from dim_customer at refresh time, so a pivot by them needs no join with the customer dimension.

Only sums and counts are pre-aggregated: they add up across rollup rows exactly (counts as BIGINT,
money as DECIMAL, no floating point). Distinct counts of customers do not add up; they are answered
exactly by a rollup that keeps the customer among its columns (`keeps_customer`): every group of its
rows holds the same customers as the detail rows it stands for, so COUNT(DISTINCT customer_id) over
them (of the rows whose counted part is not zero) is the detail's figure, for any grouping of its
columns and any range of days. Per-grain distinct counts (by month, quarter, year) would not: each
grouping set of a pivot (rows × columns, rows, columns, total) and each date range needs its own, and
a region or a brand is a grouping of teams or customers that a customer may cross.

One statement per fact computes all of its rollups in one pass (GROUP BY GROUPING SETS, ANSI), then
each grouping set is written to its own Parquet file, sorted by date. A rollup that would not be much
smaller than its fact (more than `MAX_SHARE` of its rows, once the fact has `ALWAYS_BELOW` rows) is
not written: reading it would gain little, and the explorer then reads the detail. A rollup by customer
may be larger (`max_share`): a distinct count costs several times a sum on the same rows (the
benchmark's ARPU pivot), so a rollup half its fact's size still pays."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SOLD = "f.order_status IN ('confirmed', 'delivered')"
MAX_SHARE = 0.25
ALWAYS_BELOW = 100_000  # a fact with fewer rows gets every rollup (each costs next to nothing)

# The additive parts of each fact's measures: (column, SQL over the fact `f`). The explorer's
# catalogue combines them (`Measure.rollup_sql`); tests check that both give the same figures.
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "dim_customer": (("n_live", "COUNT(CASE WHEN f.is_live THEN 1 END)"),),
    "fact_case": (("n_rows", "COUNT(*)"), ("n_breached", "COUNT(f.breached_at)"),
                  ("n_reopened", "COUNT(CASE WHEN f.reopen_count > 0 THEN 1 END)")),
    "fact_interaction": (("n_rows", "COUNT(*)"), ("sum_duration", "CAST(SUM(f.duration_seconds) AS BIGINT)")),
    "fact_order_line": (("n_sold", f"COUNT(CASE WHEN {SOLD} THEN 1 END)"),
                        ("sum_sold_total", f"CAST(SUM(CASE WHEN {SOLD} THEN f.line_total END) AS DECIMAL(18, 2))"),
                        ("sum_sold_quantity", f"CAST(SUM(CASE WHEN {SOLD} THEN f.quantity END) AS BIGINT)")),
    "fact_payment": (("n_rows", "COUNT(*)"), ("sum_net", "CAST(SUM(f.amount - f.refunded) AS DECIMAL(18, 2))")),
}
DATES = {"dim_customer": "created_date", "fact_case": "created_date", "fact_interaction": "occurred_date",
         "fact_order_line": "order_date", "fact_payment": "received_on"}


@dataclass(frozen=True)
class Rollup:
    """`columns`: the fact's own columns (`f.x`) and its customer's (`c.x`, stored as `c_x`) it is
    grouped by, besides the date (the fact's date column at `grain` "day"; the month's first day at
    "month")."""

    name: str
    table: str
    grain: str
    columns: tuple[str, ...]
    max_share: float = MAX_SHARE

    @property
    def keeps_customer(self) -> bool:
        """Grouped by the customer: distinct counts of customers are exact over it."""
        return "f.customer_id" in self.columns

    @property
    def date(self) -> str:
        return DATES[self.table]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(stored_name(column) for column in self.columns)


def stored_name(column: str) -> str:
    alias, name = column.split(".")
    return name if alias == "f" else f"c_{name}"


SCOPE_ORDER = ("f.owner_id", "f.team_id", "c.owner_id", "c.team_id")
SCOPE_CUSTOMER = ("c.owner_id", "c.team_id")
CUSTOMER = ("c.lifecycle_stage", "c.kind", "c.source", "c.brand_id")

ROLLUPS: tuple[Rollup, ...] = (
    Rollup("agg_customer_month", "dim_customer", "month", (*CUSTOMER, "f.owner_id", "f.team_id")),
    Rollup("agg_customer_month_org", "dim_customer", "month", ("c.source", "c.kind", "f.team_id", *SCOPE_CUSTOMER)),
    Rollup("agg_case_day", "fact_case", "day", ("f.case_type", "f.channel", "f.priority", "f.status")),
    Rollup("agg_case_month", "fact_case", "month",
           ("f.case_type", "f.channel", "f.priority", "f.status", "f.customer_tier", "f.owner_id", "f.team_id")),
    Rollup("agg_case_month_scope", "fact_case", "month", ("f.case_type", "f.owner_id", "f.team_id", *SCOPE_CUSTOMER)),
    Rollup("agg_interaction_day", "fact_interaction", "day", ("f.channel", "f.direction")),
    Rollup("agg_interaction_day_scope", "fact_interaction", "day", ("f.direction", *SCOPE_CUSTOMER)),
    Rollup("agg_interaction_month", "fact_interaction", "month",
           ("f.channel", "f.direction", "f.staff_id", "f.team_id")),
    Rollup("agg_interaction_month_scope", "fact_interaction", "month", ("f.channel", "f.direction", *SCOPE_CUSTOMER)),
    Rollup("agg_interaction_month_customer", "fact_interaction", "month", (*CUSTOMER, *SCOPE_CUSTOMER)),
    Rollup("agg_order_line_day", "fact_order_line", "day", ("f.order_status", "f.team_id")),
    Rollup("agg_order_line_month", "fact_order_line", "month",
           ("f.order_status", "f.product_id", "f.owner_id", "f.team_id")),
    Rollup("agg_order_line_month_scope", "fact_order_line", "month", ("f.order_status", *SCOPE_ORDER)),
    Rollup("agg_order_line_month_product_scope", "fact_order_line", "month",
           ("f.order_status", "f.product_id", *SCOPE_ORDER)),
    # By customer and day (an order's lines share both): buying customers and ARPU over any days, by the
    # order's team and owner or the customer's attributes, scoped. The customer's columns add no rows.
    Rollup("agg_order_line_customer_day", "fact_order_line", "day",
           ("f.customer_id", "f.order_status", "f.owner_id", "f.team_id", *CUSTOMER, *SCOPE_CUSTOMER),
           max_share=0.5),
    Rollup("agg_payment_month", "fact_payment", "month", ("f.method", "f.owner_id", "f.team_id")),
    Rollup("agg_payment_month_scope", "fact_payment", "month", ("f.method", *SCOPE_ORDER)),
)
ROLLUP_NAMES = frozenset(rollup.name for rollup in ROLLUPS)


def _date_sql(rollup: Rollup) -> str:
    day = f"f.{rollup.date}"
    return day if rollup.grain == "day" else f"CAST(DATE_TRUNC('month', {day}) AS DATE)"


def month_sql(expression: str) -> str:
    """The month of a date as its first day (a made-up early month for no date): what an incremental
    refresh recomputes rollups by."""
    return f"COALESCE(CAST(DATE_TRUNC('month', {expression}) AS DATE), DATE '1900-01-01')"


def _grouping(keys: list[str], dialect: str) -> str:
    """GROUPING(a, b, …) of several columns: DuckDB's (and the standard's) multi-argument GROUPING is
    Spark's grouping_id; both set one bit per argument, the first the most significant."""
    return f"{'grouping_id' if dialect == 'spark' else 'GROUPING'}({', '.join(keys)})"


def customer_sql(expression: str) -> str:
    """The customer of a row (a made-up one for none): what an incremental refresh recomputes the
    rollups by customer by."""
    return f"COALESCE({expression}, -1)"


def rollup_statement(table: str, where: str = "", rollups: list[Rollup] | None = None, *, dialect: str = "duckdb",
                     ) -> tuple[str, list[tuple[Rollup, int, list[str]]]]:
    """The one GROUPING SETS statement that computes `rollups` (default: every rollup of `table`) over the
    fact's rows that meet `where`, and per rollup the GROUPING() value that marks its rows and the
    expressions it keeps. `dialect`: "duckdb" or "spark" (the full rebuild on Spark,
    guanxi.analytics.warehouse.spark)."""
    rollups = rollups if rollups is not None else [r for r in ROLLUPS if r.table == table]
    keys: list[str] = []
    for rollup in rollups:
        for expression in (_date_sql(rollup), *rollup.columns):
            if expression not in keys:
                keys.append(expression)
    sets, marks = [], []
    for rollup in rollups:
        kept = [_date_sql(rollup), *rollup.columns]
        sets.append(f"({', '.join(kept)})")
        # GROUPING(a, b, …): a bit per argument, the first the most significant, 1 when not grouped by.
        mark = sum(1 << (len(keys) - 1 - i) for i, key in enumerate(keys) if key not in kept)
        marks.append((rollup, mark, kept))
    select = [f"{key} AS k{i}" for i, key in enumerate(keys)]
    select.append(f"{_grouping(keys, dialect)} AS grouping_")
    select += [f"{sql} AS {name}" for name, sql in PARTS[table]]
    customer = "LEFT JOIN dim_customer c ON c.customer_id = f.customer_id"
    sql = (f"SELECT {', '.join(select)} FROM {table} f {customer} {f'WHERE {where} ' if where else ''}"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
           f"GROUP BY GROUPING SETS ({', '.join(sets)})")
    return sql, [(rollup, mark, [f"k{keys.index(k)}" for k in kept]) for rollup, mark, kept in marks]


def rollup_select(rollup: Rollup, mark: int, kept: list[str]) -> str:
    """One rollup's rows out of the GROUPING SETS result `rollup_`, its columns named."""
    names = (rollup.date, *rollup.column_names)
    columns = ", ".join(f"{k} AS {n}" for k, n in zip(kept, names, strict=True))
    parts = ", ".join(name for name, _ in PARTS[rollup.table])
    return f"SELECT {columns}, {parts} FROM rollup_ WHERE grouping_ = {int(mark)}"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters


def worth_keeping(rollup: Rollup, rows: int, fact_rows: dict[str, int]) -> bool:
    """Whether a full refresh writes `rollup` with `rows` rows: not when it would be close to its fact's
    own size (see the module's docstring)."""
    table = rollup.table
    return fact_rows.get(table, 0) < ALWAYS_BELOW or rows <= rollup.max_share * fact_rows[table]


def _changed_customers(reader, root: Path, previous, current) -> str | None:
    """SQL for the customers whose attributes a rollup carries changed since `previous` (None: cannot
    tell, the customer dimension was rebuilt)."""
    from .store import parquet_relation

    old, new = previous.tables.get("dim_customer"), current.tables.get("dim_customer")
    if old is None or new is None or old.base != new.base:
        return None
    added = [name for name in new.delta if name not in old.delta]
    if not added:
        return "SELECT CAST(NULL AS BIGINT) AS customer_id WHERE FALSE"
    attributes = sorted({column[2:] for rollup in ROLLUPS for column in rollup.columns if column.startswith("c.")})
    differs = " OR ".join(f"o.{a} IS DISTINCT FROM n.{a}" for a in [*attributes, "customer_id"])
    return (f"SELECT k.customer_id FROM (SELECT DISTINCT customer_id FROM {parquet_relation(root, added)}) k "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
            f"LEFT JOIN old_dim_customer o ON o.customer_id = k.customer_id "
            f"LEFT JOIN dim_customer n ON n.customer_id = k.customer_id WHERE {differs}")


def _changed_rows(root: Path, table: str, previous, current, expression) -> list[str] | None:
    """SELECTs of `expression(prefix)` (a column's SQL, its table's alias and dot as `prefix`) over the
    rows of `table` this refresh changed: the delta files it added and the rows they replace. None: the
    table was rebuilt or compacted since `previous`, every row counts as changed."""
    from .store import parquet_relation
    from .tables import TABLES

    old, new = previous.tables.get(table), current.tables.get(table)
    if old is None or new is None or old.base != new.base:
        return None
    added = [name for name in new.delta if name not in old.delta]
    if not added:
        return []
    key = next(t.key for t in TABLES if t.name == table)
    delta = parquet_relation(root, added)
    return [f"SELECT {expression('')} FROM {delta} WHERE NOT is_deleted_",  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
            f"SELECT {expression('f.')} FROM old_{table} f WHERE f.{key} IN (SELECT {key} FROM {delta})"]  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters


def _affected_months(reader, root: Path, table: str, previous, current, customers: str) -> list | None:
    """The months whose rollup rows of `table` may differ from `previous`'s: those of the rows this
    refresh changed (before and after) and of the rows of customers whose attributes changed. None:
    the table was rebuilt or compacted, every month is recomputed."""
    def month(prefix: str) -> str:
        return month_sql(f"{prefix}{DATES[table]}")

    changed = _changed_rows(root, table, previous, current, month)
    if changed is None:
        return None
    parts = [f"SELECT {month('f.')} AS m FROM {table} f WHERE f.customer_id IN ({customers})", *changed]  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    rows = reader.execute(f"SELECT DISTINCT m FROM ({' UNION ALL '.join(parts)}) s ORDER BY m").fetchall()  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    return [row[0] for row in rows]


def _affected_customers(reader, root: Path, table: str, previous, current, customers: str) -> bool | None:
    """The customers whose rows of a rollup by customer may differ from `previous`'s, into the temporary
    table `customers_`: those of the rows this refresh changed (before and after) and those whose
    attributes changed. False: none; None: the table was rebuilt or compacted, every row is recomputed."""
    changed = _changed_rows(root, table, previous, current, lambda prefix: f"{prefix}customer_id")
    if changed is None:
        return None
    parts = [f"SELECT customer_id AS c FROM ({customers}) k", *changed]  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    reader.execute(f"CREATE OR REPLACE TEMPORARY TABLE customers_ AS SELECT DISTINCT {customer_sql('c')} AS c "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
                   f"FROM ({' UNION ALL '.join(parts)}) s")
    return reader.execute("SELECT COUNT(*) FROM customers_").fetchall()[0][0] > 0


def rollups_write(reader, root: Path, refresh_id: int, fact_rows: dict[str, int], previous=None,
                  current=None) -> dict:
    """Every rollup over the warehouse `reader` sees (views of `current`), written under `root`;
    returns name → TableFiles of each. With the `previous` manifest (its views prefixed `old_` on
    `reader`), an incremental refresh: a rollup keeps its rows of the months nothing changed in and
    only the others are recomputed; a rollup by customer keeps the rows of the customers nothing changed
    for and recomputes the others' (a customer's change touches few rows but most months). A full one
    leaves out the rollups too close to their fact's size."""
    written: dict = {}
    customers = _changed_customers(reader, root, previous, current) if previous is not None else None
    for table in PARTS:
        for by_customer in (False, True):
            rollups = [r for r in ROLLUPS if r.table == table and r.keeps_customer == by_customer]
            if rollups:
                written.update(_rollups_write(reader, root, refresh_id, fact_rows, previous, current, customers,
                                              table, rollups, by_customer))
    return written


def _rollups_write(reader, root: Path, refresh_id: int, fact_rows: dict[str, int], previous, current,
                   customers: str | None, table: str, rollups: list[Rollup], by_customer: bool) -> dict:
    """`rollups` of `table` (all by month or all by customer), as `rollups_write` says."""
    from .store import TableFiles, parquet_relation

    written: dict = {}
    kept_before = {r.name: previous.tables[r.name] for r in rollups
                   if previous is not None and r.name in previous.tables}
    affected = None  # months or customers to recompute; None: every row
    if kept_before and customers is not None:
        if by_customer:
            affected = _affected_customers(reader, root, table, previous, current, customers)
        else:
            months = _affected_months(reader, root, table, previous, current, customers)
            if months:
                reader.execute("CREATE OR REPLACE TEMPORARY TABLE months_ (m DATE)")
                reader.executemany("INSERT INTO months_ VALUES (?)", [[m] for m in months])
            affected = None if months is None else bool(months)
    if affected is False:
        return kept_before
    where = ""
    if affected and by_customer:
        where = f"{customer_sql('f.customer_id')} IN (SELECT c FROM customers_)"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    elif affected:
        where = f"{month_sql(f'f.{DATES[table]}')} IN (SELECT m FROM months_)"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    sql, marks = rollup_statement(table, where, rollups)
    reader.execute(f"CREATE OR REPLACE TEMPORARY TABLE rollup_ AS {sql}")
    parts = ", ".join(name for name, _ in PARTS[table])
    try:
        for rollup, mark, kept in marks:
            names = (rollup.date, *rollup.column_names)
            select = rollup_select(rollup, mark, kept)
            if affected:
                if rollup.name not in kept_before:
                    continue  # left out by the last full refresh: stays out until the next
                if by_customer:
                    unchanged = f"{customer_sql('customer_id')} NOT IN (SELECT c FROM customers_)"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
                else:
                    unchanged = f"{month_sql(rollup.date)} NOT IN (SELECT m FROM months_)"  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
                select += (f" UNION ALL SELECT {', '.join(names)}, {parts} "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
                           f"FROM {parquet_relation(root, kept_before[rollup.name].base)} WHERE {unchanged}")
            else:
                rows = reader.execute("SELECT COUNT(*) FROM rollup_ WHERE grouping_ = ?", [mark]).fetchall()[0][0]
                if not worth_keeping(rollup, rows, fact_rows):
                    continue
            relative = f"{rollup.name}/base-{refresh_id}.parquet"
            (root / rollup.name).mkdir(parents=True, exist_ok=True)
            temporary = (root / relative).with_suffix(".tmp")
            reader.execute(f"COPY (SELECT * FROM ({select}) s ORDER BY {rollup.date}) TO '{temporary}' "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
                           f"(FORMAT parquet)")
            os.replace(temporary, root / relative)
            rows = reader.execute(f"SELECT COUNT(*) FROM {parquet_relation(root, [relative])}").fetchall()[0][0]  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
            written[rollup.name] = TableFiles(base=[relative], rows=rows)
    finally:
        reader.execute("DROP TABLE rollup_")
    return written
