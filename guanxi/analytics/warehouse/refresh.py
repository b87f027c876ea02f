"""Writing the warehouse: a full rebuild reads every source table in id order; an incremental
refresh reads only the rows the capture triggers recorded in the change log, then deletes those (and
rebuilds a table whole when most of it changed). Each refresh writes new files, then commits by
replacing the manifest; compaction folds a table's deltas into a new base when they grow. With
`BATCH_ENGINE=spark` a full rebuild computes the facts, dimensions and rollups on Spark (`spark`)."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from guanxi.core.spark import batch_engine

from .dates import DATE_COLUMNS, LABEL_COLUMNS, date_frame, label_frames
from .rollups import rollups_write
from .store import Manifest, TableFiles, manifest_read, manifest_write, warehouse_dir
from .tables import DUCKDB_TYPES, TABLES, WarehouseTable

BATCH = 100_000
ID_CHUNK = 500  # ids per IN list: below SQLite's variable limit
# An incremental refresh rebuilds a table whole past this many changed rows (cheaper than IN lists).
REBUILD_AT = 200_000
# Deltas are folded into the base when they exceed this share of the base or this many files.
COMPACT_SHARE, COMPACT_FILES = 0.1, 24
LOCAL_TZ = "Asia/Shanghai"

Progress = Callable[[str, int, int], None]


def _durable_replace(temporary: Path, path: Path) -> None:
    """The file's bytes on disk before its name does: a machine that stops right after the rename
    (or the manifest's) never finds a listed file empty or short."""
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _remove_leftovers(root: Path) -> None:
    """What a killed refresh left at the top of the warehouse (its COPY staging files, a manifest
    never renamed into place); the unlisted files under the tables go after the next manifest."""
    for path in [*root.glob(".*.csv"), *root.glob(".manifest.json.*")]:
        path.unlink(missing_ok=True)
    for path in root.glob("*/.spark-*"):  # a Spark build's staging folders
        shutil.rmtree(path, ignore_errors=True)


class RefreshBusy(Exception):
    """Another refresh holds the warehouse lock."""


@contextmanager
def warehouse_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RefreshBusy from exc
        yield


def _frame(table: WarehouseTable, rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=[name for name, _ in table.columns])
    for name, kind in table.columns:
        if kind == "ts":
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        elif kind == "date":
            frame[name] = pd.to_datetime(frame[name], format="ISO8601").dt.date
        elif kind in ("money", "float"):
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif kind in ("int",):
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        elif kind == "bool":
            frame[name] = frame[name].astype("boolean")
    for name, source in table.local_dates.items():
        frame[name] = frame[source].dt.tz_convert(LOCAL_TZ).dt.date
    for name, kind in table.columns:
        if kind == "ts":  # stored as naive UTC: every engine reads it the same way
            frame[name] = frame[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def _write(root: Path, relative: str, columns: tuple[tuple[str, str], ...], frame: pd.DataFrame,
           *, version: int | None = None, deleted_keys: list[int] | None = None, key: str = "") -> int:
    """Writes `frame` (and deletion markers for `deleted_keys`) to one Parquet file; returns rows."""
    import duckdb

    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    casts = ", ".join(f"CAST({name} AS {DUCKDB_TYPES[kind]}) AS {name}" for name, kind in columns)
    sql = f"SELECT {casts} FROM frame"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    if version is not None:
        sql = f"SELECT *, {version} AS version_, FALSE AS is_deleted_ FROM ({sql}) s"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        if deleted_keys:
            nulls = ", ".join(f"NULL AS {name}" if name != key else f"k AS {name}" for name, _ in columns)
            sql += f" UNION ALL SELECT {nulls}, {version}, TRUE FROM (SELECT UNNEST(?) AS k) d"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    connection_ = duckdb.connect(":memory:")
    try:
        connection_.register("frame", frame)
        temporary = path.with_suffix(".tmp")
        parameters = [deleted_keys] if version is not None and deleted_keys else []
        connection_.execute(f"COPY ({sql}) TO '{temporary}' (FORMAT parquet)", parameters)
        _durable_replace(temporary, path)
    finally:
        connection_.close()
    return len(frame) + len(deleted_keys or [])


def _batches(table: WarehouseTable) -> Iterator[list[tuple]]:
    """Every row of the table, in id order, BATCH at a time (keyset pages: no OFFSET)."""
    last = -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"{table.select} WHERE t.id > %s ORDER BY t.id LIMIT %s", [last, BATCH])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rows_for(table: WarehouseTable, column: str, ids: list[int]) -> list[tuple]:
    rows = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start:start + ID_CHUNK]
            cursor.execute(f"{table.select} WHERE t.{column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            rows.extend(cursor.fetchall())
    return rows


def _changed_ids(source: str, high: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT row_id, last_row_id FROM analytics_warehousechange "
                       "WHERE source = %s AND id <= %s ORDER BY row_id", [source, high])
        rows = cursor.fetchall()
    if all(last is None for _, last in rows):
        return [first for first, _ in rows]
    ids = set()
    for first, last in rows:
        ids.update(range(first, (first if last is None else last) + 1))
    return sorted(ids)


def _copy_column(name: str, kind: str) -> str:
    if kind == "ts":
        return f"CAST(timezone('UTC', {name}) AS TIMESTAMP) AS {name}"
    return f"CAST({name} AS {DUCKDB_TYPES[kind]}) AS {name}"


def _build_by_copy(root: Path, table: WarehouseTable, refresh_id: int, progress: Progress) -> TableFiles:
    """PostgreSQL: the table streamed out with COPY … TO STDOUT as CSV and turned into Parquet by
    DuckDB (types and Beijing dates computed there), without a Python object per value."""
    import duckdb

    staging = root / f".{table.name}-{refresh_id}.csv"
    name = f"{table.name}/base-{refresh_id}-0000.parquet"
    (root / table.name).mkdir(parents=True, exist_ok=True)
    try:
        with connection.cursor() as cursor, open(staging, "wb") as out, \
                cursor.cursor.copy(f"COPY ({table.select}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                out.write(block)
        types = {column: "TIMESTAMPTZ" if kind == "ts" else DUCKDB_TYPES[kind] for column, kind in table.columns}
        select = [_copy_column(column, kind) for column, kind in table.columns]
        select += [f"CAST(timezone('{LOCAL_TZ}', {source}) AS DATE) AS {column}"
                   for column, source in table.local_dates.items()]
        reader = duckdb.connect(":memory:")
        try:
            temporary = (root / name).with_suffix(".tmp")
            reader.execute(f"COPY (SELECT {', '.join(select)} FROM read_csv(?, header = false, columns = ?, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                           f"allow_quoted_nulls = false, auto_detect = false)) TO '{temporary}' (FORMAT parquet)",
                           [str(staging), types])
            _durable_replace(temporary, root / name)
            rows = reader.execute("SELECT COUNT(*) FROM read_parquet(?)", [str(root / name)]).fetchall()[0][0]
        finally:
            reader.close()
    finally:
        staging.unlink(missing_ok=True)
    progress(table.name, rows, rows)
    return TableFiles(base=[name], rows=rows)


