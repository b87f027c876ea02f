"""The catalogue pages: list with search and filters, detail with price history and parts, forms."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog import selectors
from guanxi.catalog.models import Price, Product

from .factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def _client(role=Role.SALES_MANAGER) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role=role))
    return client


def test_the_list_searches_and_filters():
    make_product("HX-1", name="华星 X1 手机")
    make_product("BB-1", name="家庭宽带 千兆", category="broadband", kind="service", brand="", price="149")
    client = _client(Role.AGENT)
    page = client.get("/catalog/").content.decode()
    assert "HX-1" in page and "BB-1" in page and "产品目录" in page and "新建产品" not in page
    found = client.get("/catalog/", {"q": "宽带"}, HTTP_HX_REQUEST="true").content.decode()
    assert "BB-1" in found and "HX-1" not in found and "<html" not in found
    filtered = client.get("/catalog/", {"category": selectors.category_by_label("terminals").pk}).content.decode()
    assert "HX-1" in filtered and "BB-1" not in filtered
    assert "没有符合条件的产品" in client.get("/catalog/", {"q": "不存在"}).content.decode()


def test_the_detail_shows_price_history_and_parts():
    product = make_product("HX-D", price="1999", since=dt.date(2026, 1, 1))
    Price.objects.create(product=product, amount=1599, effective_from=dt.date(2026, 6, 1))
    page = _client(Role.AGENT).get(f"/catalog/{product.pk}/").content.decode()
    assert "1,599" in page and "1,999" in page and "屏幕" in page and "价格历史" in page
    assert 'id="gx-price-add"' not in page  # agents read only


def test_a_manager_creates_edits_prices_and_deactivates():
    client = _client()
    phone = selectors.category_by_label("phone").pk
    response = client.post("/catalog/new/", {"model_code": "HX-F", "name": "华星 F", "kind": "product",
                                             "brand": "华星", "category": phone})
    product = Product.objects.get(model_code="HX-F")
    assert response.status_code == 302 and response["Location"] == f"/catalog/{product.pk}/"
    duplicate = client.post("/catalog/new/", {"model_code": "HX-F", "name": "重复", "kind": "product"})
    assert duplicate.status_code == 422 and "已被占用" in duplicate.content.decode()
    client.post(f"/catalog/{product.pk}/edit/", {"name": "华星 F2", "kind": "product", "brand": "华星"})
    product.refresh_from_db()
    assert product.name == "华星 F2" and product.model_code == "HX-F" and product.category is None
    negative = client.post(f"/catalog/{product.pk}/prices/", {"amount": "-1", "unit": "one_off",
                                                              "effective_from": "2026-06-01"})
    assert negative.status_code == 422 and not Price.objects.exists()
    client.post(f"/catalog/{product.pk}/prices/", {"amount": "999", "unit": "one_off", "effective_from": "2026-06-01"})
    assert selectors.price_at(product=product, on=dt.date(2026, 6, 15)).amount == 999
    client.post(f"/catalog/{product.pk}/parts/", {"code": "battery", "name": "电池"})
    assert product.parts.filter(code="battery").exists()
    client.post(f"/catalog/{product.pk}/active/", {"active": "0"})
    product.refresh_from_db()
    assert not product.is_active


def test_a_reader_cannot_write_through_the_pages():
    product = make_product("HX-R")
    client = _client(Role.SALES_REP)
    assert client.get("/catalog/new/").status_code == 403
    assert client.post(f"/catalog/{product.pk}/prices/", {"amount": "1", "unit": "one_off",
                                                          "effective_from": "2026-06-01"}).status_code == 403
    assert client.post(f"/catalog/{product.pk}/active/", {"active": "0"}).status_code == 403
    product.refresh_from_db()
    assert product.is_active and product.prices.count() == 1
