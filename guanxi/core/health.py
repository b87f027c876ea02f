"""System health: database, Redis and Celery, each with its state and latency."""

import time

from django.conf import settings
from django.db import connection


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        state = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is a state to report, not to raise
        detail, state = f"{type(exc).__name__}: {exc}", "error"
    return {"status": state, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _redis():
    if not settings.REDIS_URL:
        return "not configured (embedded mode)"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
    return "ping ok"


def _celery():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline (tasks run in the web process)"
    from celery import current_app  # the project's app (config/celery.py), made current when it loads

    replies = current_app.control.inspect(timeout=1).ping() or {}
    if not replies:
        raise RuntimeError("no worker answered")
    return f"{len(replies)} worker(s)"


def _beat():
    """Beat ticks (its scheduler writes a heartbeat each tick): only with a broker; inline, the web
    process runs the schedule itself."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline (the web process runs the schedule)"
    from .beat import heartbeat_age

    age = heartbeat_age()
    limit = settings.BEAT_HEARTBEAT_MAX_AGE
    if age is None:
        raise RuntimeError("beat never ticked")
    if age > limit:
        raise RuntimeError(f"beat last ticked {age:.0f} s ago (more than {limit} s)")
    return f"last tick {age:.0f} s ago"


def workers() -> dict:
    """Background work: a worker answers a ping and beat ticks (both required with a broker)."""
    checks = {"celery": _timed(_celery), "beat": _timed(_beat)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return {"status": "ok" if healthy else "error", "checks": checks}


_migrated = False


def _migrations():
    """Every migration applied (once true, remembered: a running server never loses one)."""
    global _migrated
    if not _migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise RuntimeError(f"{len(pending)} migration(s) not applied, first {pending[0][0]}")
        _migrated = True
    return "all applied"


def readiness() -> dict:
    """Whether this process should get traffic: the database answers and is migrated, Redis answers
    when configured. Celery is not required (a request does not wait for a worker)."""
    checks = {"database": _timed(_database), "migrations": _timed(_migrations), "redis": _timed(_redis)}
    required = ["database", "migrations"] + (["redis"] if settings.REDIS_URL else [])
    ready = all(checks[name]["status"] == "ok" for name in required)
    return {"status": "ok" if ready else "error", "checks": checks}


def system_health() -> dict:
    checks = {"database": _timed(_database), "redis": _timed(_redis), "celery": _timed(_celery),
              "beat": _timed(_beat)}
    required = ["database"] + (["redis"] if settings.REDIS_URL else [])
    healthy = all(checks[name]["status"] == "ok" for name in required)
    return {"status": "ok" if healthy else "error", "checks": checks}
