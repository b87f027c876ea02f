"""The API of the 三包 records: products, parts, serials, sales, repairs and exchanges."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog.models import Product
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.tests.factories import make_customer
from guanxi.warranty.models import ExchangeRecord, ProductSale, RepairRecord, SerialNumber
from guanxi.warranty.services import repair_start, warranty_decide

from .factories import make_sale

pytestmark = pytest.mark.django_db
API = "/api/v1/warranty"
TODAY = dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


def patch(client, url, body):
    return client.patch(url, data=body, content_type="application/json")


def put(client, url, body):
    return client.put(url, data=body, content_type="application/json")


def walk(client, url, **filters) -> list[dict]:
    """Every item of a list, page by page, following next_cursor to its end."""
    items, cursor = [], ""
    for _ in range(100):
        response = client.get(url, {**filters, "limit": 2, "cursor": cursor})
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


def test_the_catalogue_is_created_read_updated_and_walked_to_its_end(admin):
    client = client_for(admin)
    created = []
    for n in range(5):
        response = post_json(client, f"{API}/products", {"model_code": f"P-{n}", "name": f"手机 {n}", "brand": "华星",
                                                    "part_codes": ["main_unit", "battery"]})
        assert response.status_code == 201, response.content
        created.append(response.json())
    assert [p["code"] for p in created[0]["parts"]] == ["battery", "main_unit"]
    assert_error_body(post_json(client, f"{API}/products", {"model_code": "BLANK", "name": "  "}), 422, "name")
    assert_error_body(post_json(client, f"{API}/products", {"model_code": "P-1", "name": "重复"}), 422, "model_code")
    assert [p["model_code"] for p in walk(client, f"{API}/products")] == [f"P-{n}" for n in reversed(range(5))]
    found = client.get(f"{API}/products", {"q": "P-3"}).json()["items"]
    assert [p["model_code"] for p in found] == ["P-3"]

    product_id = created[0]["id"]
    response = put(client, f"{API}/products/{product_id}", {"name": "新名字", "brand": "华星", "category": "phone"})
    assert response.status_code == 200 and response.json()["name"] == "新名字"
    assert Product.history.filter(id=product_id).latest("history_date").history_user == admin

    part = post_json(client, f"{API}/parts", {"product": product_id, "code": "charger"})
    assert part.status_code == 201 and part.json()["code"] == "charger"
    assert_error_body(post_json(client, f"{API}/parts", {"product": product_id, "code": "charger"}), 409)
    assert_error_body(post_json(client, f"{API}/parts", {"product": product_id, "code": "tyres"}), 422, "code")
    assert len(walk(client, f"{API}/parts", product=product_id)) == 3
    assert client.delete(f"{API}/parts/{part.json()['id']}").status_code == 204


def test_only_administrators_and_service_managers_keep_the_catalogue(agent):
    response = post_json(client_for(agent), f"{API}/products", {"model_code": "X", "name": "手机"})
    assert_error_body(response, 403)
    assert not Product.objects.filter(model_code="X").exists()
    assert client_for(agent).get(f"{API}/products").status_code == 200


def test_a_product_with_units_cannot_be_deleted(admin):
    sale = make_sale(admin, serial="SN-DEL")
    client = client_for(admin)
    response = client.delete(f"{API}/products/{sale.serial.product_id}")
    assert_error_body(response, 409)
    assert response.json()["code"] == "in_use" and "不能删除" in response.json()["message"]
    assert Product.objects.filter(pk=sale.serial.product_id).exists()
    empty = post_json(client, f"{API}/products", {"model_code": "EMPTY", "name": "空"}).json()
    assert client.delete(f"{API}/products/{empty['id']}").status_code == 204
    assert not Product.objects.filter(pk=empty["id"]).exists()


def test_serials_sales_repairs_and_exchanges_end_to_end(admin, agent):
    client = client_for(admin)
    product = post_json(client, f"{API}/products", {"model_code": "X1", "name": "手机"}).json()
    unit = post_json(client, f"{API}/serials", {"serial": "86000001", "product": product["id"],
                                           "factory_date": "2026-01-05"})
    assert unit.status_code == 201, unit.content
    customer = make_customer(admin, name="买家")
    sale = post_json(client_for(agent), f"{API}/sales", {"serial": "86000001", "customer": customer.pk,
                                                    "sold_at": "2026-02-01", "price": "1999.00",
                                                    "invoice_date": "2026-02-01"})
    assert sale.status_code == 201, sale.content
    sale_id = sale.json()["id"]
    assert client.get(f"{API}/serials/86000001").json()["sale"]["id"] == sale_id  # numeric serials still work

    repair = post_json(client_for(agent), f"{API}/repairs", {"serial": "86000001", "part": "main_unit",
                                                        "started_at": "2026-03-01", "note": "不开机"})
    assert repair.status_code == 201, repair.content
    finished = patch(client_for(agent), f"{API}/repairs/{repair.json()['id']}", {"finished_at": "2026-03-04"})
    assert finished.status_code == 200 and finished.json()["finished_at"] == "2026-03-04"
    assert finished.json()["outcome"] == "repaired"
    assert [r["id"] for r in walk(client, f"{API}/repairs", serial="86000001", open="false")] == [repair.json()["id"]]

    exchange = post_json(client_for(agent), f"{API}/exchanges", {"sale": sale_id, "exchanged_on": "2026-03-10",
                                                            "part": "charger"})
    assert exchange.status_code == 201 and exchange.json()["part"] == "charger"
    assert client.get(f"{API}/exchanges/{exchange.json()['id']}").json()["serial"] == "86000001"

    # Records something rests on cannot go; the reason says why.
    assert_error_body(client.delete(f"{API}/serials/86000001"), 409)
    assert_error_body(client.delete(f"{API}/sales/{sale_id}"), 409)
    assert SerialNumber.objects.filter(serial="86000001").exists() and ProductSale.objects.filter(pk=sale_id).exists()
    # An agent may not delete at all.
    assert_error_body(client_for(agent).delete(f"{API}/exchanges/{exchange.json()['id']}"), 403)
    assert client.delete(f"{API}/exchanges/{exchange.json()['id']}").status_code == 204
    assert not ExchangeRecord.objects.exists()


def test_a_repair_dated_before_the_sale_is_refused_with_a_field_reason(agent):
    sale = make_sale(agent, serial="SN-EARLY", sold_at=dt.date(2026, 3, 1))
    response = post_json(client_for(agent), f"{API}/repairs", {"serial": "SN-EARLY", "part": "main_unit",
                                                          "started_at": "2026-02-20"})
    assert_error_body(response, 422, "started_at")
    assert "2026-03-01" in response.json()["message"]
    future = post_json(client_for(agent), f"{API}/repairs", {"serial": "SN-EARLY", "part": "main_unit",
                                                        "started_at": "2026-07-01"})
    assert_error_body(future, 422, "started_at")
    assert not RepairRecord.objects.filter(serial=sale.serial).exists()


def test_the_service_refuses_a_repair_before_the_sale_whatever_the_caller(agent):
    from guanxi.core.errors import ValidationFailed

    sale = make_sale(agent, serial="SN-SVC", sold_at=dt.date(2026, 3, 1))
    with pytest.raises(ValidationFailed) as refused:
        repair_start(actor=agent, serial=sale.serial, part="main_unit", started_at=dt.date(2026, 2, 28))
    assert "started_at" in refused.value.fields


def test_a_repair_that_a_decision_counted_cannot_be_deleted(admin, agent):
    sale = make_sale(agent, serial="SN-COUNTED", sold_at=dt.date(2026, 1, 5))
    repair = repair_start(actor=agent, serial=sale.serial, part="main_unit", started_at=dt.date(2026, 2, 1))
    warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=dt.date(2026, 5, 1), customer_wants=None,
                    stock_available=True)
    assert_error_body(client_for(admin).delete(f"{API}/repairs/{repair.pk}"), 409)
    assert RepairRecord.objects.filter(pk=repair.pk).exists()


def test_a_sales_rep_sees_and_sells_only_to_their_own_customers():
    rep, other = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    mine = make_sale(rep, customer=make_customer(rep, name="李四"), serial="SN-MINE")
    theirs = make_sale(other, customer=make_customer(other, name="王五"), serial="SN-THEIRS")
    repair_start(actor=UserFactory(role=Role.AGENT), serial=theirs.serial, part="main_unit",
                 started_at=dt.date(2025, 4, 1))
    client = client_for(rep)
    assert [s["id"] for s in walk(client, f"{API}/sales")] == [mine.pk]
    assert [s["serial"] for s in walk(client, f"{API}/serials")] == ["SN-MINE"]
    assert walk(client, f"{API}/repairs") == []
    assert_error_body(client.get(f"{API}/sales/{theirs.pk}"), 404)
    response = post_json(client, f"{API}/sales", {"serial": "SN-THEIRS", "customer": mine.customer_id,
                                             "sold_at": "2026-01-01", "price": "10", "invoice_date": "2026-01-01"})
    assert_error_body(response, 422, "serial")
    response = post_json(client, f"{API}/sales", {"serial": "SN-MINE", "customer": theirs.customer_id,
                                             "sold_at": "2026-01-01", "price": "10", "invoice_date": "2026-01-01"})
    assert_error_body(response, 422, "customer")
    assert ProductSale.objects.count() == 2


def test_a_decision_as_of_an_earlier_day_counts_only_what_was_known_then(agent):
    sale = make_sale(agent, serial="SN-ASOF", sold_at=dt.date(2025, 9, 1))
    client = client_for(agent)
    repair_start(actor=agent, serial=sale.serial, part="main_unit", started_at=dt.date(2026, 2, 1))
    body = {"sale": sale.pk, "part": "main_unit", "fault_date": "2025-12-01", "as_of": "2025-12-10"}
    response = post_json(client, f"{API}/decisions", body)
    assert response.status_code == 201, response.content
    decided = response.json()
    assert decided["decided_on"] == "2025-12-10"
    assert decided["end_date"] == "2026-08-31"  # the February repair was not known yet
    assert_error_body(post_json(client, f"{API}/decisions", {**body, "as_of": "2026-06-16"}), 422, "as_of")
    assert_error_body(post_json(client, f"{API}/decisions", {**body, "as_of": "2025-11-30"}), 422, "fault_date")
    assert [d["id"] for d in walk(client, f"{API}/decisions", serial="SN-ASOF")] == [decided["id"]]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "d2hhdA", "dzE6LTE"])
def test_a_bad_cursor_is_422(agent, cursor):
    assert_error_body(client_for(agent).get(f"{API}/sales", {"cursor": cursor}), 422, "cursor")


def test_the_lists_need_credentials():
    for name in ("products", "parts", "serials", "sales", "repairs", "exchanges", "decisions"):
        assert_error_body(Client().get(f"{API}/{name}"), 401)
