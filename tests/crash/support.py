"""Helpers of the crash-safety tests: real processes (a Celery worker on Redis, `python -m guanxi.cli`
commands) against the committed PostgreSQL test database, killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

#: Redis for the workers' broker (a database of its own: the tests empty their queue, nothing else).
REDIS_URL = os.environ.get("CRASH_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
ROOT = Path(__file__).resolve().parents[2]


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("kill tests run on PostgreSQL only: another process must see the test's committed rows, "
                    "and the SQLite pass runs the same code paths without a second process")


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def isolate_folders(settings, tmp_path) -> None:
    """PostgreSQL only; uploads, import work files and the warehouse in this test's own folder, which
    `process_env` hands to the child processes."""
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this test's database and folders, local settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": database_url(),
           "REDIS_URL": "", "DEBUG": "false", "LOG_LEVEL": "WARNING", "LOG_FORMAT": "console",
           "MEDIA_ROOT": str(settings.MEDIA_ROOT), "IMPORT_WORK_DIR": str(settings.IMPORT_WORK_DIR),
           "WAREHOUSE_DIR": str(settings.WAREHOUSE_DIR), "PYTHONUNBUFFERED": "1",
           # Names the child's database sessions (libpq reads it), so that `sessions_gone` waits for its own.
           "PGAPPNAME": f"crash-{uuid.uuid4().hex[:12]}"}
    env.pop("GUANXI_TEST_NOW", None)
    env.update(extra)
    return env


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.05, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended ({process.returncode}) before {what}")
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def cli(*args: str, env: dict, log: Path) -> subprocess.Popen:
    """`python -m guanxi.cli ARGS` in its own session (so that SIGKILL reaches it alone)."""
    out = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "guanxi.cli", *args], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def cli_run(*args: str, env: dict, log: Path, timeout: float = 120) -> None:
    process = cli(*args, env=env, log=log)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    assert code == 0, f"guanxi {' '.join(args)} exited {code}:\n{log.read_text(errors='replace')[-3000:]}"


def sigkill(process: subprocess.Popen) -> None:
    assert process.poll() is None, "the process had already ended: it was not killed mid-way"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def other_backend_holds(table: str, modes: tuple[str, ...]) -> bool:
    """Another session holds one of these locks on `table`: a writer is inside its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND l.mode = ANY(%s) AND l.granted AND l.pid <> pg_backend_pid() "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [table, list(modes)])
        return cursor.fetchone()[0] > 0


def sessions_gone(env: dict[str, str], timeout: float = 120) -> None:
    """The killed process's database sessions (named by `env`'s PGAPPNAME, also its children's) have
    ended, their transactions rolled back. The server notices a dead client only when the statement it
    was running ends (an index build of the import's commit may take a while on a loaded machine): as
    long as the other waits here. Sessions of other processes (a worker of an earlier test still
    stopping) are not waited for."""
    def left() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, state, wait_event_type, left(query, 120) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND application_name = %s", [env["PGAPPNAME"]])
            return cursor.fetchall()
    try:
        wait_until(lambda: not left(), timeout=timeout, what="the killed process's database sessions to end")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; still there: {left()}") from None


class Worker:
    """`celery -A config worker --pool solo` on its own queue of REDIS_URL, in its own session."""

    def __init__(self, *, queue: str, log: Path, env: dict):
        self.queue, self.log, self.env = queue, log, env
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", self.queue,
             "--include", "guanxi.core.tests.crash_probe", "-l", "info", "-n", f"{self.queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        sigkill(self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def new_queue() -> str:
    return f"crash-{uuid.uuid4().hex[:12]}"


def other_backend_waits(table: str = "", mode: str = "") -> bool:
    """Another session of this database waits for a lock (on `table`, in `mode`, when given)."""
    sql = ("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
           "LEFT JOIN pg_class c ON c.oid = l.relation "
           "WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid()")
    params = []
    if table:
        sql += " AND c.relname = %s"
        params.append(table)
    if mode:
        sql += " AND l.mode = %s"
        params.append(mode)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity as it is now
        cursor.execute(sql, params)
        return cursor.fetchone()[0] > 0


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]
