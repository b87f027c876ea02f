"""A visitor on a phone (390 px wide) fills in the public lead form: too fast at first (the signed
timestamp says so, in Chinese), then sent; the thank-you page shows and the lead is in the pool. The
honeypot stays out of sight, nothing scrolls sideways. A sales manager then sees the lead, flagged as
matching an existing customer, on the staff list and its page, at desktop width."""

import time

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.models import Lead
from guanxi.marketing.tests.factories import make_web_form

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_leaves_a_lead_on_a_phone(page: Page, live_server):
    cache.clear()
    admin = UserFactory(role=Role.ADMIN, username="admin_leads")
    manager = UserFactory(role=Role.SALES_MANAGER, username="manager_leads")
    customer = make_customer(admin, name="陈静", mobile="13912345678", owner=manager)
    make_web_form(slug="contact", title="官网咨询", intro="留下联系方式，我们一个工作日内联系您。")
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/l/contact/")
    expect(page.locator("h1")).to_have_text("官网咨询")
    expect(page.locator("#id_website")).not_to_be_in_viewport()
    page.locator("#id_person_name").fill("陈静")
    page.locator("#id_mobile").fill("139 1234 5678")
    page.locator("#id_interest").fill("想了解千兆宽带和 IPTV")
    assert _fits(page)
    page.locator("#gx-public-submit").click()  # within a second of the page showing: too fast
    expect(page.locator("#gx-public-problem")).to_contain_text("提交太快")
    assert not Lead.objects.exists()
    time.sleep(3.2)
    page.locator("#gx-public-submit").click()
    expect(page.locator("#gx-public-thanks")).to_contain_text("感谢您的咨询")
    assert _fits(page)
    shot(page, "lead-web-form-thanks-390")
    lead = Lead.objects.get()
    assert (lead.source, lead.owner, lead.mobile, lead.customer) == ("web_form", None, "+8613912345678", customer)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, manager.username)
    page.goto(f"{base}/marketing/leads/?view=pool")
    row = page.locator(f"#gx-lead-list tr[data-lead='{lead.pk}']")
    expect(row).to_contain_text("现有客户")
    expect(row).to_contain_text("公海")
    assert _fits(page)
    row.locator("a").first.click()
    expect(page.locator("#gx-lead-customer")).to_contain_text(f"匹配现有客户 {customer.code} 陈静")
    expect(page.locator("#gx-lead-duplicates")).to_contain_text("手机号相同")
    page.locator("#id_disqualify-reason").select_option("duplicate")
    page.locator("#gx-lead-disqualify button").click()
    expect(page.locator("#gx-lead-reason")).to_contain_text("与其他线索或客户重复")
    assert _fits(page)
