"""Chart tooltips are HTML: a customer name from the data is shown as text, never as markup."""

import datetime as dt

import pytest
from playwright.sync_api import Page

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Customer
from guanxi.segments.services import value_recompute
from guanxi.segments.tests.factories import make_customer, make_transactions

from .test_customer_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NAME = '<img src=x id=gx-injected onerror="window.gxInjected=1">'


def test_a_customer_name_with_markup_is_text_in_the_portfolio_tooltip(page: Page, live_server):
    admin = UserFactory(role=Role.ADMIN, username="admin1")
    customer = make_customer(admin, name="张伟", arpu="800")
    # Forms refuse markup in names; older or imported data may still hold it.
    Customer.objects.filter(pk=customer.pk).update(name=NAME)
    make_transactions(customer, [("bill", dt.date.today() - dt.timedelta(days=30 * k), 800) for k in range(1, 13)])
    value_recompute(actor=SYSTEM)

    log_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/segments/analysis/")
    page.wait_for_selector("#portfolio .gx-chart svg")
    shown = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.querySelector("#portfolio .gx-chart"));
        const series = chart.getOption().series.findIndex(s => s.data.length > 0);
        chart.dispatchAction({type: "showTip", seriesIndex: series, dataIndex: 0});
        return new Promise(done => setTimeout(() => done(document.querySelector("#portfolio").innerText), 300));
    }""")
    assert NAME in shown
    assert page.locator("#gx-injected").count() == 0
    assert page.evaluate("window.gxInjected") is None
