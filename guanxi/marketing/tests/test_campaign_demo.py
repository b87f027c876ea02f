import datetime as dt
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from guanxi.marketing.enums import CampaignStatus
from guanxi.marketing.models import Campaign, CampaignExpense, Lead
from guanxi.marketing.selectors.campaigns import campaign_roi

pytestmark = [pytest.mark.django_db, pytest.mark.demo]
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_demo_campaigns_give_a_meaningful_roi():
    with time_machine.travel(NOW, tick=False):
        call_command("demo", customers=400, seed=7, stdout=io.StringIO())
    campaigns = list(Campaign.objects.all())
    assert len(campaigns) == 12
    assert {c.status for c in campaigns} >= {CampaignStatus.COMPLETED, CampaignStatus.CANCELLED}
    assert min(c.starts_on for c in campaigns) < (NOW - dt.timedelta(days=600)).date()
    assert Lead.objects.filter(campaign__isnull=False).exists()
    assert CampaignExpense.objects.filter(status="approved").exists()
    roi = campaign_roi(campaign_ids=[c.pk for c in campaigns])
    with_money = [r for r in roi.values() if r.revenue and r.expenses]
    assert len(with_money) >= 7
    assert any(len([ch for ch in r.channels.values() if ch.roi is not None]) >= 2 for r in with_money)
    # the deals still open on the board are expected to close ahead, not overdue since an old campaign
    open_deals = apps.get_model("sales", "Opportunity").objects.filter(status="open")  # sales sits above marketing
    assert open_deals.filter(campaign__isnull=False).exists()
    assert not open_deals.filter(expected_close_date__lt=(NOW - dt.timedelta(days=30)).date()).exists()
