"""Fingerprint, dump and load of the migrated test schema (see the package's docstring)."""

import contextlib
import hashlib
import importlib.util
import re
import subprocess  # nosec B404  # pg_dump with an argument list, no shell
import sys
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from guanxi.core.backup import pg_command

HEADER = "-- guanxi schema snapshot "
FOLDER = Path(__file__).resolve().parent / "dumps"
PROJECT_IMPORT = re.compile(r"^\s*(?:from\s+(guanxi[\w.]*)\s+import\s+([\w, ]+)|import\s+(guanxi[\w.]*))", re.MULTILINE)
FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")
MIGRATION_RECORDS_APPLIED = "2000-01-01 00:00:00"  # one value, so that writing the snapshot again changes nothing else


_bypassed = False


class SnapshotError(Exception):
    pass


@contextlib.contextmanager
def bypass():
    """Migrate for real meanwhile (to write the snapshot)."""
    global _bypassed
    _bypassed = True
    try:
        yield
    finally:
        _bypassed = False


def bypassed() -> bool:
    return _bypassed


def path_for(vendor: str) -> Path:
    return FOLDER / f"{vendor}.sql"


def fingerprint() -> str:
    """A digest of every migration module Django would run (the project's and the libraries') and of
    the project modules they import, by module name so that it is the same on every machine."""
    sources: dict[str, bytes] = {}
    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        module = sys.modules[type(migration).__module__]
        source = Path(module.__file__).read_bytes()
        sources[module.__name__] = source
        for name in _project_imports(source.decode()):
            sources[name] = Path(importlib.util.find_spec(name).origin).read_bytes()
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name] + b"\0")
    return digest.hexdigest()


def _project_imports(source: str) -> set[str]:
    names = set()
    for package, members, module in PROJECT_IMPORT.findall(source):
        if module:
            names.add(module)
            continue
        is_package = importlib.util.find_spec(package).submodule_search_locations is not None
        for member in (m.strip() for m in members.split(",")):
            candidate = f"{package}.{member}"
            names.add(candidate if is_package and importlib.util.find_spec(candidate) else package)
    return names


def current_text(vendor: str) -> str | None:
    """The snapshot's SQL for `vendor` if it exists and matches the migrations, else None."""
    path = path_for(vendor)
    if not path.exists():
        return None
    header, _, body = path.read_text(encoding="utf-8").partition("\n")
    return body if header == HEADER + fingerprint() else None


def load(connection: BaseDatabaseWrapper, body: str) -> None:
    """Run the snapshot's SQL into the empty database of `connection`, all or nothing."""
    if connection.introspection.table_names():
        raise SnapshotError("the database is not empty")
    if connection.vendor == "sqlite":
        _load_sqlite(connection, body)
    else:
        _load_postgresql(connection, body)


def _load_sqlite(connection: BaseDatabaseWrapper, body: str) -> None:
    connection.ensure_connection()
    raw = connection.connection
    try:
        raw.executescript(body)
    except Exception:
        if raw.in_transaction:
            raw.rollback()
        raise


def _load_postgresql(connection: BaseDatabaseWrapper, body: str) -> None:
    # pg_dump's script clears search_path for its session: it runs in a connection of its own.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with raw.transaction():
            raw.execute(body)
    finally:
        raw.close()


def dump(connection: BaseDatabaseWrapper) -> str:
    """The schema and every row of the migrated database of `connection`, as SQL."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_migrations SET applied = %s", [MIGRATION_RECORDS_APPLIED])
    if connection.vendor == "sqlite":
        return _dump_sqlite(connection)
    return _dump_postgresql(connection)


def _dump_postgresql(connection: BaseDatabaseWrapper) -> str:
    command, env = pg_command("pg_dump", "--no-owner", "--no-privileges", "--no-comments", "--inserts",
                              "--rows-per-insert=200", params=connection.settings_dict)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603  # argument list from settings, no shell
    if result.returncode:
        raise SnapshotError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    # Newer pg_dump brackets its script with psql meta-commands (restrict/unrestrict, with a random key): not SQL.
    return "".join(line for line in result.stdout.splitlines(keepends=True) if not line.startswith("\\"))


def _dump_sqlite(connection: BaseDatabaseWrapper) -> str:
    """Tables and rows, then the full-text tables, indexes and triggers (after the rows, so that no
    trigger fires on them). Python's iterdump is not used: it writes an FTS5 table into sqlite_master
    by hand, which a script cannot fill in the same run."""
    connection.ensure_connection()
    raw = connection.connection
    objects = raw.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    virtual = [name for kind, name, sql in objects if sql.startswith("CREATE VIRTUAL TABLE")]
    shadows = {name + suffix for name in virtual for suffix in FTS5_SHADOWS}
    tables = [name for kind, name, sql in objects if kind == "table" and name not in shadows and name not in virtual]
    sql_of = {name: sql for kind, name, sql in objects}
    lines = ["PRAGMA foreign_keys=OFF;", "BEGIN TRANSACTION;"]
    lines += [f"{sql_of[name]};" for name in tables]
    for name in tables:
        lines += _sqlite_rows(raw, name)
    lines += ['DELETE FROM "sqlite_sequence";'] + [
        f"INSERT INTO \"sqlite_sequence\" VALUES('{name}',{seq});"  # nosec B608  # the dump's text; names from sqlite_master
        for name, seq in raw.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")]
    for name in virtual:
        lines += [f"{sql_of[name]};", *_sqlite_fts_content(raw, name, sql_of[name])]
    lines += [f"{sql};" for kind, name, sql in objects if kind in ("index", "trigger", "view")]
    return "\n".join([*lines, "COMMIT;", "PRAGMA foreign_keys=ON;", ""])


def _sqlite_rows(raw, table: str, *, with_rowid: bool = False) -> list[str]:
    columns = ["rowid"] * with_rowid + [row[1] for row in raw.execute(f'PRAGMA table_info("{table}")')]
    names = ",".join(f'"{column}"' for column in columns)
    values = " || ',' || ".join(f'quote("{column}")' for column in columns)
    query = f"SELECT 'INSERT INTO \"{table}\"({names}) VALUES(' || {values} || ');' FROM \"{table}\" ORDER BY rowid"  # nosec B608  # table and column names from sqlite_master
    return [row[0] for row in raw.execute(query)]


def _sqlite_fts_content(raw, table: str, sql: str) -> list[str]:
    """An external-content index is rebuilt from its table; an index holding its own text gets its rows."""
    if "content=''" in sql.replace('"', "'"):
        raise SnapshotError(f"{table}: a contentless full-text table cannot be dumped")
    if "content=" in sql:
        return [f"INSERT INTO \"{table}\"(\"{table}\") VALUES('rebuild');"]  # nosec B608  # the dump's text
    return _sqlite_rows(raw, table, with_rowid=True)
