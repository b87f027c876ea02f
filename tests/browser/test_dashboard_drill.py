"""The executive dashboard at 1,280 px: no sideways scroll; a click on this month's revenue bar
opens the orders behind it, and one of them opens the order's own page."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.services import warehouse_refresh
from guanxi.orders.tests.factories import order, world

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_click_on_a_revenue_bar_opens_the_orders_behind_it(page: Page, live_server, settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    w = world()
    made = order(w["rep"], w["customer"], w["product"], quantity=3, day=dt.date.today())
    warehouse_refresh(actor=SYSTEM, full=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, w["manager"].username)
    this_month = dt.date.today().replace(day=1).isoformat()
    page.goto(f"{live_server.url}/analytics/?period=month&start={this_month}")
    expect(page.locator("h1")).to_contain_text("领导驾驶舱")
    chart = page.locator('[data-gx-dashboard="revenue"]')
    expect(chart.locator("svg")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "dashboard")
    # The pixel of the top of the last (this month's) revenue bar, from the chart itself.
    point = page.evaluate("""() => {
        const el = document.querySelector('[data-gx-dashboard="revenue"]');
        const chart = echarts.getInstanceByDom(el);
        const data = chart.getOption().series[0].data;
        return chart.convertToPixel({seriesIndex: 0}, [data.length - 1, data[data.length - 1]]);
    }""")
    box = chart.bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1] + 4)
    expect(page).to_have_url(f"{live_server.url}/analytics/dashboard/revenue/records/"
                             f"?period=month&start={this_month}")
    table = page.locator("#gx-dashboard-records")
    expect(table).to_contain_text(made.number)
    table.get_by_role("link", name=made.number).click()
    expect(page).to_have_url(f"{live_server.url}/orders/{made.pk}/")
