"""The demo's deliberate duplicates end up in the review queue."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from guanxi.accounts.models import User
from guanxi.core import demo
from guanxi.customers.demo.dedupe import duplicates_demo_load
from guanxi.customers.demo.history import interactions_demo_load, transactions_demo_load
from guanxi.customers.models import Customer, DedupeScan, MatchCandidate
from guanxi.customers.selectors.customers import customer_list

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_demo_enters_customers_twice_and_the_scan_finds_them(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [duplicates_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "300", "--seed", "5", stdout=out)
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    originals, duplicates = set(ids[:300]), set(ids[300:])
    assert len(duplicates) >= 5
    scan = DedupeScan.objects.get()
    assert scan.status == "done" and scan.total == len(ids)
    pairs = list(MatchCandidate.objects.filter(status="pending").values_list("left_id", "right_id"))
    found = {right for left, right in pairs if left in originals and right in duplicates}
    assert len(found) >= 0.7 * len(duplicates)
    assert "entered twice" in out.getvalue()


def test_the_planted_duplicates_are_not_the_first_page(monkeypatch):
    # Given the demo with its deliberate duplicates (entered by the services, some time ago)
    monkeypatch.setattr(demo, "DEMO_STEPS", [interactions_demo_load, transactions_demo_load, duplicates_demo_load])
    now = dt.datetime(2027, 10, 3, 4, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=True):
        call_command("demo", "--customers", "200", "--seed", "5", stdout=io.StringIO())
    duplicates = Customer.objects.filter(pk__gt=Customer.objects.order_by("pk")[199].pk)
    assert duplicates.exists()
    # each second record is dated after its first one, two weeks ago at the latest
    assert not duplicates.filter(created_at__gt=now - dt.timedelta(days=14)).exists()
    assert not duplicates.filter(updated_at__gt=now - dt.timedelta(days=14)).exists()
    # then the customer list (newest changes first) opens on customers with a history, not on them
    admin = User.objects.get(username="admin")
    first_page = list(customer_list(user=admin)[:25])
    assert not set(first_page) & set(duplicates)
    assert all(c.interactions.exists() or c.transactions.exists() for c in first_page)
