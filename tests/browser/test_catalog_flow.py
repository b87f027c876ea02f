"""A sales manager searches the catalogue (live, htmx), opens a phone, changes its price and sees the
history keep the old one, then deactivates it."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog.models import Product
from guanxi.catalog.tests.factories import make_product

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_searches_reprices_and_deactivates(page: Page, live_server):
    manager = UserFactory(role=Role.SALES_MANAGER, username="manager1")
    phone = make_product("HX-X9", name="华星 X9 手机", price="2999", since=dt.date.today() - dt.timedelta(days=90))
    make_product("BB-1000M", name="家庭宽带 千兆", category="broadband", kind="service", brand="", price="149")
    base = live_server.url

    log_in(page, base, manager.username)
    page.goto(f"{base}/catalog/")
    expect(page.locator("#gx-product-rows tbody tr")).to_have_count(2)
    page.locator("#id_q").fill("宽带")
    expect(page.locator("#gx-product-rows tbody tr")).to_have_count(1)
    expect(page.locator("#gx-product-rows")).to_contain_text("家庭宽带 千兆")
    page.locator("#id_q").fill("X9")
    expect(page.locator("#gx-product-rows tbody tr")).to_have_count(1)
    shot(page, "catalog-list")
    page.get_by_role("link", name="华星 X9 手机").click()

    today = dt.date.today().isoformat()
    page.locator("#gx-price-add #id_amount").fill("2599")
    page.locator("#gx-price-add #id_effective_from").fill(today)
    page.locator("#gx-price-add button[type=submit]").click()
    expect(page.locator("#gx-prices tbody tr")).to_have_count(2)
    expect(page.locator("#gx-prices")).to_contain_text("2,999")
    expect(page.locator("#gx-prices")).to_contain_text("2,599")
    shot(page, "catalog-detail")
    page.locator("#gx-product-active button").click()
    expect(page.locator("h1")).to_contain_text("停售")
    assert not Product.objects.get(pk=phone.pk).is_active
