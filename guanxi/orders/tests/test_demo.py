"""The orders demo: an order for every deal won, paid as each customer's habit has it, contracts and
renewals; the ledger holds each order, payment and refund once and agrees with the receivables."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from guanxi.accounts.models import User
from guanxi.catalog.demo import catalog_demo_load
from guanxi.core import demo
from guanxi.customers.models import Transaction
from guanxi.orders import selectors
from guanxi.orders.demo import orders_demo_load
from guanxi.orders.models import Contract, Order, Payment
from guanxi.sales.demo.opportunities import sales_demo_load
from guanxi.sales.models import Opportunity

pytestmark = pytest.mark.django_db


def test_the_demo_sells_the_won_deals_and_fills_the_ageing_report(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [catalog_demo_load, sales_demo_load, orders_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "300", "--seed", "3", stdout=out)
    assert "orders" in out.getvalue()
    won = Opportunity.objects.filter(status="won", amount__gt=0).count()
    assert Order.objects.count() == won >= 10
    assert Contract.objects.filter(renews__isnull=False).exists() or Contract.objects.filter(status="active").exists()
    # each order, payment and refund is in the ledger once, and the amounts agree
    sold = Order.objects.filter(status__in=("confirmed", "delivered")).aggregate(s=Sum("total"))["s"]
    ledger = Transaction.objects.filter(external_id__startswith="order:")
    ordered = ledger.filter(kind="order").aggregate(s=Sum("amount"))["s"]
    reversed_ = ledger.filter(kind="reversal").aggregate(s=Sum("amount"))["s"] or 0
    assert ordered - reversed_ == sold
    paid = Transaction.objects.filter(external_id__startswith="payment:").aggregate(s=Sum("amount"))["s"]
    assert paid == Payment.objects.aggregate(s=Sum("amount"))["s"]
    report = selectors.ageing_report(user=User.objects.get(username="admin"), by="customer")
    assert sum(1 for value in report.totals.values() if value > 0) >= 2
