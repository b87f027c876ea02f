"""The demo's deliberate duplicates end up in the review queue."""

import io

import pytest
from django.core.management import call_command

from guanxi.customers import demo
from guanxi.customers.models import Customer, DedupeScan, MatchCandidate

pytestmark = pytest.mark.django_db


def test_demo_enters_customers_twice_and_the_scan_finds_them(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", ["guanxi.customers.linkage.demo.duplicates_demo_load"])
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
