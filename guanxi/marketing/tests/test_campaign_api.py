"""The campaigns API: create → launch → members → responses → expenses → ROI, the list walked to its
end, and bad input answered with a clear 4xx that changes nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.marketing.services import campaigns as services

from .campaign_factories import make_campaign

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NEW = {"name": "会员日", "channels": ["sms"], "starts_on": "2026-03-01", "ends_on": "2026-03-31",
       "send_time": "10:00", "message_text": "会员日全场八折", "occupations": "医生", "budget": "5000"}


def test_the_whole_flow(admin):
    doctor = make_customer(admin, name="王医生", mobile="13800000001", occupation="医生")
    make_customer(admin, name="李老师", mobile="13800000002", occupation="教师")
    client = client_for(admin)
    with time_machine.travel(NOON, tick=False):
        created = post_json(client, "/api/v1/campaigns", NEW)
        assert created.status_code == 201, created.content
        campaign_id = created.json()["id"]
        launched = post_json(client, f"/api/v1/campaigns/{campaign_id}/launch", {})
        assert launched.status_code == 200 and launched.json()["members"] == 1
        again = post_json(client, f"/api/v1/campaigns/{campaign_id}/launch", {})
        assert_error_body(again, 409)
        duplicate = post_json(client, f"/api/v1/campaigns/{campaign_id}/members", {"customer": doctor.pk})
        assert assert_error_body(duplicate, 409)["code"] == "already_member"
        services.campaigns_send_due()
    members = client.get(f"/api/v1/campaigns/{campaign_id}/members").json()["items"]
    assert [m["customer"]["id"] for m in members] == [doctor.pk] and members[0]["status"] == "sent"
    resent = post_json(client, f"/api/v1/campaigns/{campaign_id}/members/{members[0]['id']}/send", {})
    assert assert_error_body(resent, 409)["code"] == "already_sent"
    response = post_json(client, f"/api/v1/campaigns/{campaign_id}/responses",
                         {"member": members[0]["id"], "kind": "interested", "channel": "sms", "create_lead": True})
    assert response.status_code == 201 and response.json()["lead"]
    expense = post_json(client, f"/api/v1/campaigns/{campaign_id}/expenses",
                        {"amount": "800", "category": "messaging", "spent_on": "2026-03-02", "channel": "sms"})
    assert expense.status_code == 201
    decided = post_json(client, f"/api/v1/campaigns/{campaign_id}/expenses/{expense.json()['id']}/decide",
                        {"approve": True})
    assert decided.json()["status"] == "approved"
    roi = client.get(f"/api/v1/campaigns/{campaign_id}/roi").json()
    assert float(roi["expenses"]) == 800 and "payments" in roi["sources"]


def test_opted_out_customer_explicitly_added_is_a_409(admin):
    lawyer = make_customer(admin, name="孙律师", mobile="13800000009", occupation="律师")
    other = make_customer(admin, name="周律师", mobile="13800000008", occupation="律师")
    client = client_for(admin)
    opted = post_json(client, "/api/v1/campaign-opt-outs", {"customer": other.pk, "channel": "all"})
    assert opted.status_code == 201
    campaign = make_campaign(occupations="律师")
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        before = rows_of("marketing")
        refused = post_json(client, f"/api/v1/campaigns/{campaign.pk}/members", {"customer": other.pk})
    assert assert_error_body(refused, 409)["code"] == "opted_out"
    assert rows_of("marketing") == before
    assert set(CampaignMember.objects.values_list("customer_id", flat=True)) == {lawyer.pk}


@pytest.mark.parametrize(("payload", "field"), [
    ({**NEW, "channels": ["fax"]}, "channels"),
    ({**NEW, "ends_on": "2026-02-01"}, "ends_on"),
    ({**NEW, "budget": "-1"}, "budget"),
    ({**NEW, "segments": [999999]}, "segments"),
    ({**NEW, "definition": {"match": "all", "rules": [{"field": "x", "op": "eq", "value": 1}]}}, "definition"),
])
def test_bad_campaign_input_is_a_422(admin, payload, field):
    assert_error_body(post_json(client_for(admin), "/api/v1/campaigns", payload), 422, field)
    assert not Campaign.objects.exists()


def test_negative_expense_is_a_422_in_chinese_and_english(admin):
    campaign = make_campaign()
    body = {"amount": "-10", "category": "gifts", "spent_on": "2026-03-01"}
    zh = assert_error_body(post_json(client_for(admin), f"/api/v1/campaigns/{campaign.pk}/expenses", body), 422,
                           "amount")
    en = assert_error_body(post_json(client_for(admin, HTTP_ACCEPT_LANGUAGE="en"),
                                     f"/api/v1/campaigns/{campaign.pk}/expenses", body), 422, "amount")
    assert en["fields"]["amount"] == "an amount above 0" and zh["fields"]["amount"] != en["fields"]["amount"]
    assert not campaign.expenses.exists()


def test_the_list_walks_to_the_end(admin):
    for n in range(5):
        make_campaign(name=f"活动{n}")
    client = client_for(admin)
    seen, url = [], "/api/v1/campaigns?limit=2"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = f"/api/v1/campaigns?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert len(seen) == len(set(seen)) == 5
    assert_error_body(client.get("/api/v1/campaigns?status=nope"), 422, "status")
