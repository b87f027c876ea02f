"""A sales manager builds a segment with the builder (live count), saves it, sees its members, the
value analysis charts and a customer's value panel."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.segments.models import Segment
from guanxi.segments.services import value_recompute
from guanxi.segments.tests.factories import make_customer, make_transactions

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_builds_a_segment_and_reads_the_analysis(page: Page, live_server):
    team = TeamFactory()
    admin = UserFactory(role=Role.ADMIN, username="admin1")
    manager = UserFactory(role=Role.SALES_MANAGER, username="manager1", team=team)
    rich = make_customer(admin, name="张伟", arpu="800", owner=manager, team=team)
    make_customer(admin, name="李娜", arpu="900")  # another team's VIP: not counted for the manager
    make_customer(admin, name="王芳", arpu="20", owner=manager, team=team)
    make_transactions(rich, [("bill", dt.date.today() - dt.timedelta(days=30 * k), 800) for k in range(1, 4)])
    value_recompute(actor=SYSTEM)
    base = live_server.url

    log_in(page, base, manager.username)
    page.goto(f"{base}/segments/new/")
    page.locator("#id_name").fill("我的 VIP")
    page.locator("[data-gx-add-rule]").first.click()
    row = page.locator(".gx-rule").first
    expect(row).to_be_visible()
    row.locator("select[name$='-field']").select_option("value_level")
    row = page.locator(".gx-rule").first
    row.locator("select[name$='-op']").select_option("eq")
    row = page.locator(".gx-rule").first
    row.locator("select[name$='-value']").select_option("vip")
    expect(page.locator("#gx-preview-count")).to_have_attribute("data-count", "1")
    shot(page, "segment-builder")
    page.locator("#gx-save-segment").click()

    expect(page.locator("#gx-segment-name")).to_have_text("我的 VIP")
    expect(page.locator("#member-table tbody tr", has_text="张伟")).to_have_count(1)
    assert "李娜" not in page.content()
    assert Segment.objects.get(name="我的 VIP").definition == {
        "match": "all", "rules": [{"field": "value_level", "op": "eq", "value": "vip"}]}

    page.goto(f"{base}/segments/analysis/")
    for chart in ("pyramid", "abc", "rfm", "portfolio"):
        expect(page.locator(f"#{chart} .gx-chart svg")).to_have_count(1)
    shot(page, "value-analysis")

    page.goto(f"{base}/customers/{rich.pk}/")
    expect(page.locator("#gx-value-level")).to_have_text("VIP 客户")
