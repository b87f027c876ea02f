"""An agent opens a complaint case for a customer and takes the complaint through every step,
seeing each step in the timeline under their name."""

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_takes_a_complaint_through_every_step(page: Page, live_server):
    admin = UserFactory(role=Role.ADMIN, username="admin2")
    agent = UserFactory(role=Role.AGENT, username="agent2", display_name="坐席小李")
    TeamFactory(name="网络维护部")
    customer = make_customer(admin, name="钱七", mobile="13700137000")
    base = live_server.url

    log_in(page, base, agent.username)
    page.goto(f"{base}/service/new/")
    page.locator("#id_customer_q").fill("钱七")
    page.locator("#gx-customer-results a", has_text="钱七").click()
    expect(page.locator("#gx-customer-picked")).to_contain_text("钱七")
    page.locator("#id_subject").fill("营业员服务态度差")
    page.locator("#id_type").select_option("complaint")
    page.locator("#gx-save").click()
    expect(page.locator("#gx-case-subject")).to_have_text("营业员服务态度差")
    expect(page.locator("#gx-case-customer")).to_contain_text("钱七")
    expect(page.locator("#gx-case-mobile")).to_have_text("137****7000")
    shot(page, "case-new-complaint")

    page.locator("#id_cpo-severity").select_option("normal")
    page.locator("#gx-complaint-open").click()
    steps = page.locator("#gx-complaint-steps .gx-step")
    expect(steps).to_have_count(1)

    for stage in ("recorded", "classified", "assessed", "forwarded", "following_up", "replied", "verified"):
        if stage == "classified":
            page.locator("#id_cps-classification").fill("服务态度")
        if stage == "forwarded":
            page.locator("#id_cps-responsible_team").select_option(label="网络维护部")
        page.locator("#id_cps-note").fill(f"步骤 {stage}")
        page.locator("#gx-complaint-next").click()
        expect(page.locator(f'#gx-complaint-steps .gx-step[data-stage="{stage}"]')).to_have_count(1)

    expect(steps).to_have_count(8)
    for i in range(8):
        expect(steps.nth(i).locator(".gx-step-actor")).to_have_text("坐席小李")
    expect(page.locator("#gx-complaint-classification")).to_have_text("服务态度")
    expect(page.locator("#gx-complaint-team")).to_have_text("网络维护部")
    expect(page.locator("#gx-complaint-next")).to_have_count(0)
    expect(page.locator("#gx-complaint-stage")).to_have_text("结果已核实")
    assert customer.mobile not in page.content()
    shot(page, "case-complaint-verified")
