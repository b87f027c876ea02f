"""The warehouse on disk: Parquet files under `WAREHOUSE_DIR` and one manifest that lists, per
table, the files that make it up. Writers add files and then replace the manifest atomically;
readers open the files the manifest lists, so a refresh killed half-way leaves only unlisted files
(removed by the next refresh) and the change log rows it did not consume.

A table is its base files (unique keys) plus delta files (newer versions and deletions, `_version`
= the refresh that wrote them); `latest_rows_sql` is the ANSI SQL that merges them, the same on
DuckDB and Spark — only the relations that read the files differ."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .tables import DUCKDB_TYPES, TABLES, WarehouseTable

MANIFEST = "manifest.json"


@dataclass
class TableFiles:
    base: list[str] = field(default_factory=list)
    delta: list[str] = field(default_factory=list)
    rows: int = 0
    delta_rows: int = 0


@dataclass
class Manifest:
    refresh_id: int = 0
    watermark: int = 0
    tables: dict[str, TableFiles] = field(default_factory=dict)

    def files(self) -> set[str]:
        return {name for table in self.tables.values() for name in table.base + table.delta}


def warehouse_dir() -> Path:
    return Path(settings.WAREHOUSE_DIR)


def manifest_read(root: Path | None = None) -> Manifest:
    path = (root or warehouse_dir()) / MANIFEST
    if not path.exists():
        return Manifest()
    data = json.loads(path.read_text())
    return Manifest(refresh_id=data["refresh_id"], watermark=data["watermark"],
                    tables={name: TableFiles(**files) for name, files in data["tables"].items()})


def manifest_write(manifest: Manifest, root: Path | None = None) -> None:
    root = root or warehouse_dir()
    temporary = root / f".{MANIFEST}.{os.getpid()}"
    payload = {"refresh_id": manifest.refresh_id, "watermark": manifest.watermark,
               "tables": {name: vars(files) for name, files in manifest.tables.items()}}
    temporary.write_text(json.dumps(payload, indent=1))
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, root / MANIFEST)
    directory = os.open(root, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself on disk
    finally:
        os.close(directory)


def latest_rows_sql(table: WarehouseTable, base: str, delta: str | None) -> str:
    """The table's current rows from `base` (unique keys) and `delta` (versions and deletions)."""
    columns = ", ".join(name for name, _ in table.all_columns)
    if delta is None:
        return f"SELECT {columns} FROM {base}"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    key = table.key
    return (
        f"SELECT {columns} FROM {base} b WHERE NOT EXISTS (SELECT 1 FROM {delta} d WHERE d.{key} = b.{key}) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        f"UNION ALL "
        f"SELECT {columns} FROM (SELECT {columns}, is_deleted_, "
        f"ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY version_ DESC) AS rank_ FROM {delta}) d "
        f"WHERE d.rank_ = 1 AND NOT d.is_deleted_"
    )


def _parquet(root: Path, names: list[str]) -> str:
    paths = ", ".join("'" + str(root / name).replace("'", "''") + "'" for name in names)
    return f"read_parquet([{paths}])"


def _empty_relation(table: WarehouseTable) -> str:
    columns = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[kind]}) AS {name}" for name, kind in table.all_columns)
    return f"(SELECT {columns} WHERE FALSE)"


def create_views(connection, manifest: Manifest, root: Path, prefix: str = "") -> None:
    """One view per table of `manifest` on `connection`, named `prefix` + the table's name."""
    for table in TABLES:
        files = manifest.tables.get(table.name, TableFiles())
        base = _parquet(root, files.base) if files.base else _empty_relation(table)
        delta = _parquet(root, files.delta) if files.delta else None
        connection.execute(f"CREATE VIEW {prefix}{table.name} AS {latest_rows_sql(table, base, delta)}")
    defined = {table.name for table in TABLES}
    for name, files in manifest.tables.items():  # the date dimension, code lists, rollups: whole files
        if name not in defined and files.base:
            connection.execute(f"CREATE VIEW {prefix}{name} AS SELECT * FROM {_parquet(root, files.base)}")  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters


def parquet_relation(root: Path, names: list[str]) -> str:
    return _parquet(root, names)


def connect(manifest: Manifest | None = None, root: Path | None = None):
    """A DuckDB connection with one view per warehouse table and the date dimension."""
    import duckdb

    root = root or warehouse_dir()
    manifest = manifest or manifest_read(root)
    connection = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                                    "autoload_known_extensions": False})
    connection.execute("SET TimeZone = 'UTC'")
    create_views(connection, manifest, root)
    if "dim_date" not in manifest.tables:  # never built: an empty calendar, so that queries still run
        from .dates import DATE_COLUMNS

        columns = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[kind]}) AS {name}" for name, kind in DATE_COLUMNS)
        connection.execute(f"CREATE VIEW dim_date AS SELECT {columns} WHERE FALSE")
    return connection
