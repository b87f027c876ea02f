"""A customer asks for a one-time code, reads it from the outbox, signs in to the portal, opens a
case and finds it in their list; the case waits unowned in the agents' queue."""

import os
import re

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.portal.services import portal_account_create
from guanxi.servicedesk.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("GUANXI_SCREENSHOTS", "")


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_customer_signs_in_with_a_code_and_opens_a_case(page: Page, live_server):
    admin = UserFactory(role=Role.ADMIN)
    customer = make_customer(admin, name="赵六", mobile="13600136000")
    portal_account_create(actor=admin, customer=customer)
    base = live_server.url

    page.goto(f"{base}/portal/")
    expect(page).to_have_url(re.compile(r"/portal/login/"))
    page.locator("#gx-tab-code").click()
    page.locator("#id_req-login").fill("136 0013 6000")
    page.locator("#gx-code-request-submit").click()
    expect(page.locator("#gx-code-sent")).to_be_visible()
    shot(page, "portal-code-sent")

    message = OutboundMessage.objects.get(recipient="+8613600136000")
    assert message.channel == "sms" and message.status == "sent"
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    expect(page.locator("#id_otc-login")).to_have_value("136 0013 6000")
    page.locator("#id_otc-code").fill(code)
    page.locator("#gx-code-login-submit").click()
    expect(page.locator("#gx-portal-welcome")).to_contain_text("赵六")
    shot(page, "portal-home")

    page.locator("#gx-home-new-case").click()
    page.locator("#id_type").select_option("fault")
    page.locator("#id_subject").fill("手机无法充电")
    page.locator("#id_description").fill("充电器插上没有反应，已经换过插座。")
    page.locator("#gx-case-submit").click()
    expect(page.locator("#gx-case-subject")).to_have_text("手机无法充电")
    expect(page.locator("#gx-conversation")).to_contain_text("已经换过插座")
    shot(page, "portal-case")

    case = Ticket.objects.get(subject="手机无法充电")
    assert case.customer_id == customer.pk and case.owner_id is None and case.channel == "web"
    page.locator("#gx-portal-nav-cases").click()
    row = page.locator(".gx-portal-cases a", has_text="手机无法充电")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(case.number)
    shot(page, "portal-cases")

    page.locator("#gx-portal-logout").click()
    expect(page).to_have_url(re.compile(r"/portal/login/"))
