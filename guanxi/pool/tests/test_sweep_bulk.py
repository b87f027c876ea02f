"""The sweep at scale: returns and warnings in batches (each batch whole or not at all), many
owners told in one go, an idempotent rerun, and a number of statements that does not grow with
the records."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Customer
from guanxi.tasks.models import Task

from .. import services
from ..enums import EventKind
from ..models import PoolEvent, PoolWarning
from .factories import owned_customer, rule, sales_team

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
START, WARN, RETURN = (dt.datetime(2030, 3, d, 10, tzinfo=TZ) for d in (1, 26, 31))


def _sweep(moment):
    with time_machine.travel(moment, tick=False):
        return services.pool_sweep(now=timezone.now())


def _world(owners: int, each: int):
    """`owners` representatives of one team holding `each` customers, all untouched since START."""
    team = sales_team()[0]
    reps = [UserFactory(role=Role.SALES_REP, team=team) for _ in range(owners)]
    with time_machine.travel(START, tick=False):
        customers = [owned_customer(rep, name=f"客户{i}-{j}", mobile=f"139{i:04d}{j:04d}")
                     for i, rep in enumerate(reps) for j in range(each)]
    return reps, customers


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)


def test_many_owners_each_get_one_task_over_many_batches(small_batches):
    rule(days=30, warn_days=5)
    reps, customers = _world(owners=4, each=3)
    result = _sweep(WARN)
    assert result == {"returned": 0, "warned": 12, "owners_told": 4}
    for rep in reps:
        task = Task.objects.get(assignee=rep)
        assert task.customer is None and task.team_id == rep.team_id and "3" in task.subject
        assert task.source_url == reverse("pool:mine") and task.source_label  # several: the owner's records
        assert task.history.count() == 1
    assert PoolEvent.objects.filter(kind=EventKind.WARNING).count() == 12
    assert _sweep(RETURN) == {"returned": 12, "warned": 0, "owners_told": 0}
    assert not Customer.objects.filter(owner__isnull=False).exists()
    events = PoolEvent.objects.filter(kind=EventKind.RETURN)
    assert {(e.customer_id, e.owner_id) for e in events} == {(c.pk, c.owner_id) for c in customers}
    assert not PoolWarning.objects.exists()


def test_a_single_warning_names_its_customer():
    rule(days=30, warn_days=5)
    (rep,), (customer,) = _world(owners=1, each=1)
    _sweep(WARN)
    task = Task.objects.get(assignee=rep)
    assert task.customer == customer and task.source == customer and task.source_label == customer.name
    assert task.source_url == reverse("customers:detail", args=[customer.pk])


def test_the_owners_task_page_links_to_the_warned_customer(client):
    rule(days=30, warn_days=5)
    (rep,), (customer,) = _world(owners=1, each=1)
    _sweep(WARN)
    task = Task.objects.get(assignee=rep)
    client.force_login(rep)
    page = client.get(reverse("tasks:detail", args=[task.pk]))
    assert page.status_code == 200
    assert f'href="{reverse("customers:detail", args=[customer.pk])}"' in page.content.decode()
    assert client.get(task.source_url).status_code == 200


def test_a_rerun_warns_and_returns_nothing_twice(small_batches):
    rule(days=30, warn_days=5)
    _world(owners=2, each=3)
    assert _sweep(WARN)["warned"] == 6
    assert _sweep(WARN) == {"returned": 0, "warned": 0, "owners_told": 0}
    assert PoolWarning.objects.count() == 6 and Task.objects.count() == 2
    assert _sweep(RETURN)["returned"] == 6
    assert _sweep(RETURN)["returned"] == 0
    assert PoolEvent.objects.filter(kind=EventKind.RETURN).count() == 6


def test_a_crash_leaves_whole_batches_and_the_rerun_finishes(small_batches, monkeypatch):
    rule(days=30)
    _world(owners=1, each=5)
    calls, real = [], PoolWarning.objects.filter

    def failing(*args, **kwargs):  # the batch's last statement: its events and owners are written
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(PoolWarning.objects, "filter", failing)
    with pytest.raises(RuntimeError):
        _sweep(RETURN)
    assert Customer.objects.filter(owner__isnull=True).count() == 2  # the first batch, whole
    assert PoolEvent.objects.filter(kind=EventKind.RETURN).count() == 2
    monkeypatch.setattr(PoolWarning.objects, "filter", real)
    assert _sweep(RETURN)["returned"] == 3
    assert PoolEvent.objects.filter(kind=EventKind.RETURN).count() == 5


def test_a_crash_while_warning_writes_no_warning_and_no_task(small_batches, monkeypatch):
    rule(days=30, warn_days=5)
    _world(owners=2, each=2)
    monkeypatch.setattr(services, "task_create_many", lambda **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        _sweep(WARN)
    assert not PoolWarning.objects.exists() and not PoolEvent.objects.exists()
    monkeypatch.undo()
    assert _sweep(WARN)["warned"] == 4 and Task.objects.count() == 2


def _statements(moment) -> int:
    with CaptureQueriesContext(connection) as queries:
        _sweep(moment)
    return len(queries)


@pytest.mark.parametrize("moment", [WARN, RETURN])
def test_the_statements_do_not_grow_with_the_records_or_owners(moment):
    rule(days=30, warn_days=5)
    _world(owners=1, each=1)
    few = _statements(moment)
    Customer.objects.update(owner=None)
    PoolWarning.objects.all().delete()
    _world(owners=6, each=5)
    assert _statements(moment) == few


def test_deleting_a_customer_still_deletes_its_log_and_warnings():
    """The log and the warnings have no database foreign keys to the records (the sweep writes
    them by the hundred thousand); deleting a record still takes its rows with it."""
    rule(days=30, warn_days=10)
    (_rep, *_), (gone, kept, *_) = _world(owners=1, each=3)
    _sweep(WARN)
    assert PoolWarning.objects.filter(customer=gone).exists()
    assert PoolEvent.objects.filter(customer=gone).exists()
    gone.delete()
    assert not PoolWarning.objects.filter(customer_id=gone.pk).exists()
    assert not PoolEvent.objects.filter(customer_id=gone.pk).exists()
    assert PoolWarning.objects.filter(customer=kept).count() == PoolEvent.objects.filter(customer=kept).count() == 1