def _build_table(root: Path, table: WarehouseTable, refresh_id: int, progress: Progress) -> TableFiles:
    if connection.vendor == "postgresql":
        return _build_by_copy(root, table, refresh_id, progress)
    files = TableFiles()
    for number, rows in enumerate(_batches(table)):
        name = f"{table.name}/base-{refresh_id}-{number:04d}.parquet"
        files.rows += _write(root, name, table.all_columns, _frame(table, rows))
        files.base.append(name)
        progress(table.name, files.rows, 0)
    return files


def _delta_table(root: Path, table: WarehouseTable, current: TableFiles, refresh_id: int, high: int,
                 progress: Progress) -> TableFiles:
    changed = {source: _changed_ids(source, high) for source in table.sources}
    if sum(len(ids) for ids in changed.values()) > REBUILD_AT:
        return _build_table(root, table, refresh_id, progress)
    rows = []
    for source, column in table.sources.items():
        if changed[source]:
            rows.extend(_rows_for(table, column, changed[source]))
    if not rows and not any(changed.values()):
        return current
    frame = _frame(table, rows).drop_duplicates(subset=[table.key], keep="last")
    own = [source for source, column in table.sources.items() if column == "id"]
    found = set(frame[table.key].tolist())
    deleted = sorted({row_id for source in own for row_id in changed[source]} - found)
    name = f"{table.name}/delta-{refresh_id}.parquet"
    written = _write(root, name, table.all_columns, frame, version=refresh_id, deleted_keys=deleted, key=table.key)
    progress(table.name, written, written)
    return TableFiles(base=current.base, delta=[*current.delta, name], rows=current.rows,
                      delta_rows=current.delta_rows + written)


def _compact(root: Path, table: WarehouseTable, files: TableFiles, refresh_id: int) -> TableFiles:
    from .store import connect

    if not files.delta:
        return files
    if files.delta_rows <= COMPACT_SHARE * max(files.rows, 1) and len(files.delta) <= COMPACT_FILES:
        return files
    reader = connect(Manifest(tables={table.name: files}), root)
    try:
        name = f"{table.name}/base-{refresh_id}-c.parquet"
        temporary = (root / name).with_suffix(".tmp")
        reader.execute(f"COPY (SELECT * FROM {table.name} ORDER BY {table.key}) TO '{temporary}' (FORMAT parquet)")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        _durable_replace(temporary, root / name)
        rows = reader.execute(f"SELECT COUNT(*) FROM {table.name}").fetchall()[0][0]  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    finally:
        reader.close()
    return TableFiles(base=[name], rows=rows)


