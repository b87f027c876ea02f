"""`/api/v1/orders`, `/contracts`, `/payments`: a sale end to end through the API, bad input as clear
4xx (Chinese by default, English on request) with nothing written, and lists walked to the end."""

import datetime as dt

import pytest
import time_machine

from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.models import Transaction
from guanxi.customers.tests.factories import make_customer

from .factories import order, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w(db):
    made = world()
    made["api"] = client_for(made["rep"])
    return made


def state():
    return {**rows_of("orders"), **rows_of(models=[Transaction])}


def test_a_sale_through_the_api(w):
    api = w["api"]
    created = post_json(api, "/api/v1/orders", {
        "customer": w["customer"].pk, "order_date": "2026-05-01",
        "lines": [{"product": w["product"].pk, "quantity": 2}, {"product": w["product"].pk, "quantity": 1,
                                                                 "unit_price": "900.00", "serial": "SN-9"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["total"] == "2900.00" and body["status"] == "draft" and body["lines"][1]["discount"] == "100.00"
    order_id = body["id"]
    assert post_json(api, f"/api/v1/orders/{order_id}/confirm", {}).json()["outstanding"] == "2900.00"
    paid = post_json(api, "/api/v1/payments", {"customer": w["customer"].pk, "amount": "1000.00",
                                                "received_on": "2026-05-20",
                                                "allocations": [{"order": order_id, "amount": "1000.00"}]})
    assert paid.status_code == 201, paid.content
    assert api.get(f"/api/v1/orders/{order_id}").json()["outstanding"] == "1900.00"
    refund = post_json(api, f"/api/v1/payments/{paid.json()['id']}/refunds",
                       {"amount": "100.00", "refunded_on": "2026-05-21", "reason": "价差退款", "order": order_id})
    assert refund.status_code == 201 and refund.json()["refunded"] == "100.00"
    ageing = client_for(w["manager"]).get("/api/v1/payments/ageing?by=owner").json()
    assert ageing["total"] == "2000.00" and ageing["rows"][0]["id"] == w["rep"].pk
    assert ageing["totals"]["d0_30"] == "2000.00"


def test_an_overpayment_is_refused_in_chinese_or_english_and_nothing_is_written(w):
    made = order(w["rep"], w["customer"], w["product"])
    body = {"customer": w["customer"].pk, "amount": "5000.00", "received_on": "2026-05-20",
            "allocations": [{"order": made.pk, "amount": "2000.00"}]}
    before = state()
    error = assert_error_body(post_json(w["api"], "/api/v1/payments", body), 422, "amount")
    assert "超" in error["message"] or "多" in error["message"], error
    english = assert_error_body(post_json(client_for(w["rep"], HTTP_ACCEPT_LANGUAGE="en"), "/api/v1/payments", body),
                                422, "amount")
    assert "overpayment" in english["message"]
    assert state() == before
    accepted = post_json(w["api"], "/api/v1/payments", {**body, "is_overpayment": True})
    assert accepted.status_code == 201 and accepted.json()["unallocated"] == "3000.00"


@pytest.mark.parametrize("body, field", [
    ({"amount": "-1.00"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"received_on": "2099-01-01"}, "received_on"),
    ({"method": "bitcoin"}, "method"),
    ({"customer": 999999}, "customer"),
])
def test_bad_payments_are_422_and_change_nothing(w, body, field):
    base = {"customer": w["customer"].pk, "amount": "10.00", "received_on": "2026-05-20"}
    before = state()
    assert_error_body(post_json(w["api"], "/api/v1/payments", {**base, **body}), 422, field)
    assert state() == before


def test_bad_orders_are_422_and_change_nothing(w):
    hidden = make_customer(w["other"], name="别人的客户")
    before = state()
    line = {"product": w["product"].pk, "quantity": 1}
    assert_error_body(post_json(w["api"], "/api/v1/orders", {"customer": hidden.pk, "order_date": "2026-05-01",
                                                             "lines": [line]}), 422, "customer")
    assert_error_body(post_json(w["api"], "/api/v1/orders", {"customer": w["customer"].pk, "order_date": "2026-05-01",
                                                             "lines": [{**line, "product": 999999}]}),
                      422, "lines[0].product")
    assert_error_body(post_json(w["api"], "/api/v1/orders", {"customer": w["customer"].pk, "order_date": "2026-05-01",
                                                             "lines": [{**line, "unit_price": "-3"}]}), 422)
    assert_error_body(post_json(w["api"], "/api/v1/orders", "{not json"), 400)
    assert state() == before


def test_confirming_twice_is_a_conflict(w):
    made = order(w["rep"], w["customer"], w["product"])
    assert_error_body(post_json(w["api"], f"/api/v1/orders/{made.pk}/confirm", {}), 409)


def test_lists_are_walked_to_the_end(w):
    made = {order(w["rep"], w["customer"], w["product"], quantity=1, confirm=False).pk for _ in range(5)}
    seen, cursor = [], ""
    while True:
        page = w["api"].get("/api/v1/orders", {"limit": 2, "cursor": cursor}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    assert_error_body(w["api"].get("/api/v1/orders", {"status": "lost"}), 422, "status")


def test_contracts_and_renewals_through_the_api(w):
    first = post_json(w["api"], "/api/v1/contracts", {"customer": w["customer"].pk, "title": "专线合同",
                                                      "amount": "50000", "starts_on": "2025-06-01",
                                                      "ends_on": "2026-05-31"})
    assert first.status_code == 201, first.content
    post_json(w["api"], f"/api/v1/contracts/{first.json()['id']}/activate", {})
    renewal = post_json(w["api"], "/api/v1/contracts", {"customer": w["customer"].pk, "title": "专线合同续约",
                                                        "amount": "52000", "starts_on": "2026-06-01",
                                                        "ends_on": "2027-05-31", "renews": first.json()["id"]})
    assert renewal.status_code == 201 and renewal.json()["renews"]["id"] == first.json()["id"]
    assert_error_body(post_json(w["api"], "/api/v1/contracts", {
        "customer": w["customer"].pk, "title": "x", "amount": "1", "starts_on": "2026-06-01",
        "ends_on": "2026-05-01"}), 422, "ends_on")
    listed = w["api"].get("/api/v1/contracts").json()
    assert {c["id"] for c in listed["items"]} == {first.json()["id"], renewal.json()["id"]}
