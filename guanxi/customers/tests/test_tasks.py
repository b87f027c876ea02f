import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.tests.test_health import REDIS_URL, needs_redis
from guanxi.customers.models import Customer
from guanxi.customers.tasks import reindex_customer_search
from guanxi.customers.tests.factories import make_customer


@pytest.mark.django_db
def test_reindex_task_runs_inline_without_redis():
    admin = UserFactory(role=Role.ADMIN)
    customer = make_customer(admin, name="张三")
    Customer.objects.filter(pk=customer.pk).update(name_initials="")
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