def _date_range(root: Path, manifest: Manifest, today: dt.date) -> tuple[dt.date, dt.date]:
    from .store import connect

    reader = connect(manifest, root)
    try:
        first = reader.execute(
            "SELECT MIN(d) FROM (SELECT MIN(created_date) AS d FROM dim_customer UNION ALL "
            "SELECT MIN(created_date) FROM fact_case UNION ALL SELECT MIN(occurred_date) FROM fact_interaction "
            "UNION ALL SELECT MIN(order_date) FROM fact_order_line "
            "UNION ALL SELECT MIN(received_on) FROM fact_payment) s"
        ).fetchall()[0][0]
    finally:
        reader.close()
    first = min(first or today, today)
    return dt.date(first.year, 1, 1), dt.date(today.year + 1, 12, 31)


def _write_rollups(root: Path, manifest: Manifest, previous: Manifest | None, refresh_id: int,
                   progress: Progress) -> None:
    """The rollups, from the facts just written to `manifest`: whole on a full refresh, else only the
    months that changed since `previous` (see `rollups`)."""
    from .store import connect, create_views

    reader = connect(manifest, root)
    try:
        if previous is not None:
            create_views(reader, previous, root, prefix="old_")
        fact_rows = {name: files.rows + files.delta_rows for name, files in manifest.tables.items()}
        for name, files in rollups_write(reader, root, refresh_id, fact_rows, previous, manifest).items():
            manifest.tables[name] = files
            progress(name, files.rows, files.rows)
    finally:
        reader.close()


def _remove_unlisted(root: Path, manifest: Manifest) -> None:
    listed = manifest.files()
    for path in root.glob("*/*"):
        if path.is_file() and str(path.relative_to(root)) not in listed:
            path.unlink()


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL the refresh reads every table and the change log in one REPEATABLE READ
    snapshot and deletes only the changes that snapshot saw: a change committed meanwhile (even
    with a lower id) stays for the next refresh. SQLite commits writers one at a time, in id order,
    and a long read transaction there would hold writers off, so it reads without one. Inside a
    caller's transaction (tests) the caller's isolation applies."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def warehouse_write(*, full: bool, refresh_id: int, progress: Progress, root: Path | None = None,
                    on_locked: Callable[[], None] | None = None) -> Manifest:
    """One refresh under the warehouse lock: new files, then the manifest replaced, then the change
    rows it consumed deleted; returns the committed manifest. `refresh_id` must grow with every
    refresh (it versions the delta rows). The caller (the service) records the run; `on_locked` runs
    once the lock is held (no other refresh is alive then).

    Killed at any point (SIGKILL), a refresh leaves the last complete warehouse: the manifest lists
    only files written whole (temporary name, fsync, rename) and is itself replaced the same way; the
    change rows are deleted in the snapshot's transaction, so a refresh killed after its manifest and
    before that commit leaves them for the next one, which writes the same rows again as a newer
    delta (the newest version of a key wins)."""
    root = root or warehouse_dir()
    with warehouse_lock(root):
        _remove_leftovers(root)
        if on_locked is not None:
            on_locked()
        return _warehouse_write(full=full, refresh_id=refresh_id, progress=progress, root=root)


def _warehouse_write(*, full: bool, refresh_id: int, progress: Progress, root: Path) -> Manifest:
    with _snapshot():
        current = manifest_read(root)
        full = full or not current.tables
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM analytics_warehousechange")
            high = cursor.fetchall()[0][0]
        manifest = Manifest(refresh_id=refresh_id, watermark=high)
        if full and batch_engine() == "spark":  # the incremental refresh stays on this machine
            from .spark import spark_build

            manifest.tables.update(spark_build(root, refresh_id, progress))
        else:
            for table in TABLES:
                progress(table.name, 0, 0)
                if full or table.full:
                    manifest.tables[table.name] = _build_table(root, table, refresh_id, progress)
                else:
                    files = _delta_table(root, table, current.tables.get(table.name, TableFiles()), refresh_id,
                                         high, progress)
                    manifest.tables[table.name] = _compact(root, table, files, refresh_id)
            _write_rollups(root, manifest, None if full else current, refresh_id, progress)
        first, last = _date_range(root, manifest, timezone.localdate())
        dates = f"dim_date/base-{refresh_id}.parquet"
        rows = _write(root, dates, DATE_COLUMNS, date_frame(first, last))
        manifest.tables["dim_date"] = TableFiles(base=[dates], rows=rows)
        for name, frame in label_frames().items():
            path = f"{name}/base-{refresh_id}.parquet"
            manifest.tables[name] = TableFiles(base=[path], rows=_write(root, path, LABEL_COLUMNS, frame))
        manifest_write(manifest, root)
        _remove_unlisted(root, manifest)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM analytics_warehousechange WHERE id <= %s", [high])
        return manifest
