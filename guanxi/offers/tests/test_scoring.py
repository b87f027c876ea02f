"""Scoring one customer: one query whatever the customer holds, the fitted model loaded once per
process and version, and a retrained model used from the next scoring on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.customers.enums import HoldingStatus
from guanxi.customers.models import Holding
from guanxi.customers.services.history import transaction_record
from guanxi.offers import selectors, services

from .factories import hold, make_customer, offer_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin):
    return offer_world(admin)


@pytest.fixture
def trained(world):
    return services.offer_model_train(actor=SYSTEM, seed=3)


@pytest.fixture
def busy(admin, trained):
    """A customer with holdings (one ended, one a competitor's), bills in and out of the last year
    and a declined offer."""
    customer = make_customer(admin, name="忙碌客户")
    hold(customer, "宽带 500M", "视频彩铃", competitor="宽带")
    Holding.objects.create(customer=customer, product="魔百和 IPTV", category="魔百和", status=HoldingStatus.ENDED)
    now = timezone.now()
    for amount, days in (("120.50", 3), ("80.00", 200), ("999.00", 400)):
        transaction_record(actor=admin, customer=customer, kind="bill", amount=amount,
                           occurred_at=now - dt.timedelta(days=days))
    transaction_record(actor=admin, customer=customer, kind="payment", amount="50.00",
                       occurred_at=now - dt.timedelta(days=1))
    services.offer_feedback_record(actor=admin, customer=customer, product="魔百和 IPTV", outcome="declined")
    return customer


def test_the_scoring_query_reads_holdings_spend_and_declines(trained, busy):
    facts = selectors._scoring_facts(busy, timezone.now())
    assert facts.model_key == (trained.pk, trained.version, trained.finished_at)
    assert facts.held == {"宽带 500M", "视频彩铃"} and facts.competitor == {"宽带"}
    assert facts.spend == pytest.approx(float(Decimal("200.50")))  # bills of the last year, not payments
    assert facts.declined == {"魔百和 IPTV"}


def test_scoring_costs_one_query_whatever_the_customer_holds(trained, world, busy, admin, monkeypatch):
    bare = make_customer(admin, name="新客户")
    monkeypatch.setattr(selectors, "_LOADED", {})  # a process that has not met the model yet
    counts, offered = {}, {}
    for name, customer in (("first", world["target"]), ("target", world["target"]), ("busy", busy),
                           ("bare", bare)):
        with CaptureQueriesContext(connection) as queries:
            result = selectors.customer_suggestions(user=admin, customer=customer)
        counts[name] = len(queries)
        offered[name] = [s.product for s in result.suggestions]
        assert result.model == trained
    # The first scoring also reads the model's row and its fitted arrays.
    assert counts == {"first": 3, "target": 1, "busy": 1, "bare": 1}
    assert offered["target"] == ["魔百和 IPTV", "视频彩铃"]
    assert offered["busy"] == []  # holds the other two, declined IPTV
    assert sorted(offered["bare"]) == ["宽带 500M", "视频彩铃", "魔百和 IPTV"]


def test_a_retrained_model_replaces_the_one_this_process_holds(trained, world, admin):
    target = world["target"]
    before = selectors.customer_suggestions(user=admin, customer=target)
    assert before.model == trained and before.suggestions[0].product == "魔百和 IPTV"
    for n in range(30):  # broadband customers now mostly take 亲情网
        hold(make_customer(admin, name=f"亲情客户{n}"), "宽带 500M", "亲情网")
    # Trained as another process would: nothing tells this process, whose scoring sees the new
    # version in the registry.
    retrained = services.offer_model_train(actor=SYSTEM, seed=3)
    after = selectors.customer_suggestions(user=admin, customer=target)
    assert after.model == retrained and after.model.version == 2
    assert after.suggestions[0].product == "亲情网"
    assert list(selectors._LOADED) == [(retrained.pk, 2, retrained.finished_at)]  # the older one is let go
