"""Won deals attributed to a campaign are its revenue (the source sales registers for the campaigns' ROI)."""

from decimal import Decimal

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.selectors.campaigns import campaign_roi
from guanxi.marketing.services import campaigns as campaign_services
from guanxi.marketing.tests.campaign_factories import START, make_campaign
from guanxi.sales.services.opportunities import opportunity_win

from .factories import deal

pytestmark = pytest.mark.django_db
D = Decimal


def _expense(campaign, amount, channel):
    expense = campaign_services.expense_submit(actor=SYSTEM, campaign=campaign, amount=amount, category="gifts",
                                               spent_on=START, channel=channel)
    campaign_services.expense_decide(actor=SYSTEM, expense=expense, approve=True)


def test_sales_registers_won_deals_attributed_to_campaigns(admin):
    campaign = make_campaign(channels=["sms"])
    customer = make_customer(admin, name="赵六", mobile="13700000001")
    won = deal(admin, customer, amount="8000.00", campaign=campaign)
    opportunity_win(actor=admin, opportunity=won)
    deal(admin, customer, amount="5000.00", campaign=campaign)  # open: not counted
    _expense(campaign, "2000", "sms")
    roi = campaign_roi(campaign_ids=[campaign.pk])[campaign.pk]
    assert roi.by_source["won_deals"] == D("8000.00")
    assert roi.channels["sms"].revenue == D("8000.00")  # the campaign's only channel
    assert roi.roi == D("3.0000")
