"""The orders pages: lists, an order made on the form (lines added with htmx), confirmed and paid on
its page, contracts with their renewals, and the ageing page with its chart data."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from guanxi.orders import services
from guanxi.orders.models import Order, Payment

from .factories import DAY, order, pay, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w(db):
    made = world()
    made["web"] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    made["web"].force_login(made["rep"])
    return made


def test_an_order_is_made_on_the_form_confirmed_and_paid(w):
    web = w["web"]
    assert web.get(reverse("orders:create")).status_code == 200
    row = web.get(reverse("orders:line_row"), {"index": 1}, HTTP_HX_REQUEST="true")
    assert 'name="lines-1-product"' in row.content.decode()
    response = web.post(reverse("orders:create"), {
        "customer": w["customer"].pk, "order_date": "2026-05-01", "due_on": "", "note": "",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "200",
        "lines-0-product": w["product"].pk, "lines-0-quantity": "2", "lines-0-unit_price": "", "lines-0-serial": "",
        "lines-1-product": w["product"].pk, "lines-1-quantity": "1", "lines-1-unit_price": "800",
        "lines-1-serial": "SN-77"})
    made = Order.objects.get()
    assert response.status_code == 302 and made.total == 2800
    page = web.get(reverse("orders:order", args=[made.pk])).content.decode()
    assert "草稿" in page and "SN-77" in page
    web.post(reverse("orders:order_confirm", args=[made.pk]))
    made.refresh_from_db()
    assert made.status == Order.Status.CONFIRMED
    paid = web.post(reverse("orders:payment_create"), {
        "customer": w["customer"].pk, "amount": "3000", "received_on": "2026-05-20", "method": "bank",
        "order": made.pk, "note": ""})
    assert paid.status_code == 200 and "超额回款" in paid.content.decode()   # refused: more than owed
    web.post(reverse("orders:payment_create"), {
        "customer": w["customer"].pk, "amount": "3000", "received_on": "2026-05-20", "method": "bank",
        "order": made.pk, "is_overpayment": "on", "note": ""})
    payment = Payment.objects.get()
    assert payment.unallocated == 200
    assert "200.00" in web.get(reverse("orders:payment", args=[payment.pk])).content.decode()


def test_bad_lines_show_on_the_form_and_write_nothing(w):
    response = w["web"].post(reverse("orders:create"), {
        "customer": w["customer"].pk, "order_date": "2026-05-01",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200", "lines-0-product": "999999", "lines-0-quantity": "0"})
    assert response.status_code == 200 and not Order.objects.exists()


def test_lists_contracts_and_ageing_pages(w):
    made = order(w["rep"], w["customer"], w["product"], due_on=dt.date(2026, 4, 15))
    pay(w["rep"], w["customer"], 500, orders=[(made, 500)])
    contract = services.contract_create(actor=w["rep"], customer=w["customer"], title="年度合同", amount="1000",
                                        starts_on=DAY, ends_on=dt.date(2027, 3, 1))
    for name in ("orders:list", "orders:contracts", "orders:payments"):
        assert w["web"].get(reverse(name)).status_code == 200
    assert "年度合同" in w["web"].get(reverse("orders:contract", args=[contract.pk])).content.decode()
    page = w["web"].get(reverse("orders:receivables"), {"by": "customer"})
    block = page.content.decode().split('id="gx-ageing-data" type="application/json">')[1]
    chart = json.loads(block.split("</script>")[0])
    assert chart["categories"] == ["华星客户"] and chart["series"][2]["data"] == [1500.0]   # 31–60 days


def test_others_cannot_see_or_act_on_an_order(w):
    made = order(w["rep"], w["customer"], w["product"], confirm=False)
    other = Client()
    other.force_login(w["other"])
    assert other.get(reverse("orders:order", args=[made.pk])).status_code == 404
    assert other.post(reverse("orders:order_confirm", args=[made.pk])).status_code == 404
    made.refresh_from_db()
    assert made.status == Order.Status.DRAFT


def test_orders_and_contracts_are_on_the_customer_timeline(w):
    from guanxi.orders.timeline import sales_events

    made = order(w["rep"], w["customer"], w["product"])
    contract = services.contract_create(actor=w["rep"], customer=w["customer"], title="年度合同", amount="1000",
                                        starts_on=DAY, ends_on=dt.date(2027, 3, 1))
    events = sales_events(w["customer"], 10)
    assert {e.link for e in events} == {reverse("orders:order", args=[made.pk]),
                                        reverse("orders:contract", args=[contract.pk])}
    assert len(sales_events(w["customer"], 1)) == 1


def test_the_orders_page_offers_the_ageing_only_to_those_who_may_read_it(w):
    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory

    link = f'href="{reverse("orders:receivables")}"'
    assert link in w["web"].get(reverse("orders:list")).content.decode()
    agent = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    agent.force_login(UserFactory(role=Role.AGENT))
    assert agent.get(reverse("orders:receivables")).status_code == 403
    page = agent.get(reverse("orders:list"))
    assert page.status_code == 200 and link not in page.content.decode()
