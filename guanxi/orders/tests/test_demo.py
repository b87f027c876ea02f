"""The orders demo: an order for every deal won, paid as each customer's habit has it, contracts and
renewals; the ledger holds each order, payment and refund once and agrees with the receivables."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum

from guanxi.accounts.models import User
from guanxi.catalog.demo import catalog_demo_load
from guanxi.core import demo
from guanxi.customers.models import Transaction
from guanxi.marketing.demo.campaigns import campaign_demo_load
from guanxi.orders import selectors
from guanxi.orders.demo import orders_demo_load
from guanxi.orders.models import Contract, Order, OrderLine, Payment
from guanxi.sales.demo.campaigns import OFFERS, campaign_deals_demo_load
from guanxi.sales.demo.opportunities import sales_demo_load
from guanxi.sales.models import Opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


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


def test_the_demo_campaign_deals_sell_catalogue_products_through_a_channel(monkeypatch):
    """Every deal the demo attributes to a campaign has a sales channel, a catalogue product of what its
    campaign promoted and (won) an order whose lines are of that product, so the sales analysis by
    channel and product and the campaigns' ROI count them."""
    monkeypatch.setattr(demo, "DEMO_STEPS", [catalog_demo_load, campaign_demo_load, campaign_deals_demo_load,
                                             orders_demo_load])
    call_command("demo", "--customers", "300", "--seed", "3", stdout=io.StringIO())
    deals = Opportunity.objects.filter(campaign__isnull=False).select_related("campaign", "product", "channel")
    assert deals.count() >= 20 and deals.filter(status="won").count() >= 5
    assert not deals.filter(Q(channel__isnull=True) | Q(product__isnull=True)).exists()
    for deal in deals:
        assert deal.product.model_code in OFFERS[deal.campaign.name][0], (deal.campaign.name, deal.product)
    # the call campaigns' responders are sold to by telesales or direct sales; several channels in all
    assert len(set(deals.values_list("channel__code", flat=True))) >= 3
    assert not deals.filter(campaign__channels=["call"]).exclude(channel__code__in=("telesales", "direct")).exists()
    # each won campaign deal's order consists of lines of the deal's product, adding up to its amount
    for deal in deals.filter(status="won"):
        lines = OrderLine.objects.filter(order__opportunity=deal)
        assert lines.exists() and set(lines.values_list("product_id", flat=True)) == {deal.product_id}
        assert sum(line.line_total for line in lines) == deal.amount
