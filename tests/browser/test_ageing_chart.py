"""The receivables page at 1,280 px: the ageing donut names every bucket in full (a legend below it
with each bucket's share, no labels cut at the card's edge) and the page does not scroll sideways."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from guanxi.orders.tests.factories import order, world

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BUCKETS = ("未到期", "0–30 天", "31–60 天", "61–90 天", "90 天以上")


def test_the_ageing_donut_labels_are_whole_at_1280_px(page: Page, live_server):
    w = world()
    today = dt.date.today()
    for days_over, price in ((-5, "100"), (10, "200"), (45, "300"), (75, "400"), (120, "500")):
        due = today - dt.timedelta(days=days_over)
        order(w["rep"], w["customer"], w["product"], quantity=1, unit_price=price, day=min(due, today), due_on=due)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, w["manager"].username)
    page.goto(f"{live_server.url}/orders/receivables/")
    donut = page.locator("#gx-ageing-totals")
    expect(donut.locator("svg")).to_have_count(1)
    texts = donut.locator("svg text")
    expect(texts).to_have_count(len(BUCKETS))
    box = donut.bounding_box()
    drawn = [texts.nth(i) for i in range(texts.count())]
    names = [t.text_content() for t in drawn]
    for bucket in BUCKETS:
        assert any(name.startswith(bucket) and name.endswith("%") for name in names), (bucket, names)
    for text in drawn:
        edge = text.bounding_box()
        assert box["x"] <= edge["x"] and edge["x"] + edge["width"] <= box["x"] + box["width"], text.text_content()
    assert "…" not in "".join(names) and "..." not in "".join(names)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "receivables-ageing")
