"""What orders gives the lower apps' registries: payments received (回款) as a campaign's revenue, ended
contracts for the 公海 pool's rule."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.marketing.selectors.campaigns import campaign_roi
from guanxi.marketing.services import campaigns as campaign_services
from guanxi.marketing.tests.campaign_factories import START, make_campaign
from guanxi.orders import services
from guanxi.orders.sources import customers_with_contracts_ended
from guanxi.sales.services.opportunities import opportunity_win
from guanxi.sales.tests.factories import deal

from .factories import DAY, order, pay, world

pytestmark = pytest.mark.django_db
D = Decimal


def _approved_expense(campaign, amount, channel):
    expense = campaign_services.expense_submit(actor=SYSTEM, campaign=campaign, amount=amount, category="gifts",
                                               spent_on=START, channel=channel)
    campaign_services.expense_decide(actor=SYSTEM, expense=expense, approve=True)


def test_a_campaign_earns_what_was_received_on_the_deals_it_brought_less_refunds():
    w = world()
    rep, customer, product = w["rep"], w["customer"], w["product"]
    campaign = make_campaign(channels=["sms"])
    won = deal(rep, customer, amount="2000.00", campaign=campaign)
    opportunity_win(actor=rep, opportunity=won)
    attributed = order(rep, customer, product, quantity=2, opportunity=won)  # 2,000 owed
    unattributed = order(rep, customer, product, quantity=1)
    payment = pay(rep, customer, "2500.00", orders=[(attributed, "1500.00"), (unattributed, "1000.00")])
    services.refund_record(actor=rep, payment=payment, amount=D("300.00"), refunded_on=DAY, reason="退一部分",
                           order=attributed)
    _approved_expense(campaign, "400", "sms")

    roi = campaign_roi(campaign_ids=[campaign.pk])[campaign.pk]
    assert roi.by_source == {"payments": D("1200.00")}  # 1,500 received − 300 refunded; won amounts not counted
    assert roi.channels["sms"].revenue == D("1200.00")  # the campaign's only channel
    assert roi.roi == D("2.0000")  # (1,200 − 400) / 400
    later = campaign_roi(campaign_ids=[campaign.pk], date_from=DAY + dt.timedelta(days=1))[campaign.pk]
    assert later.revenue == 0


def test_the_pool_learns_whose_contracts_ended():
    w = world()
    rep, customer = w["rep"], w["customer"]
    old = services.contract_create(actor=rep, customer=customer, title="2025 宽带", amount=D("1000"),
                                   starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))
    services.contract_activate(actor=rep, contract=old)
    assert list(customers_with_contracts_ended(dt.date(2026, 3, 1))) == [{"customer_id": customer.pk}]
    assert not customers_with_contracts_ended(dt.date(2025, 6, 1)).exists()  # still running then
    renewal = services.contract_create(actor=rep, customer=customer, title="2026 宽带", amount=D("1000"),
                                       starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), renews=old)
    services.contract_activate(actor=rep, contract=renewal)
    assert not customers_with_contracts_ended(dt.date(2026, 3, 1)).exists()  # renewed: a contract runs
