"""ROI arithmetic against hand-computed cases, with revenue sources registered by the test."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.marketing.revenue import register_campaign_revenue_source
from guanxi.marketing.selectors.campaigns import campaign_roi, ratio
from guanxi.marketing.services import campaigns as services

from .campaign_factories import START, make_campaign

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sources(monkeypatch):
    """Only the test's sources count."""
    from guanxi.marketing import revenue

    monkeypatch.setattr(revenue, "_SOURCES", {})
    yield register_campaign_revenue_source
    monkeypatch.setattr(revenue, "_SOURCES", {})


def _expense(campaign, amount, channel="", approve=True, on=START):
    expense = services.expense_submit(actor=SYSTEM, campaign=campaign, amount=amount, category="gifts",
                                      spent_on=on, channel=channel)
    if approve is not None:
        services.expense_decide(actor=SYSTEM, expense=expense, approve=approve)
    return expense


def test_ratio():
    assert ratio(D("15000"), D("10000")) == D("0.5000")
    assert ratio(D("0"), D("400")) == D("-1.0000")
    assert ratio(D("1000"), D("3000")) == D("-0.6667")
    assert ratio(D("500"), D("0")) is None


def test_roi_per_campaign_and_channel_by_hand(sources):
    a = make_campaign(channels=["sms", "email"])
    b = make_campaign(name="B", channels=["call"])
    # Revenue: a: sms 12,000 + 3,000 (second source), email 2,000, unknown 1,000; b: call 900.
    sources("one", "one", lambda ids, f, t: [(a.pk, "sms", D("12000")), (a.pk, "email", D("2000")),
                                            (b.pk, "call", D("900")), (999999, "sms", D("5"))])
    sources("two", "two", lambda ids, f, t: [(a.pk, "sms", D("3000")), (a.pk, "", D("1000"))])
    # Expenses: a: sms 4,000, email 1,000, shared 1,000 (approved); 7,000 rejected, 500 waiting; b: 1,200.
    _expense(a, "4000", "sms")
    _expense(a, "1000", "email")
    _expense(a, "1000")
    _expense(a, "7000", "sms", approve=False)
    _expense(a, "500", "sms", approve=None)
    _expense(b, "1200", "call")
    result = campaign_roi(campaign_ids=[a.pk, b.pk])
    ra, rb = result[a.pk], result[b.pk]
    assert (ra.revenue, ra.expenses) == (D("18000"), D("6000"))
    assert ra.roi == D("2.0000")  # (18,000 − 6,000) / 6,000
    assert ra.by_source == {"one": D("14000"), "two": D("4000")}
    assert ra.channels["sms"].revenue == D("15000") and ra.channels["sms"].roi == D("2.7500")  # 11,000 / 4,000
    assert ra.channels["email"].roi == D("1.0000")  # (2,000 − 1,000) / 1,000
    assert ra.channels[""].roi == D("0.0000")  # (1,000 − 1,000) / 1,000
    assert rb.roi == D("-0.2500")  # (900 − 1,200) / 1,200


def test_roi_without_expenses_is_none_and_dates_bound_expenses(sources):
    campaign = make_campaign()
    seen = []
    sources("one", "one", lambda ids, f, t: seen.append((f, t)) or [(campaign.pk, "sms", D("100"))])
    assert campaign_roi(campaign_ids=[campaign.pk])[campaign.pk].roi is None
    _expense(campaign, "50", on=START)
    _expense(campaign, "50", on=START + dt.timedelta(days=40))
    window = (START, START + dt.timedelta(days=10))
    roi = campaign_roi(campaign_ids=[campaign.pk], date_from=window[0], date_to=window[1])[campaign.pk]
    assert roi.expenses == D("50") and roi.roi == D("1.0000") and seen[-1] == window
