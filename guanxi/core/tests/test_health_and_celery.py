import os
import socket

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Customer
from guanxi.customers.tasks import reindex_customer_search
from guanxi.customers.tests.factories import make_customer

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
def test_reindex_task_runs_inline_without_redis():
    admin = UserFactory(role=Role.ADMIN)
    customer = make_customer(admin, name="张三")
    Customer.objects.filter(pk=customer.pk).update(search_document="", name_initials="")
    assert reindex_customer_search.delay(batch_size=1).get() == 1
    assert Customer.objects.get(pk=customer.pk).name_initials == "zs"


@pytest.fixture(scope="session")
def celery_config():
    return {"broker_url": REDIS_URL, "result_backend": REDIS_URL, "task_always_eager": False}


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_reindex_task_round_trips_through_a_real_celery_worker_on_redis(celery_app, celery_worker):
    admin = UserFactory(role=Role.ADMIN)
    customer = make_customer(admin, name="李四")
    Customer.objects.filter(pk=customer.pk).update(name_initials="")
    result = reindex_customer_search.delay(batch_size=100)
    assert celery_app.conf.broker_url == REDIS_URL and result.get(timeout=20) == 1
    assert Customer.objects.get(pk=customer.pk).name_initials == "ls"
