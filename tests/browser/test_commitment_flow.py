"""An agent records a promise on the case page; once it is broken, the manager's "promises kept"
report draws its chart from the page's JSON block with the static script (no inline code)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Commitment
from guanxi.servicedesk.services.commitments import commitments_sweep
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.servicedesk.tests.factories import office_calendar

from .test_customer_flow import log_in, log_out, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_promise_made_on_the_case_page_and_the_kept_report(page: Page, live_server):
    team = TeamFactory(kind="service", name="一线")
    admin = UserFactory(role=Role.ADMIN, username="admin3")
    agent = UserFactory(role=Role.AGENT, username="agent3", team=team, display_name="坐席小王")
    UserFactory(role=Role.SERVICE_MANAGER, username="manager3")
    office_calendar(admin)
    customer = make_customer(admin, name="孙八")
    case = ticket_create(actor=agent, customer=customer, data={"subject": "宽带断线", "type": "fault",
                                                                "channel": "hotline"})
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base, agent.username)
    page.goto(f"{base}/service/{case.pk}/")
    page.locator("#commitments summary").click()
    page.locator("#id_cmt-kind").select_option("visit")
    page.locator("#id_cmt-description").fill("明天上门检修")
    due = timezone.localtime() + dt.timedelta(days=1)
    page.locator("#id_cmt-due_at").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#gx-commitment-submit").click()
    row = page.locator("#gx-commitment-table tr[data-commitment]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("明天上门检修")
    expect(row).to_contain_text("待兑现")
    # The promise section fits its column (the case page's own width is the layout's business).
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.querySelector('#commitments'))")
    shot(page, "case-promise")

    Commitment.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    commitments_sweep(actor=SYSTEM)
    log_out(page)
    log_in(page, base, "manager3")
    page.goto(f"{base}/service/commitments/report/")
    expect(page.locator("#gx-kept-table")).to_contain_text("一线")
    expect(page.locator("#gx-kept-chart svg")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path="/tmp/report.png", full_page=True)
    shot(page, "promises-kept-report")
    assert not errors
