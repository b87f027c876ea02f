"""The pool's API and pages: masked phones for representatives, claim beyond the limit (409 with the
limit), bad input (422), the log walked to its end, each page in Chinese, and assignments and personal
claim limits refused (nothing written) for people outside the manager's team."""

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.marketing.tests.factories import make_lead

from ..models import ClaimLimit, Holding, PoolEvent
from ..services import claim_limit_set, pool_claim, pool_release
from .factories import pool_customer, rule, sales_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return sales_team()


def test_lists_mask_phones_for_representatives(team):
    _t, manager, (rep, _o) = team
    pool_customer(mobile="13800138000")
    make_lead(mobile="13912345678")
    rep_rows = client_for(rep).get("/api/v1/pool/customers").json()["items"]
    assert rep_rows[0]["mobile"] != "+8613800138000" and "*" in rep_rows[0]["mobile"]
    assert client_for(manager).get("/api/v1/pool/customers").json()["items"][0]["mobile"] == "+8613800138000"
    lead_rows = client_for(rep).get("/api/v1/pool/leads").json()["items"]
    assert "*" in lead_rows[0]["mobile"]


def test_claim_through_the_api_and_the_limit(team):
    _t, manager, (rep, _o) = team
    claim_limit_set(actor=manager, role=Role.SALES_REP, limit=1)
    first, second = pool_customer("甲"), pool_customer("乙", mobile="13800138001")
    client = client_for(rep, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = post_json(client, "/api/v1/pool/claim", {"record": "customer", "id": first.pk})
    assert response.status_code == 201 and response.json()["held"] == 1 and response.json()["limit"] == 1
    refused = assert_error_body(post_json(client, "/api/v1/pool/claim", {"record": "customer", "id": second.pk}),
                                409)
    assert "1" in refused["message"]
    assert_error_body(post_json(client, "/api/v1/pool/claim", {"record": "customer", "id": 99999999}), 422, "id")
    assert_error_body(post_json(client, "/api/v1/pool/claim", {"record": "order", "id": first.pk}), 422, "record")
    mine = client.get("/api/v1/pool/mine").json()
    assert [m["id"] for m in mine] == [first.pk]


def test_rules_and_events_through_the_api(team):
    _t, manager, (rep, _o) = team
    client = client_for(manager)
    created = post_json(client, "/api/v1/pool/rules", {"name": "30天未跟进", "kind": "no_follow_up", "days": 30,
                                                        "day_kind": "working", "warn_days": 3, "tiers": ["small"]})
    assert created.status_code == 201, created.content
    assert_error_body(post_json(client, "/api/v1/pool/rules", {"name": "x", "kind": "no_follow_up", "days": 5,
                                                               "warn_days": 9}), 422, "warn_days")
    assert client.get("/api/v1/pool/rules").json()["items"][0]["day_kind"] == "working"
    customers = [pool_customer(f"客户{i}", mobile=f"1380013800{i}") for i in range(5)]
    for customer in customers:
        pool_claim(actor=rep, customer=customer)
        pool_release(actor=rep, customer=customer)
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/pool/events", {"limit": 3, "cursor": cursor}).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 10
    assert_error_body(client.get("/api/v1/pool/events", {"kind": "stolen"}), 422, "kind")


def test_pages_in_chinese(team):
    _t, manager, (rep, _o) = team
    rule(days=30, warn_days=3)
    customer = pool_customer()
    make_lead()
    for user in (rep, manager):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        for url in ("/pool/", "/pool/?tab=lead", "/pool/mine/", "/pool/rules/", "/pool/log/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "公海" in response.content.decode()
    client = Client()
    client.force_login(rep)
    assert client.post(f"/pool/customers/{customer.pk}/claim/").status_code == 302
    customer.refresh_from_db()
    assert customer.owner == rep
    assert "天" in client.get("/pool/mine/").content.decode()


def test_assigning_outside_ones_team_writes_nothing(team):
    _t, manager, (rep, _o) = team
    _other_team, _m, (stranger, _s) = sales_team()
    customer = pool_customer()
    client = client_for(manager, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = {"record": "customer", "id": customer.pk}
    assert_error_body(post_json(client, "/api/v1/pool/assign", {**body, "owner": stranger.pk}), 403)
    assert_error_body(post_json(client, "/api/v1/pool/assign", {**body, "owner": 99999999}), 422, "owner")
    customer.refresh_from_db()
    assert customer.owner_id is None
    assert not Holding.objects.exists() and not PoolEvent.objects.exists()
    assert post_json(client, "/api/v1/pool/assign", {**body, "owner": rep.pk}).status_code == 201
    customer.refresh_from_db()
    assert customer.owner == rep


def test_personal_claim_limits_only_for_ones_team(team):
    _t, manager, (rep, _o) = team
    _other_team, _m, (stranger, _s) = sales_team()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)

    def post(username):
        return client.post("/pool/rules/", {"limit-role": "", "limit-username": username, "limit-limit": 7})

    assert post(stranger.username).status_code == 403
    unknown = post("nobody-at-all")
    assert unknown.status_code == 200 and "没有此用户" in unknown.content.decode()
    assert not ClaimLimit.objects.exists()
    assert post(rep.username).status_code == 302
    assert list(ClaimLimit.objects.values_list("user_id", "limit")) == [(rep.pk, 7)]
