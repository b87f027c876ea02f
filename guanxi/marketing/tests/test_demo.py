import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from guanxi.accounts.demo import MORE_PARTNERS
from guanxi.marketing.enums import LeadSource, LeadStatus
from guanxi.marketing.models import Lead, WebForm

pytestmark = [pytest.mark.django_db, pytest.mark.demo]
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_demo_leads_make_a_meaningful_funnel():
    with time_machine.travel(NOW, tick=False):
        call_command("demo", customers=400, seed=7, stdout=io.StringIO())
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
