"""A converted lead's deal stores the source's code and shows its label; the opportunities API reads
and writes the campaign a deal is attributed to (launched campaigns only, a 422 otherwise)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.enums import CampaignStatus, LeadSource
from guanxi.marketing.models import Campaign
from guanxi.marketing.tests.campaign_factories import make_campaign
from guanxi.marketing.tests.factories import make_lead
from guanxi.sales.services.conversion import lead_convert

from .factories import deal, sales_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return sales_team()[2][0]


def _launched(name: str) -> Campaign:
    campaign = make_campaign(name=name)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SCHEDULED)
    return campaign


def test_conversion_stores_the_source_code_and_the_page_shows_its_label(rep, client):
    lead = make_lead(rep, person_name="王芳", mobile="13612345678", source=LeadSource.OUTLET)
    with translation.override("zh-hans"):
        opportunity = lead_convert(actor=rep, lead=lead, amount=Decimal("800"),
                                   expected_close_date=dt.date(2030, 6, 30)).opportunity
    assert opportunity.source == "outlet"
    with translation.override("zh-hans"):
        assert opportunity.source_label == str(LeadSource.OUTLET.label) != "outlet"
    client.force_login(rep)
    page = client.get(f"/sales/opportunities/{opportunity.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "营业厅" in page and ">outlet<" not in page
    body = client_for(rep, HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/opportunities/{opportunity.pk}").json()
    assert (body["source"], body["source_label"]) == ("outlet", "Outlet")


def test_free_text_sources_show_as_they_are(rep):
    assert deal(rep, source="老客户推荐").source_label == "老客户推荐"


def test_the_api_reads_and_writes_the_campaign(rep):
    client = client_for(rep)
    spring, autumn = _launched("春季宽带升级"), _launched("秋季融合套餐")
    customer = make_customer(rep, name="星河科技")
    created = post_json(client, "/api/v1/opportunities", {
        "customer": customer.pk, "name": "企业专线", "amount": "1000", "expected_close_date": "2030-06-30",
        "campaign": spring.pk})
    assert created.status_code == 201, created.content
    assert created.json()["campaign"] == {"id": spring.pk, "name": "春季宽带升级"}
    url = f"/api/v1/opportunities/{created.json()['id']}"
    changed = client.patch(url, data={"campaign": autumn.pk}, content_type="application/json").json()
    assert changed["campaign"]["id"] == autumn.pk
    cleared = client.patch(url, data={"campaign": None}, content_type="application/json").json()
    assert cleared["campaign"] is None
    listed = client.get("/api/v1/opportunities").json()["items"]
    assert listed[0]["campaign"] is None and "source_label" in listed[0]


def test_a_draft_or_unknown_campaign_is_refused_and_nothing_changes(rep):
    client = client_for(rep)
    draft = make_campaign(name="草稿活动")
    opportunity = deal(rep)
    before = rows_of("sales")
    for campaign_id in (draft.pk, 10**9):
        response = client.patch(f"/api/v1/opportunities/{opportunity.pk}", data={"campaign": campaign_id},
                                content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert_error_body(response, 422, "campaign")
        assert "launched" not in response.json()["fields"]["campaign"]
    assert rows_of("sales") == before


def test_the_deal_page_links_the_campaign_only_for_those_who_may_open_it(rep):
    from django.test import Client

    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory

    opportunity = deal(rep, campaign=_launched("春季宽带升级"))
    link = f'href="/marketing/campaigns/{opportunity.campaign_id}/"'
    for user, linked in ((rep, True), (UserFactory(role=Role.AGENT), False)):
        web = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        web.force_login(user)
        page = web.get(f"/sales/opportunities/{opportunity.pk}/").content.decode()
        assert "春季宽带升级" in page and (link in page) is linked
        assert web.get(f"/marketing/campaigns/{opportunity.campaign_id}/").status_code == (200 if linked else 404)
