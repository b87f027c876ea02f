"""An administrator creates a customer through the UI; an agent finds it by pinyin initials
and sees the phone number masked."""

import os
import re

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("GUANXI_SCREENSHOTS", "")  # a folder, for looking at pages during development


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#gx-login-submit").click()
    expect(page).to_have_url(f"{base_url}/")


def log_out(page: Page) -> None:
    page.locator("#gx-user-menu").click()
    page.locator("#gx-logout").click()
    expect(page.locator("#id_username")).to_be_visible()


def test_admin_creates_customer_agent_finds_it_masked(page: Page, live_server):
    admin = UserFactory(role=Role.ADMIN, username="admin1", display_name="管理员")
    agent = UserFactory(role=Role.AGENT, username="agent1", display_name="坐席小王")
    base = live_server.url

    # Static files are served: Bootstrap is applied (the top bar is not the browser's default).
    response = page.request.get(f"{base}/static/vendor/bootstrap.min.css")
    assert response.ok

    log_in(page, base, admin.username)
    shot(page, "home-admin")
    page.goto(f"{base}/customers/new/")
    page.locator("#id_name").fill("张三丰")
    page.locator("#id_mobile").fill("13800138000")
    page.locator("#gx-save").click()
    expect(page.locator("#gx-customer-name")).to_have_text("张三丰")
    expect(page.locator("#gx-detail-mobile")).to_contain_text("13800138000")
    shot(page, "detail-admin")
    # The inline forms are fetched when their section opens: a second number, then a contact.
    page.locator("#contact_points-add summary").click()
    page.locator("#id_cp-kind").select_option("wechat")
    page.locator("#id_cp-value").fill("zsf_wx2026")
    page.locator("#contact_points-form button[type=submit]").click()
    expect(page.locator("#contact_points")).to_contain_text("zsf_wx2026")
    page.locator("#gx-record-contact summary").click()
    page.locator("#id_ia-subject").fill("首次回访")
    page.locator("#timeline-body-form button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text("首次回访")
    log_out(page)

    log_in(page, base, agent.username)
    page.goto(f"{base}/customers/")
    page.locator("#id_q").fill("zsf")
    page.locator("#gx-search-submit").click()
    row = page.locator("#customer-table tbody tr", has_text="张三丰")
    expect(row).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=zsf"))
    expect(row.locator(".gx-mobile")).to_contain_text("138****8000")
    assert "13800138000" not in page.content()
    shot(page, "list-agent")

    row.get_by_role("link", name="张三丰").click()
    expect(page.locator("#gx-detail-mobile")).to_have_text("138****8000")
    assert "13800138000" not in page.content()
    expect(page.locator("#gx-delete")).to_have_count(0)
    shot(page, "detail-agent")
