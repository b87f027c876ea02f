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
