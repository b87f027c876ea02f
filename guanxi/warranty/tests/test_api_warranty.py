import datetime as dt

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for
from guanxi.core.testing import post_json as post
from guanxi.customers.tests.factories import make_customer
from guanxi.warranty.models import WarrantyDecision

from .factories import make_sale

pytestmark = pytest.mark.django_db
URL = "/api/v1/warranty/decisions"


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def sale(agent):
    return make_sale(agent, serial="SN-API-1")


def test_asking_for_a_decision_returns_and_stores_it(agent, sale):
    response = post(client_for(agent), URL, {"sale": sale.pk, "part": "main_unit", "fault_date": "2025-03-10",
                                             "customer_wants": "refund", "stock_available": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["remedy"] == "refund_with_depreciation" and body["amount"] == "1910.00"
    assert body["allowed"] == ["exchange", "repair", "refund_with_depreciation"]
    assert {"exchange_window", "depreciated_refund"} <= {r["code"] for r in body["rules"]}
    assert body["end_date"] == "2026-02-28" and body["sale"]["serial"] == "SN-API-1"
    assert WarrantyDecision.objects.get(pk=body["id"]).asked_by == agent


def test_a_decision_by_serial_with_explicit_repairs(agent, sale):
    response = post(client_for(agent), URL, {
        "serial": "SN-API-1", "part": "main_unit", "fault_date": "2025-08-01", "stock_available": False,
        "repairs": [{"started_on": "2025-05-01", "finished_on": "2025-05-04"},
                    {"started_on": "2025-06-01", "finished_on": "2025-06-03"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["remedy"] == "refund" and body["amount"] == "2000.00"
    assert "no_stock_refund" in {r["code"] for r in body["rules"]}


def test_a_decision_can_be_read_back(agent, sale):
    client = client_for(agent)
    created = post(client, URL, {"sale": sale.pk, "part": "battery", "fault_date": "2025-06-01"}).json()
    response = client.get(f"{URL}/{created['id']}")
    assert response.status_code == 200
    assert response.json()["remedy"] == "repair" and response.json()["part"] == "battery"
    assert_error_body(client.get(f"{URL}/999999"), 404)


def test_a_fault_before_the_sale_is_422_and_nothing_is_stored(agent, sale):
    response = post(client_for(agent), URL, {"sale": sale.pk, "part": "main_unit", "fault_date": "2025-02-01"})
    assert_error_body(response, 422, "fault_date")
    assert response.json()["message"] == "故障日期 2025-02-01 早于销售日期 2025-03-01。"
    assert not WarrantyDecision.objects.exists()


@pytest.mark.parametrize(("body", "status", "field"), [
    pytest.param({"serial": "NO-SUCH", "part": "main_unit"}, 404, None, id="unknown serial"),
    pytest.param({"sale": 999999, "part": "main_unit"}, 404, None, id="unknown sale"),
    pytest.param({"serial": "SN-API-1", "part": "tyres"}, 422, "part", id="unknown part"),
    pytest.param({"part": "main_unit"}, 422, "sale", id="neither sale nor serial"),
    pytest.param({"serial": "SN-API-1", "part": "main_unit", "customer_wants": "loaner"}, 422, "customer_wants",
                 id="not a customer's choice"),
    pytest.param({"serial": "SN-API-1", "part": "main_unit", "fault_date": "not a date"}, 422, "fault_date",
                 id="bad date"),
])
def test_bad_requests(agent, sale, body, status, field):
    response = post(client_for(agent), URL, {"fault_date": "2025-03-05", **body})
    assert_error_body(response, status, field)
    assert not WarrantyDecision.objects.exists()


def test_a_sales_rep_cannot_ask_about_another_reps_customer():
    rep, other = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    theirs = make_sale(other, customer=make_customer(other, name="王五"), serial="SN-THEIRS")
    client = client_for(rep)
    for body in ({"sale": theirs.pk}, {"serial": "SN-THEIRS"}):
        response = post(client, URL, {**body, "part": "main_unit", "fault_date": "2025-03-05"})
        assert_error_body(response, 404)
    assert not WarrantyDecision.objects.exists()
    assert_error_body(client.get("/api/v1/warranty/serials/SN-THEIRS"), 404)


def test_a_sales_rep_cannot_read_a_decision_on_another_reps_customer(agent):
    other = UserFactory(role=Role.SALES_REP)
    theirs = make_sale(other, customer=make_customer(other, name="王五"), serial="SN-THEIRS")
    created = post(client_for(agent), URL, {"sale": theirs.pk, "part": "main_unit", "fault_date": "2025-04-01"})
    assert created.status_code == 201
    rep = UserFactory(role=Role.SALES_REP)
    assert_error_body(client_for(rep).get(f"{URL}/{created.json()['id']}"), 404)
    assert client_for(other).get(f"{URL}/{created.json()['id']}").status_code == 200


def test_serial_status_shows_the_sale_and_each_part(agent):
    today = dt.date.today()
    make_sale(agent, serial="SN-NOW", sold_at=today - dt.timedelta(days=100), factory_date=None)
    response = client_for(agent).get("/api/v1/warranty/serials/SN-NOW")
    assert response.status_code == 200, response.content
    body = response.json()
    parts = {p["code"]: p for p in body["parts"]}
    assert set(parts) == {"main_unit", "charger", "battery", "wired_headset"}
    assert parts["main_unit"]["is_in_period"] is True and parts["wired_headset"]["is_in_period"] is False
    assert body["sale"]["serial"] == "SN-NOW"
    assert_error_body(client_for(agent).get("/api/v1/warranty/serials/NO-SUCH"), 404)


def test_requests_without_credentials_are_refused():
    assert_error_body(Client().get(f"{URL}/1"), 401)
