"""Request ids in structured logs, the protected Prometheus metrics and the liveness/readiness checks."""

import io
import json
import logging

import pytest
from celery import shared_task
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core import health
from guanxi.core.logs import formatter
from guanxi.core.metrics import TASKS


@shared_task(name="guanxi.tests.observed_task")
def observed_task(fail: bool = False):
    if fail:
        raise ValueError("planned failure")
    return "done"


@pytest.fixture
def access_lines(settings):
    """The JSON lines of the access log during the test."""
    settings.LOG_REQUESTS = True
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    spec = formatter(json=True)
    handler.setFormatter(spec.pop("()")(**spec))
    logger = logging.getLogger("guanxi.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.django_db
def test_a_request_keeps_the_callers_id_in_its_answer_and_its_log_line(access_lines):
    response = Client().get("/healthz/live", HTTP_X_REQUEST_ID="edge-42.a")
    assert response["X-Request-ID"] == "edge-42.a"
    line = access_lines()[-1]
    assert (line["event"], line["request_id"], line["route"], line["status"]) == ("request", "edge-42.a",
                                                                                   "healthz/live", 200)
    assert line["level"] == "info" and "timestamp" in line


@pytest.mark.django_db
def test_an_unusable_request_id_is_replaced_by_a_fresh_one(access_lines):
    first = Client().get("/healthz/live", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    second = Client().get("/healthz/live")["X-Request-ID"]
    assert len(first) == 32 and first != second and "\n" not in first
    assert [line["request_id"] for line in access_lines()] == [first, second]


@pytest.mark.django_db
def test_metrics_need_the_token_or_an_administrator(settings):
    settings.METRICS_TOKEN = "scrape-secret"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    agent = Client()
    agent.force_login(UserFactory(role=Role.AGENT))
    assert agent.get("/metrics").status_code == 403
    admin = Client()
    admin.force_login(UserFactory(role=Role.ADMIN))
    assert admin.get("/metrics").status_code == 200
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


@pytest.mark.django_db
def test_metrics_show_latency_by_route_health_and_the_case_queue(settings):
    settings.METRICS_TOKEN = "scrape-secret"
    Client().get("/healthz/live")
    body = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").content.decode()
    assert 'guanxi_http_request_duration_seconds_count{method="GET",route="healthz/live",status="200"}' in body
    assert 'guanxi_dependency_up{dependency="database"} 1.0' in body
    assert "guanxi_cases_open 0.0" in body and "guanxi_cases_breached_open 0.0" in body


def test_celery_task_runs_and_failures_are_counted():
    done = TASKS.labels("guanxi.tests.observed_task", "succeeded")._value.get()
    observed_task.delay()
    assert TASKS.labels("guanxi.tests.observed_task", "succeeded")._value.get() == done + 1
    failed = TASKS.labels("guanxi.tests.observed_task", "failed")._value.get()
    # As a worker runs it (an inline run in the tests re-raises before Celery records the failure).
    assert observed_task.apply(kwargs={"fail": True}, throw=False).failed()
    assert TASKS.labels("guanxi.tests.observed_task", "failed")._value.get() == failed + 1


@pytest.mark.django_db
def test_readiness_checks_the_database_and_its_migrations(monkeypatch):
    body = Client().get("/healthz/ready").json()
    assert body["status"] == "ok" and body["checks"]["migrations"]["status"] == "ok"
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.migration_plan",
                        lambda self, targets: [(type("M", (), {"__str__": lambda s: "customers.9999_next"})(), False)])
    response = Client().get("/healthz/ready")
    assert response.status_code == 503
    assert "customers.9999_next" in response.json()["checks"]["migrations"]["detail"]


@pytest.mark.django_db
def test_readiness_is_503_when_redis_is_configured_but_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz/ready")
    assert response.status_code == 503 and response.json()["checks"]["redis"]["status"] == "error"
    assert Client().get("/healthz/live").status_code == 200
