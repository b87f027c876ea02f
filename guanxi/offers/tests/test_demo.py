"""The offers demo step: a model trained on the demo customers, offers with reasons on their pages."""

import io

import pytest
from django.core.management import call_command

from guanxi.accounts.access import SYSTEM
from guanxi.core import demo
from guanxi.customers.demo.history import transactions_demo_load
from guanxi.customers.models import Customer
from guanxi.customers.offers import customer_offers
from guanxi.offers.demo import offers_demo_load
from guanxi.offers.models import OfferModel

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_offers_step_runs_after_the_ledger():
    steps = demo.loaded_demo_steps()
    assert steps.index(transactions_demo_load) < steps.index(offers_demo_load)


def test_demo_trains_a_model_whose_offers_carry_reasons(monkeypatch):
    steps = [s for s in demo.loaded_demo_steps()
             if s.__module__.startswith("guanxi.customers.") and s.__module__ != "guanxi.customers.demo.dedupe"]
    monkeypatch.setattr(demo, "DEMO_STEPS", [*steps, offers_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "300", "--seed", "3", stdout=out)
    assert "offer model v1" in out.getvalue()
    model = OfferModel.objects.get()
    assert model.is_active and model.customers == 300 and model.metrics["evaluated"] > 10
    served = [o for c in Customer.objects.filter(holdings__isnull=False).distinct()[:20]
              for o in customer_offers(customer=c, user=SYSTEM)]
    assert served and all(o.reason and "%" in o.reason for o in served)
    assert any(o.reason.startswith("持有") for o in served)
    rates = model.metrics["hit_rates"]
    assert model.algorithm != "popularity" and rates[model.algorithm]["hit_at_1"] > rates["popularity"]["hit_at_1"]
