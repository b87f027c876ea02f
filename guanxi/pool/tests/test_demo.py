"""The pool demo: rules and limits, customers released into the pool, claims, an assignment, and
the sweep's warnings and returns in the log."""

import io

import pytest
from django.core.management import call_command

from guanxi.core import demo
from guanxi.customers.models import Customer
from guanxi.pool.demo import pool_demo_load
from guanxi.pool.models import ClaimLimit, Holding, PoolEvent, PoolRule

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_demo_fills_the_pool_and_its_log(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [pool_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "300", "--seed", "3", stdout=out)
    assert "pool rules" in out.getvalue()
    assert PoolRule.objects.count() == 4 and ClaimLimit.objects.count() == 3
    kinds = set(PoolEvent.objects.values_list("kind", flat=True))
    assert {"release", "claim", "assign"} <= kinds and kinds & {"warning", "return"}
    assert Customer.objects.filter(owner__isnull=True).exists() and Holding.objects.exists()
