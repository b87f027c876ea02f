"""Customers out of the database into DuckDB, and normalised into the linkage's record table.

The read is streamed: on PostgreSQL one `COPY (query) TO STDOUT` into a CSV file that DuckDB reads;
on other databases (SQLite) the same query fetched in chunks. Normalisation runs once per distinct
value (names repeat, phones and IDs are cheap), and the results are joined back in DuckDB.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

from guanxi.core.copy import copy_out_csv

from ..enums import CustomerKind
from . import normalise

if TYPE_CHECKING:  # duckdb and pandas are imported by the scan that uses them, not by the web pages
    import duckdb

RAW_COLUMNS = ("id", "kind", "name", "birth_date", "gender", "id_number", "mobile", "email",
               "province", "city", "district", "point_phone", "point_email")
CHUNK = 50_000

# The customer's own fields, its default (else first) address, and its first phone and e-mail
# contact point, for live customers only. Window functions and GROUP BY work on both databases.
RAW_SQL = """
SELECT c.id, c.kind, c.name, c.birth_date, c.gender, c.id_number, c.mobile, c.email,
       a.province, a.city, a.district, p.phone, p.email
FROM customers_customer c
LEFT JOIN (
    SELECT customer_id, province, city, district,
           ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY is_default DESC, id) AS rn
    FROM customers_address
) a ON a.customer_id = c.id AND a.rn = 1
LEFT JOIN (
    SELECT customer_id,
           MIN(CASE WHEN kind IN ('mobile', 'phone') THEN normalized END) AS phone,
           MIN(CASE WHEN kind = 'email' THEN normalized END) AS email
    FROM customers_contactpoint
    WHERE contact_id IS NULL AND kind IN ('mobile', 'phone', 'email')
    GROUP BY customer_id
) p ON p.customer_id = c.id
WHERE c.deleted_at IS NULL
"""


def work_dir() -> Path:
    path = Path(settings.VAR_DIR) / "tmp" / "dedupe"
    path.mkdir(parents=True, exist_ok=True)
    return path


def duckdb_connect(*, threads: int | None = None, memory_limit: str = "3GB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads extensions and spills to var/tmp."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute(f"SET threads = {int(threads or max(1, min(os.cpu_count() or 1, 4)))}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    spill = str(work_dir()).replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")
    from .model import duckdb_functions

    duckdb_functions(con)
    return con


_RAW_TYPES = {c: "VARCHAR" for c in RAW_COLUMNS} | {"id": "BIGINT"}


def load_raw(con: duckdb.DuckDBPyConnection) -> int:
    """Stream live customers from the Django database into the DuckDB table `raw`; their count."""
    columns_sql = ", ".join(f'"{c}" {t}' for c, t in _RAW_TYPES.items())
    con.execute(f"CREATE OR REPLACE TABLE raw ({columns_sql})")
    if connection.vendor == "postgresql":
        _load_raw_postgres(con)
    else:
        _load_raw_chunks(con)
    return con.execute("SELECT count(*) FROM raw").fetchall()[0][0]


def _load_raw_postgres(con) -> None:
    fd, name = tempfile.mkstemp(prefix="customers-", suffix=".csv", dir=work_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            copy_out_csv(RAW_SQL, out=out)
        columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in _RAW_TYPES.items()) + "}"
        con.execute(
            f"INSERT INTO raw SELECT * FROM read_csv('{name}', header = false, columns = {columns}, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            "quote = '\"', escape = '\"', delim = ',', new_line = '\\n', parallel = true)"
        )
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _load_raw_chunks(con) -> None:
    import pandas as pd

    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL)
        while rows := cursor.fetchmany(CHUNK):
            frame = pd.DataFrame.from_records(rows, columns=list(RAW_COLUMNS))
            for column in RAW_COLUMNS[1:]:
                frame[column] = frame[column].map(lambda v: None if v is None else str(v)).astype(object)
            con.register("raw_chunk", frame)
            con.execute("INSERT INTO raw SELECT * FROM raw_chunk")
            con.unregister("raw_chunk")


def load_frame(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple]) -> int:
    """Fill `raw` from rows in RAW_COLUMNS order (for scoring records that are not stored yet)."""
    import pandas as pd

    columns_sql = ", ".join(f'"{c}" {t}' for c, t in _RAW_TYPES.items())
    con.execute(f"CREATE OR REPLACE TABLE raw ({columns_sql})")
    frame = pd.DataFrame.from_records(list(rows), columns=list(RAW_COLUMNS)).astype(object)
    con.register("raw_chunk", frame)
    con.execute("INSERT INTO raw SELECT * FROM raw_chunk")
    con.unregister("raw_chunk")
    return len(frame)


def _mapping(con, name: str, sql: str, columns: list[str], func: Callable[..., tuple]) -> None:
    """Apply `func` once per distinct row of `sql` and register the result as DuckDB table `name`."""
    import pandas as pd

    keys = con.execute(sql).fetchall()
    rows = [(*key, *func(*key)) for key in keys]
    frame = pd.DataFrame.from_records(rows, columns=columns).astype(object) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in columns})
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.register(f"{name}_frame", frame)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    con.unregister(f"{name}_frame")


def _name(name: str, kind: str) -> tuple:
    keys = normalise.name_keys(name or "", person=kind != CustomerKind.ORGANISATION)
    return (keys.hanzi, keys.pinyin or None, keys.sorted_pinyin or None, keys.initials or None)


def _id(value: str) -> tuple:
    number = normalise.resident_id_normalise(value)
    if number is None:
        return (None, None, None, None)
    birth = normalise.resident_id_birth_date(number)
    return (number, number[:17] if len(number) == 18 else number,
            birth.isoformat() if birth else None, normalise.resident_id_gender(number))


def _region(province, city, district) -> tuple:
    region = normalise.region_normalise(province or "", city or "", district or "")
    return (region.province, region.city, region.district)


def prepare_records(con: duckdb.DuckDBPyConnection) -> int:
    """Build the table `records` (model.RECORD_COLUMNS) from `raw`; the number of records."""
    _mapping(con, "map_name", "SELECT DISTINCT name, kind FROM raw WHERE name IS NOT NULL",
             ["name", "kind", "name_hanzi", "name_py", "name_sorted", "name_init"], _name)
    _mapping(con, "map_phone", "SELECT DISTINCT coalesce(nullif(mobile, ''), point_phone) FROM raw "
             "WHERE coalesce(nullif(mobile, ''), point_phone) IS NOT NULL",
             ["raw_phone", "phone"], lambda v: (normalise.phone_e164(v),))
    _mapping(con, "map_email", "SELECT DISTINCT coalesce(nullif(email, ''), point_email) FROM raw "
             "WHERE coalesce(nullif(email, ''), point_email) IS NOT NULL",
             ["raw_email", "email"], lambda v: (normalise.email_normalise(v),))
    _mapping(con, "map_id", "SELECT DISTINCT id_number FROM raw WHERE nullif(id_number, '') IS NOT NULL",
             ["raw_id", "id_number", "id17", "id_birth", "id_gender"], _id)
    _mapping(con, "map_region", "SELECT DISTINCT province, city, district FROM raw "
             "WHERE nullif(province, '') IS NOT NULL",
             ["r_province", "r_city", "r_district", "province", "city", "district"], _region)
    con.execute("""
        CREATE OR REPLACE TABLE records AS
        SELECT r.id AS unique_id, r.kind,
               n.name_hanzi, n.name_py, n.name_sorted, n.name_init,
               CASE WHEN r.kind = 'organisation' THEN n.name_sorted END AS org_key,
               coalesce(nullif(r.birth_date, ''), i.id_birth) AS dob,
               coalesce(nullif(r.gender, ''), i.id_gender) AS gender,
               i.id_number, i.id17,
               p.phone, right(p.phone, 4) AS phone_tail,
               e.email, split_part(e.email, '@', 1) AS email_local,
               g.province, g.city, g.district
        FROM raw r
        LEFT JOIN map_name n ON n.name = r.name AND n.kind = r.kind
        LEFT JOIN map_phone p ON p.raw_phone = coalesce(nullif(r.mobile, ''), r.point_phone)
        LEFT JOIN map_email e ON e.raw_email = coalesce(nullif(r.email, ''), r.point_email)
        LEFT JOIN map_id i ON i.raw_id = nullif(r.id_number, '')
        LEFT JOIN map_region g ON g.r_province = r.province AND g.r_city IS NOT DISTINCT FROM r.city
             AND g.r_district IS NOT DISTINCT FROM r.district
    """)
    for table in ("map_name", "map_phone", "map_email", "map_id", "map_region"):
        con.execute(f"DROP TABLE {table}")
    return con.execute("SELECT count(*) FROM records").fetchall()[0][0]


def prepare_record(raw: dict) -> dict:
    """One record in the form of the `records` table, from a dict with RAW_COLUMNS keys; the same
    rules as `prepare_records`, for scoring a customer that is being created."""
    def text(key):
        value = raw.get(key)
        return None if value in (None, "") else str(value)

    kind = text("kind") or CustomerKind.INDIVIDUAL
    hanzi, pinyin, sorted_pinyin, initials = _name(text("name") or "", kind)
    number, id17, id_birth, id_gender = _id(text("id_number") or "")
    phone = normalise.phone_e164(text("mobile") or text("point_phone"))
    email = normalise.email_normalise(text("email") or text("point_email"))
    province, city, district = (_region(text("province"), text("city"), text("district"))
                                if text("province") else (None, None, None))
    return {
        "unique_id": raw.get("id"), "kind": kind, "name_hanzi": hanzi, "name_py": pinyin,
        "name_sorted": sorted_pinyin, "name_init": initials,
        "org_key": sorted_pinyin if kind == CustomerKind.ORGANISATION else None,
        "dob": text("birth_date") or id_birth, "gender": text("gender") or id_gender,
        "id_number": number, "id17": id17, "phone": phone, "phone_tail": phone[-4:] if phone else None,
        "email": email, "email_local": email.split("@", 1)[0] if email else None,
        "province": province, "city": city, "district": district,
    }
