"""Back up and restore the whole product (`guanxi backup`, `guanxi restore`): the database and the
uploaded files in one tar archive, with a manifest of what it holds (each table's row count, each
file's SHA-256) that a restore checks before it replaces anything.

The database is saved by its own tools: on PostgreSQL `pg_dump` in custom format, taken in the same
snapshot as the row counts (an exported snapshot, so a busy system gives a consistent pair); on SQLite
the online backup API. A restore replaces everything or nothing: on PostgreSQL into a new schema that
takes the old one's place only when complete, on SQLite by the backup API (one locked copy), and the
files swapped in by renaming a complete copy. The star schema's Parquet files are derived data and
are not saved: rebuild them with `guanxi warehouse_refresh --full`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore with an argument list, no shell
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
PREVIOUS_SCHEMA = "guanxi_before_restore"

Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why (nothing was replaced)."""


@dataclass
class BackupReport:
    path: Path
    vendor: str
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quiet(done: str, count: int, total: int) -> None:
    return None


def _vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def table_row_counts() -> dict[str, int]:
    """Rows of every table of the database, by name (the manifest's and the restore check's figures)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            counts[table] = cursor.fetchone()[0]
    return counts


def pg_command(tool: str, *args: str, params: dict | None = None) -> tuple[list[str], dict]:
    """`tool`'s argument list and environment for the database of `params` (default: the default one)."""
    params = params or connection.settings_dict
    command = [tool, "--no-password", "-d", params["NAME"]]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if params.get(key):
            command += [flag, str(params[key])]
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    return command + list(args), env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603  # argument list from settings, no shell
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump in the snapshot the row counts were read in."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = table_row_counts()
        _run(*pg_command("pg_dump", "--format=custom", f"--snapshot={snapshot}", "-f", str(target)))
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        tables = [name for (name,) in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        present = set(connection.introspection.table_names())
        return {name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                for name in sorted(tables) if name in present}
    finally:
        copy.close()


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_create(path: str | Path, *, progress: Progress = _quiet) -> BackupReport:
    """Write the database and the uploaded files to one archive at `path` (refuses to overwrite)."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists: choose a new file name")
    vendor = _vendor()
    files = _media_files()
    with tempfile.TemporaryDirectory(dir=path.parent if path.parent.exists() else None) as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        progress("database", 0, len(files) + 1)
        tables = _dump_postgresql(dump) if vendor == "postgresql" else _dump_sqlite(dump)
        media_root = Path(settings.MEDIA_ROOT)
        checksums = {}
        partial = path.with_name(path.name + ".part")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=dump.name)
            for done, file in enumerate(files, start=1):
                name = f"{MEDIA}/{file.relative_to(media_root).as_posix()}"
                checksums[name] = _sha256(file)
                archive.add(file, arcname=name)
                progress("files", done, len(files) + 1)
            manifest = {
                "format": FORMAT, "vendor": vendor, "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "database": dump.name, "database_sha256": _sha256(dump), "tables": tables, "files": checksums,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
        partial.rename(path)  # a killed backup leaves a .part file, never a short archive
    progress("done", len(files) + 1, len(files) + 1)
    return BackupReport(path=path, vendor=vendor, tables=tables, files=checksums)


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError, TypeError) as exc:
        raise BackupError("not a Guanxi backup: it has no readable manifest") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def _safe_members(archive: tarfile.TarFile, manifest: dict) -> None:
    expected = {MANIFEST, manifest["database"], *manifest["files"]}
    for member in archive.getmembers():
        if member.name not in expected or not member.isfile():
            raise BackupError(f"unexpected entry in the backup: {member.name!r}")


def _check(path: Path, expected: str, name: str) -> None:
    if _sha256(path) != expected:
        raise BackupError(f"{name} is damaged: its checksum differs from the manifest's")


def _holds_data() -> bool:
    """A database in use has people signed up (migrations seed reference data, never users); a new
    server's empty database has not even the tables."""
    users = get_user_model()
    return users._meta.db_table in connection.introspection.table_names() and users.objects.exists()


def _execute(*statements: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _schema_tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return [row[0] for row in cursor.fetchall()]


def _move_extensions(source: str, target: str) -> None:
    """Extensions (pg_trgm) live in a schema; the dump's `CREATE EXTENSION IF NOT EXISTS` and its
    operator classes expect them in the schema being restored."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                       " WHERE n.nspname = %s", [source])
        names = [row[0] for row in cursor.fetchall()]
    _execute(*(f"ALTER EXTENSION {connection.ops.quote_name(name)} SET SCHEMA {target}" for name in names))


def _drop_schema(schema: str) -> None:
    """Table by table, each in its own transaction: one `DROP SCHEMA … CASCADE` would lock every table,
    index and sequence at once and can exhaust the server's lock table."""
    for table in _schema_tables(schema):
        _execute(f"DROP TABLE IF EXISTS {schema}.{connection.ops.quote_name(table)} CASCADE")
    _execute(f"DROP SCHEMA {schema} CASCADE")


def _restore_postgresql(dump: Path) -> None:
    """Restore into a new, empty `public` schema while the old one waits under another name: the new
    schema replaces the old only once every statement has succeeded, else the old comes back.
    pg_restore runs statement by statement, not in one transaction, because a transaction that
    replaces every table holds a lock on each of them and their indexes, more than the server's
    shared lock table may hold."""
    if _schema_tables(PREVIOUS_SCHEMA):
        raise BackupError(f"an earlier restore did not finish: schema {PREVIOUS_SCHEMA} holds the data from"
                          f" before it; rename it back to public or drop it")
    _execute(f"DROP SCHEMA IF EXISTS {PREVIOUS_SCHEMA} CASCADE", f"ALTER SCHEMA public RENAME TO {PREVIOUS_SCHEMA}",
             "CREATE SCHEMA public")
    _move_extensions(PREVIOUS_SCHEMA, "public")
    connection.close()  # its prepared statements and cached plans name the old schema's tables
    try:
        _run(*pg_command("pg_restore", "--no-owner", "--exit-on-error", str(dump)))
    except BackupError:
        _move_extensions("public", PREVIOUS_SCHEMA)
        _drop_schema("public")
        _execute(f"ALTER SCHEMA {PREVIOUS_SCHEMA} RENAME TO public")
        raise
    _drop_schema(PREVIOUS_SCHEMA)


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _swap_media(staged: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    old = root.with_name(root.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        root.rename(old)
    staged.rename(root)
    shutil.rmtree(old, ignore_errors=True)


def backup_restore(path: str | Path, *, force: bool = False, progress: Progress = _quiet) -> BackupReport:
    """Replace the database and the uploaded files with the archive's, after checking every checksum.
    Refuses a database that holds data unless `force`, and a backup of another database kind."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    vendor = _vendor()
    if not tarfile.is_tarfile(path):
        raise BackupError(f"{path} is not a backup archive")
    Path(settings.MEDIA_ROOT).parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory(dir=Path(settings.MEDIA_ROOT).parent) as work:
        manifest = _read_manifest(archive)
        if manifest["vendor"] != vendor:
            raise BackupError(f"this is a {manifest['vendor']} backup; the database here is {vendor}")
        _safe_members(archive, manifest)
        if not force and _holds_data():
            raise BackupError("the database holds data: restoring would replace it (use --force)")
        total = len(manifest["files"]) + 2
        archive.extractall(work, filter="data")
        _check(Path(work) / manifest["database"], manifest["database_sha256"], "the database dump")
        staged = Path(work) / MEDIA
        staged.mkdir(exist_ok=True)
        for done, (name, checksum) in enumerate(sorted(manifest["files"].items()), start=1):
            _check(Path(work) / name, checksum, name)
            progress("checking files", done, total)
        progress("database", total - 1, total)
        dump = Path(work) / manifest["database"]
        if vendor == "postgresql":
            _restore_postgresql(dump)
        else:
            _restore_sqlite(dump)
        _swap_media(staged)
    restored = table_row_counts()
    differing = sorted(t for t, rows in manifest["tables"].items() if restored.get(t) != rows)
    if differing:
        raise BackupError(f"restored, but these tables' row counts differ from the backup's: {differing}")
    progress("done", total, total)
    return BackupReport(path=path, vendor=vendor, tables=restored, files=manifest["files"])
