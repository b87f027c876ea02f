import os
import socket

import pytest
from django.test import Client

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_is_up() and not os.environ.get("CI"), reason="Redis is not running on 127.0.0.1:6379"
)


@pytest.mark.django_db
def test_healthz_reports_each_part_in_embedded_mode():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert "inline" in body["checks"]["celery"]["detail"]


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_configured_but_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "error"


@needs_redis
@pytest.mark.django_db
def test_healthz_with_redis_up(settings):
    settings.REDIS_URL = REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert Client().get("/healthz").json()["checks"]["redis"]["status"] == "ok"


@pytest.mark.django_db
def test_workers_are_ok_inline_without_a_broker():
    response = Client().get("/healthz/workers")
    assert response.status_code == 200
    assert {name: "inline" in check["detail"] for name, check in response.json()["checks"].items()} == {
        "celery": True, "beat": True}


@pytest.mark.django_db
def test_beat_is_healthy_only_while_its_scheduler_ticks(settings, tmp_path):
    import datetime as dt

    import time_machine
    from celery import current_app as app  # the project's app, loaded with the settings
    from django.core.cache import cache

    from guanxi.core import health
    from guanxi.core.beat import HeartbeatScheduler

    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker: beat runs apart and must tick
    cache.clear()
    start = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        never = health._timed(health._beat)
        assert never["status"] == "error" and "never" in never["detail"]
        scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "beat-schedule"))
        try:
            scheduler.tick()
        finally:
            scheduler.close()
        assert health._timed(health._beat)["status"] == "ok"
    with time_machine.travel(start + dt.timedelta(seconds=settings.BEAT_HEARTBEAT_MAX_AGE + 1), tick=False):
        stale = health._timed(health._beat)
    assert stale["status"] == "error" and "ago" in stale["detail"]
    report = health.workers()
    assert report["status"] == "error" and report["checks"]["beat"]["status"] == "error"
