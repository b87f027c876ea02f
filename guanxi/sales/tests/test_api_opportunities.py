"""`/api/v1/opportunities` and `/api/v1/opportunity-stages`: the list walked to its end, create,
change, move, win and lose; bad input (negative amount, a stage that does not exist, winning a lost
deal) is a clear 4xx in the caller's language and changes nothing."""

import pytest

from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import Opportunity

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return sales_team()[2][0]


def test_create_move_win_and_read_back(rep):
    client = client_for(rep)
    customer = make_customer(rep, name="星河科技")
    response = post_json(client, "/api/v1/opportunities", {
        "customer": customer.pk, "name": "企业专线", "amount": "120000.00", "expected_close_date": "2030-06-30",
        "competitors": [{"name": "中国移动", "note": "报价低 10%"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"]["name"], body["probability"], body["weighted_amount"]) == ("初步接洽", 10, "12000.00")
    assert body["competitors"] == [{"name": "中国移动", "note": "报价低 10%"}]
    url = f"/api/v1/opportunities/{body['id']}"
    moved = post_json(client, f"{url}/move", {"stage": stage("商务谈判").pk}).json()
    assert (moved["stage"]["name"], moved["probability"]) == ("商务谈判", 75)
    assert [m["to_stage"]["name"] for m in moved["stage_history"]] == ["初步接洽", "商务谈判"]
    changed = client.patch(url, data={"probability": 60, "amount": "130000"}, content_type="application/json")
    assert changed.json()["probability"] == 60 and changed.json()["amount"] == "130000.00"
    won = post_json(client, f"{url}/win", {"reason": reason("won").pk}).json()
    assert (won["status"], won["probability"], won["reason"]["id"]) == ("won", 100, reason("won").pk)


def test_the_list_is_walked_to_its_end(rep):
    customer = make_customer(rep, name="星河科技")
    expected = {deal(rep, customer, name=f"商机{i}").pk for i in range(7)}
    client, seen, cursor = client_for(rep), [], ""
    while True:
        body = client.get("/api/v1/opportunities", {"limit": 3, "cursor": cursor, "status": "open"}).json()
        seen += [item["id"] for item in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = body["next_cursor"]
    assert len(seen) == 7 and set(seen) == expected


@pytest.mark.parametrize("case", ["negative amount", "unknown stage", "terminal stage", "unknown customer"])
def test_bad_input_on_create_is_a_422_and_creates_nothing(rep, case):
    customer = make_customer(rep, name="星河科技")
    body = {"customer": customer.pk, "name": "企业专线", "amount": "1000", "expected_close_date": "2030-06-30"}
    field = {"negative amount": "amount", "unknown stage": "stage", "terminal stage": "stage",
             "unknown customer": "customer"}[case]
    body.update({"negative amount": {"amount": "-1"}, "unknown stage": {"stage": 999999},
                 "terminal stage": {"stage": stage("赢单").pk}, "unknown customer": {"customer": 999999}}[case])
    response = post_json(client_for(rep, HTTP_ACCEPT_LANGUAGE="en"), "/api/v1/opportunities", body)
    assert_error_body(response, 422, field)
    assert not Opportunity.objects.exists()


def test_moving_to_a_stage_that_does_not_exist_and_winning_a_lost_deal_are_refused(rep):
    opportunity = deal(rep)
    client = client_for(rep)
    url = f"/api/v1/opportunities/{opportunity.pk}"
    before = rows_of("sales")
    assert_error_body(post_json(client, f"{url}/move", {"stage": 999999}), 422, "stage")
    assert_error_body(client.patch(url, data={"amount": "-5"}, content_type="application/json"), 422, "amount")
    assert_error_body(post_json(client, f"{url}/lose", {}), 422)
    assert rows_of("sales") == before
    assert post_json(client, f"{url}/lose", {"reason": reason("lost").pk}).status_code == 200
    before = rows_of("sales")
    body = assert_error_body(post_json(client, f"{url}/win", {}), 409)
    assert body["code"] == "already_lost" and body["message"]
    assert rows_of("sales") == before


def test_stages_are_listed_and_configured_by_managers(admin, rep):
    stages = client_for(rep).get("/api/v1/opportunity-stages").json()["items"]
    assert [s["name"] for s in stages][:2] == ["初步接洽", "需求确认"]
    denied = post_json(client_for(rep), "/api/v1/opportunity-stages", {"name": "签约", "order": 45, "probability": 90})
    assert_error_body(denied, 403)
    created = post_json(client_for(admin), "/api/v1/opportunity-stages",
                        {"name": "签约", "order": 45, "probability": 90})
    assert created.status_code == 201
    bad = post_json(client_for(admin), "/api/v1/opportunity-stages", {"name": "x", "order": 1, "probability": 120})
    assert_error_body(bad, 422, "probability")
