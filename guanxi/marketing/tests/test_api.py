import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.models import Lead

from .factories import make_lead

pytestmark = pytest.mark.django_db


def test_capture_normalises_and_reports_duplicates(admin):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    earlier = make_lead(person_name="王芳", email="wf@qq.com")
    response = post_json(client_for(admin), "/api/v1/leads", {
        "person_name": "王芳", "mobile": "138-0013-8000", "email": "WF@qq.com", "interest": "千兆宽带"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mobile"] == "+8613800138000" and body["email"] == "wf@qq.com" and body["source"] == "api"
    assert body["customer"]["id"] == customer.pk and body["owner"]["id"] == admin.pk
    assert [m["id"] for m in body["duplicates"]["leads"]] == [earlier.pk]
    assert [m["id"] for m in body["duplicates"]["customers"]] == [customer.pk]


@pytest.mark.parametrize(("payload", "field"), [
    ({"person_name": "王"}, "mobile"),
    ({"person_name": "王", "mobile": "12345"}, "mobile"),
    ({"mobile": "13800138000"}, "person_name"),
    ({"person_name": "王", "email": "x@y.cn", "source": "fax"}, "source"),
    ({"person_name": "王", "email": "x@y.cn", "timeline": "someday"}, "timeline"),
    ({"person_name": "王", "email": "x@y.cn", "budget": -5}, "budget"),
])
def test_bad_input_is_a_422_with_the_field(admin, payload, field):
    response = post_json(client_for(admin, HTTP_ACCEPT_LANGUAGE="zh-hans"), "/api/v1/leads", payload)
    assert_error_body(response, 422, field)
    assert not Lead.objects.exists()


def test_error_messages_are_chinese_by_default_and_english_on_request(admin):
    zh = assert_error_body(post_json(client_for(admin), "/api/v1/leads", {"person_name": "王"}), 422, "mobile")
    en = assert_error_body(post_json(client_for(admin, HTTP_ACCEPT_LANGUAGE="en"), "/api/v1/leads",
                                     {"person_name": "王"}), 422, "mobile")
    assert en["fields"]["mobile"] == "give a mobile, a phone or an e-mail address"
    assert zh["fields"]["mobile"] != en["fields"]["mobile"]


def test_list_filters_and_walks_to_the_end(admin):
    for n in range(7):
        make_lead(person_name=f"客户{n}", mobile=f"1390000000{n}", source="event" if n % 2 else "web_form")
    client = client_for(admin)
    seen, url = [], "/api/v1/leads?page_size=3&source=event"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = f"/api/v1/leads?page_size=3&source=event&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert len(seen) == len(set(seen)) == 3
    assert client.get("/api/v1/leads?q=13900000002").json()["count"] == 1
    assert client.get("/api/v1/leads?unowned=true").json()["count"] == 7
    assert_error_body(client.get("/api/v1/leads?status=lost"), 422, "status")
    assert_error_body(client.get("/api/v1/leads?cursor=garbage"), 422, "cursor")


def test_workflow_over_the_api(admin):
    lead = make_lead()
    client = client_for(admin)
    assert post_json(client, f"/api/v1/leads/{lead.pk}/contact", {}).json()["status"] == "contacted"
    body = post_json(client, f"/api/v1/leads/{lead.pk}/qualify", {"budget": "8000", "timeline": "month"}).json()
    assert (body["status"], body["budget"], body["timeline"]) == ("qualified", "8000.00", "month")
    assert_error_body(post_json(client, f"/api/v1/leads/{lead.pk}/disqualify", {"reason": "bored"}), 422, "reason")
    body = post_json(client, f"/api/v1/leads/{lead.pk}/disqualify", {"reason": "no_budget"}).json()
    assert body["status"] == "disqualified" and body["disqualify_reason"] == "no_budget"
    assert_error_body(post_json(client, f"/api/v1/leads/{lead.pk}/qualify", {}), 409)
    response = client.patch(f"/api/v1/leads/{lead.pk}", data={"city": "深圳", "mobile": "bad"},
                            content_type="application/json")
    assert_error_body(response, 422, "mobile")
    response = client.patch(f"/api/v1/leads/{lead.pk}", data={"city": "深圳"}, content_type="application/json")
    assert response.json()["city"] == "深圳"


def test_analysts_read_every_lead_masked_and_change_nothing(admin):
    lead = make_lead(mobile="13812345678", email="li@qq.com", interest="回电 13812345678")
    analyst = UserFactory(role=Role.ANALYST)
    body = client_for(analyst).get(f"/api/v1/leads/{lead.pk}").json()
    assert body["mobile"] == "+86138****5678" and body["email"] == "l***@qq.com" and body["personal_data_masked"]
    assert "13812345678" not in body["interest"]
    assert_error_body(post_json(client_for(analyst), f"/api/v1/leads/{lead.pk}/contact", {}), 403)
    assert client_for(admin).get(f"/api/v1/leads/{lead.pk}").json()["mobile"] == "+8613812345678"


def test_a_rep_sees_own_and_pool_leads_not_a_colleagues(admin):
    rep, colleague = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    mine, pool = make_lead(rep), make_lead(mobile="13700000001")
    theirs = make_lead(colleague, mobile="13700000002")
    client = client_for(rep)
    ids = {item["id"] for item in client.get("/api/v1/leads").json()["items"]}
    assert ids == {mine.pk, pool.pk}
    assert_error_body(client.get(f"/api/v1/leads/{theirs.pk}"), 404)
    assert client.get(f"/api/v1/leads/{pool.pk}").json()["personal_data_masked"] is True
    assert client.get(f"/api/v1/leads/{mine.pk}").json()["personal_data_masked"] is False
    assert_error_body(post_json(client, f"/api/v1/leads/{pool.pk}/contact", {}), 403)
