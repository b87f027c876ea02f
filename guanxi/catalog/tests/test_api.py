"""/api/v1/products: list with filters walked to its end, detail, create, update, deactivate, prices
and parts; bad input answers a clear 4xx and changes nothing."""

import datetime as dt

import pytest
import time_machine

from guanxi.catalog import selectors
from guanxi.catalog.models import Price, Product
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of

from .factories import make_product

pytestmark = pytest.mark.django_db
API = "/api/v1/products"


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def _walk(client, **query) -> list[dict]:
    items, cursor = [], ""
    while True:
        body = client.get(API, {**query, "page_size": 2, "cursor": cursor}).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def test_the_list_filters_and_is_walked_to_its_end(admin):
    for n in range(5):
        make_product(f"HX-{n}", brand="华星" if n % 2 else "明越")
    make_product("BB-1", name="家庭宽带 千兆", category="broadband", kind="service", brand="", price="149")
    client = client_for(admin)
    assert [p["model_code"] for p in _walk(client)] == ["BB-1", "HX-0", "HX-1", "HX-2", "HX-3", "HX-4"]
    assert [p["model_code"] for p in _walk(client, brand="华星")] == ["HX-1", "HX-3"]
    assert [p["model_code"] for p in _walk(client, kind="service")] == ["BB-1"]
    home = selectors.category_by_label("home").pk
    assert [p["model_code"] for p in _walk(client, category=home)] == ["BB-1"]
    assert [p["model_code"] for p in _walk(client, q="宽带")] == ["BB-1"]
    broadband = client.get(API, {"q": "BB-1"}).json()["items"][0]
    assert broadband["monthly_price"] == "149.00" and broadband["one_off_price"] is None
    assert broadband["category"]["code"] == "broadband"
    assert_error_body(client.get(API, {"category": 999999}), 422, "category")
    assert_error_body(client.get(API, {"kind": "gadget"}), 422, "kind")


def test_create_read_update_deactivate(admin):
    client = client_for(admin)
    phone = selectors.category_by_label("phone").pk
    response = post_json(client, API, {"model_code": "HX-NEW", "name": "华星 新品", "brand": "华星",
                                       "category": phone, "description": "旗舰"})
    assert response.status_code == 201, response.content
    product = response.json()
    assert product["kind"] == "product" and product["is_active"] and product["parts"] == []
    pid = product["id"]
    response = client.put(f"{API}/{pid}", data={"name": "华星 新品 Pro", "kind": "product", "brand": "华星",
                                                "category": None}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "华星 新品 Pro"
    assert response.json()["category"] is None
    assert Product.history.filter(id=pid).latest("history_date").history_user == admin
    deactivated = post_json(client, f"{API}/{pid}/deactivate", {})
    assert deactivated.status_code == 200 and deactivated.json()["is_active"] is False
    assert [p["model_code"] for p in _walk(client, active=False)] == ["HX-NEW"]
    assert post_json(client, f"{API}/{pid}/activate", {}).json()["is_active"] is True
    assert_error_body(client.get(f"{API}/999999"), 404)


def test_prices_and_parts(admin):
    client = client_for(admin)
    pid = make_product("HX-P", price="1999", since=dt.date(2026, 1, 1)).pk
    response = post_json(client, f"{API}/{pid}/prices", {"amount": "1599.00", "effective_from": "2026-06-01"})
    assert response.status_code == 201, response.content
    history = client.get(f"{API}/{pid}/prices").json()
    assert [(p["amount"], p["effective_from"]) for p in history["items"]] == [
        ("1599.00", "2026-06-01"), ("1999.00", "2026-01-01")]
    assert client.get(f"{API}/{pid}/price", {"on": "2026-05-31"}).json()["amount"] == "1999.00"
    assert client.get(f"{API}/{pid}/price").json()["amount"] == "1599.00"
    assert_error_body(client.get(f"{API}/{pid}/price", {"unit": "monthly"}), 404)
    assert client.get(f"{API}/{pid}").json()["one_off_price"] == "1599.00"

    part = post_json(client, f"{API}/{pid}/parts", {"code": "battery", "name": "电池"})
    assert part.status_code == 201 and part.json()["code"] == "battery"
    assert [p["code"] for p in client.get(f"{API}/{pid}/parts").json()["items"]] == ["battery", "screen"]
    assert_error_body(post_json(client, f"{API}/{pid}/parts", {"code": "battery", "name": "电池"}), 409)
    assert client.delete(f"{API}/{pid}/parts/{part.json()['id']}").status_code == 204
    other = make_product("HX-O").pk
    screen = client.get(f"{API}/{pid}/parts").json()["items"][0]["id"]
    assert_error_body(client.delete(f"{API}/{other}/parts/{screen}"), 404)


@pytest.mark.parametrize(("path", "body", "status", "field"), [
    ("prices", {"amount": "-1", "effective_from": "2026-06-01"}, 422, "amount"),
    ("prices", {"amount": "1.001", "effective_from": "2026-06-01"}, 422, "amount"),
    ("prices", {"amount": "10", "effective_from": "2026-06-01", "unit": "weekly"}, 422, "unit"),
    ("prices", {"amount": "10", "effective_from": "2026-06-01", "currency": "USD"}, 422, "currency"),
    ("prices", {"amount": "10", "effective_from": "2026-01-01"}, 409, "effective_from"),
    ("prices", {"amount": "10", "effective_from": "not a day"}, 422, "effective_from"),
    ("parts", {"code": "a b", "name": "x"}, 422, "code"),
    ("parts", {"code": "ok", "name": ""}, 422, "name"),
    ("parts", {"code": "screen", "name": "屏幕"}, 409, "code"),
])
def test_bad_input_on_a_product_changes_nothing(admin, path, body, status, field):
    pid = make_product("HX-B", since=dt.date(2026, 1, 1)).pk
    before = rows_of("catalog")
    assert_error_body(post_json(client_for(admin), f"{API}/{pid}/{path}", body), status, field)
    assert rows_of("catalog") == before


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"model_code": "HX-DUP", "name": "重复"}, 409, "model_code"),
    ({"model_code": "X", "name": "x", "category": 999999}, 422, "category"),
    ({"model_code": "X", "name": "x", "kind": "gadget"}, 422, "kind"),
    ({"model_code": "", "name": "x"}, 422, "model_code"),
    ({"model_code": "X", "name": "   "}, 422, "name"),
    ({"model_code": "X" * 51, "name": "x"}, 422, "model_code"),
])
def test_bad_products_are_refused(admin, body, status, field):
    make_product("HX-DUP")
    before = rows_of("catalog")
    assert_error_body(post_json(client_for(admin), API, body), status, field)
    assert rows_of("catalog") == before


def test_errors_read_in_chinese_by_default_and_english_on_request(admin):
    pid = make_product("HX-L", since=dt.date(2026, 1, 1)).pk
    body = {"amount": "5", "effective_from": "2026-01-01"}
    chinese = post_json(client_for(admin), f"{API}/{pid}/prices", body).json()
    assert chinese["message"] == "该产品在这一天已有同一计价方式的价格。"
    english = post_json(client_for(admin, HTTP_ACCEPT_LANGUAGE="en"), f"{API}/{pid}/prices", body).json()
    assert english["message"] == "This product already has a price of this unit from that day."
    unknown = post_json(client_for(admin, HTTP_ACCEPT_LANGUAGE="en"), API, {"model_code": "X", "name": "x",
                                                                           "category": 999999}).json()
    assert unknown["fields"]["category"] == "unknown category"
    assert Price.objects.filter(product_id=pid).count() == 1
