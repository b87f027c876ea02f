import datetime as dt
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from guanxi.accounts.demo import MORE_PARTNERS
from guanxi.marketing.enums import CampaignStatus, LeadSource, LeadStatus
from guanxi.marketing.models import Campaign, CampaignExpense, Lead, WebForm
from guanxi.marketing.selectors.campaigns import campaign_roi

pytestmark = [pytest.mark.django_db, pytest.mark.demo]
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
def demo_company(django_db_setup, django_db_blocker):
    """The demo company of 400 customers, built once for the module (a minute) and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(NOW, tick=False):
            call_command("demo", customers=400, seed=7, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_demo_leads_make_a_meaningful_funnel():
    # The leads of this step (the sales demo adds those of the other partner organisations, the campaigns
    # demo its own).
    leads = list(Lead.objects.exclude(partner__name__in=[team for team, _region, _prefix in MORE_PARTNERS])
                 .exclude(source=LeadSource.CAMPAIGN))
    assert len(leads) == 240  # 3,000 at the full 5,000 customers
    assert WebForm.objects.filter(slug="contact").exists()
    assert {lead.source for lead in leads} >= {LeadSource.WEB_FORM, LeadSource.OUTLET, LeadSource.EVENT,
                                                LeadSource.PARTNER}
    assert min(lead.created_at for lead in leads) < NOW - dt.timedelta(days=400)
    assert max(lead.created_at for lead in leads) <= NOW
    counts = {status: sum(lead.status == status for lead in leads) for status in LeadStatus.values}
    assert all(counts.values()), counts
    worked = [lead for lead in leads if lead.status != LeadStatus.NEW]
    won = [lead for lead in worked if lead.status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED)]
    assert 0.1 < len(won) / len(worked) < 0.6
    for lead in leads:
        assert lead.contacted_at is None or lead.created_at < lead.contacted_at <= NOW
        if lead.status == LeadStatus.CONVERTED:
            assert lead.customer_id is not None and lead.qualified_at < lead.closed_at
        assert lead.history.exists()


def test_demo_campaigns_give_a_meaningful_roi():
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
