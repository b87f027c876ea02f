import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from guanxi.core import demo
from guanxi.customers.enums import LifecycleStage
from guanxi.customers.models import Customer, Transaction
from guanxi.customers.selectors.history import billing_summary

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


# The day it failed (the 4th: most customers' bill of the month was not issued yet, and the bill
# before it was counted as the unpaid one) and a month end.
DAYS = [dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC), dt.datetime(2027, 1, 31, 15, 45, tzinfo=dt.UTC)]


@pytest.fixture(params=DAYS, ids=lambda d: f"{d:%Y-%m-%d}")
def ledger(request, monkeypatch):
    """A demo of 300 customers with this app's steps only, generated on a pinned day."""
    monkeypatch.setattr(demo, "DEMO_STEPS", [s for s in demo.loaded_demo_steps()
                                             if s.__module__ == "guanxi.customers.demo.history"])
    with time_machine.travel(request.param, tick=True):
        out = io.StringIO()
        call_command("demo", "--customers", "300", "--seed", "11", stdout=out)
        yield out.getvalue()


def test_the_demo_step_reports_its_ledger(ledger):
    assert "transactions (bills, payments, orders, refunds) over the last 3 years" in ledger


def test_every_row_is_valid_and_spans_three_years(ledger):
    now = timezone.now()
    span = Transaction.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    assert span["last"] <= now and now - span["first"] > dt.timedelta(days=2 * 365 + 300)
    assert span["first"] >= now - dt.timedelta(days=3 * 365 + 31)
    assert not Transaction.objects.filter(amount__lte=0).exists()
    assert set(Transaction.objects.values_list("kind", flat=True)) == {"order", "bill", "payment", "refund"}


def test_prospects_have_no_ledger_and_churned_customers_stopped_being_billed(ledger):
    assert not Transaction.objects.filter(customer__lifecycle_stage=LifecycleStage.PROSPECT).exists()
    recent = timezone.now() - dt.timedelta(days=45)
    churned = Customer.objects.filter(lifecycle_stage=LifecycleStage.CHURNED)
    assert churned.exists()
    assert not Transaction.objects.filter(customer__in=churned, kind="bill", occurred_at__gte=recent).exists()
    mature = Transaction.objects.filter(customer__lifecycle_stage=LifecycleStage.MATURE, kind="bill",
                                        occurred_at__gte=recent)
    assert mature.values("customer").distinct().count() > 10


def test_purchases_follow_a_repeat_buying_process(ledger):
    orders = Counter(dict(Transaction.objects.filter(kind="order").values_list("customer")
                          .annotate(n=Count("id")).values_list("customer", "n")))
    buyers = Customer.objects.exclude(lifecycle_stage=LifecycleStage.PROSPECT).count()
    one_time = sum(1 for n in orders.values() if n == 1)
    repeat = sum(1 for n in orders.values() if n >= 3)
    assert one_time >= 10 and repeat >= 10, (one_time, repeat)
    assert buyers - len(orders) >= 10  # and some never ordered anything
    assert max(orders.values()) >= 8  # a few frequent buyers


def test_customers_in_arrears_owe_money_and_the_others_mostly_do_not(ledger):
    billed = Customer.objects.filter(transactions__kind="bill").distinct()
    arrears = [billing_summary(customer=c) for c in billed.filter(overdue_count__gt=0)[:40]]
    punctual = [billing_summary(customer=c) for c in billed.filter(overdue_count=0)[:80]]
    assert arrears and all(s.outstanding > 0 for s in arrears)
    assert sum(s.is_overdue for s in arrears) >= len(arrears) * 0.6
    assert sum(s.is_overdue for s in punctual) <= len(punctual) * 0.2


def test_no_transaction_before_the_customer_was_created(ledger):
    assert Transaction.objects.exists()
    assert not Transaction.objects.filter(occurred_at__lt=F("customer__created_at")).exists()
