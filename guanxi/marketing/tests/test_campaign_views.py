"""The campaign pages: create with the target group's count, the campaign's page with its charts'
data, launch, responses, expenses and opt-outs through the forms."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.models import Campaign, CampaignMember, CampaignResponse, MarketingOptOut
from guanxi.marketing.services import campaigns as services

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FORM = {"name": "会员日", "channels": ["sms"], "starts_on": "2026-03-01", "ends_on": "2026-03-31",
        "send_time": "10:00", "message_text": "会员日八折", "occupations": "医生"}


@pytest.fixture
def client(admin):
    client = Client()
    client.force_login(admin)
    return client


def test_create_preview_launch_respond_and_spend(client, admin):
    doctor = make_customer(admin, name="王医生", mobile="13800000001", occupation="医生")
    make_customer(admin, name="李老师", mobile="13800000002", occupation="教师")
    preview = client.get(reverse("marketing:campaign_preview"), FORM)
    assert "1" in preview.content.decode() and preview.status_code == 200
    response = client.post(reverse("marketing:campaign_create"), FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    with time_machine.travel(NOON, tick=False):
        client.post(reverse("marketing:campaign_launch", args=[campaign.pk]))
        services.campaigns_send_due()
    member = campaign.members.get()
    assert member.customer == doctor
    client.post(reverse("marketing:campaign_response", args=[campaign.pk]),
                {"member": member.pk, "kind": "interested", "channel": "sms", "create_lead": "on"})
    assert CampaignResponse.objects.get().lead is not None
    client.post(reverse("marketing:campaign_expense", args=[campaign.pk]),
                {"amount": "300", "category": "messaging", "spent_on": "2026-03-02"})
    expense = campaign.expenses.get()
    client.post(reverse("marketing:campaign_expense_decide", args=[campaign.pk, expense.pk]), {"approve": "1"})
    page = client.get(reverse("marketing:campaign_detail", args=[campaign.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "gx-campaign-funnel" in text and "gx-campaign-roi-chart" in text
    assert "已批准" in text


def test_bad_form_input_is_a_400_and_nothing_saved(client):
    response = client.post(reverse("marketing:campaign_create"), {**FORM, "ends_on": "2026-02-01"})
    assert response.status_code == 400 and not Campaign.objects.exists()


def test_opt_outs_page_records_and_withdraws(client, admin):
    customer = make_customer(admin, name="孙七", mobile="13900000007")
    assert client.post(reverse("marketing:opt_outs"), {"customer": customer.pk, "channel": "sms"}).status_code == 302
    opt_out = MarketingOptOut.objects.get()
    assert "孙七" in client.get(reverse("marketing:opt_outs")).content.decode()
    client.post(reverse("marketing:opt_out_withdraw", args=[opt_out.pk]))
    assert not MarketingOptOut.objects.exists()


def test_the_unsubscribe_link_page(admin):
    customer = make_customer(admin, name="周八", mobile="13900000008", email="zhou@example.cn")
    campaign = services.campaign_create(actor=admin, data={**{k: v for k, v in FORM.items() if k != "occupations"},
                                                           "starts_on": dt.date(2026, 3, 1),
                                                           "ends_on": dt.date(2026, 3, 31), "channels": ["email"],
                                                           "send_time": dt.time(10)})
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        services.campaigns_send_due()
    token = services.unsubscribe_token(campaign.members.get(customer=customer))
    url = reverse("marketing_public:unsubscribe", args=[token])
    assert Client().get(url).status_code == 200
    assert Client().post(url).status_code == 200
    assert MarketingOptOut.objects.filter(customer=customer, channel="email").exists()
    assert Client().post(reverse("marketing_public:unsubscribe", args=["forged"])).status_code == 400


def _big_campaign(admin, members=55, sent=30, responses=52):
    """A launched campaign with `members` members (the first `sent` sent) and `responses` responses."""
    campaign = services.campaign_create(actor=admin, data={**{k: v for k, v in FORM.items() if k != "occupations"},
                                                           "starts_on": dt.date(2026, 3, 1),
                                                           "ends_on": dt.date(2026, 3, 31), "send_time": dt.time(10)})
    Campaign.objects.filter(pk=campaign.pk).update(status="running")
    customers = [make_customer(admin, name=f"客户{i:02d}", mobile=f"138000{i:05d}") for i in range(members)]
    rows = CampaignMember.objects.bulk_create(
        CampaignMember(campaign=campaign, customer=c, added_at=NOON, status="sent" if i < sent else "pending",
                       sent_at=NOON if i < sent else None) for i, c in enumerate(customers))
    CampaignResponse.objects.bulk_create(CampaignResponse(member=rows[i % sent], kind="interested",
                                                          note=f"note-{i:02d}", responded_at=NOON)
                                         for i in range(responses))
    return campaign


def _member_rows(html: str) -> int:
    return html.split('id="gx-campaign-responses"')[0].count('<tr><td><a href="/customers/')


def test_the_campaign_page_pages_members_and_responses_by_50(client, admin):
    campaign = _big_campaign(admin)
    url = reverse("marketing:campaign_detail", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert _member_rows(page) == 50 and page.count("note-") == 50
    assert 'href="?page=2"' in page and 'href="?responses_page=2"' in page and 'id="gx-member-filter"' in page

    # htmx: the pager's target names the list; only that list comes back.
    second = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="gx-campaign-members")
    html = second.content.decode()
    assert second.status_code == 200 and "<html" not in html and _member_rows(html) == 5
    more = client.get(url, {"responses_page": 2, "page": 2}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="gx-campaign-responses").content.decode()
    assert "<html" not in more and more.count("note-") == 2 and 'href="?page=2&amp;responses_page=1"' in more

    # Normal links (no JavaScript) give the whole page with both lists at their pages.
    whole = client.get(url, {"page": 2, "responses_page": 2}).content.decode()
    assert "<html" in whole and _member_rows(whole) == 5 and whole.count("note-") == 2


def test_the_campaign_members_filter_by_status(client, admin):
    campaign = _big_campaign(admin)
    url = reverse("marketing:campaign_detail", args=[campaign.pk])
    pending = client.get(url, {"status": "pending"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="gx-campaign-members").content.decode()
    assert _member_rows(pending) == 25 and "page=2" not in pending and 'aria-current="true"' in pending
    assert _member_rows(client.get(url, {"status": "converted"}).content.decode()) == 0
    assert _member_rows(client.get(url, {"status": "nonsense", "page": "x"}).content.decode()) == 50
