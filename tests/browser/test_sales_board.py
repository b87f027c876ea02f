"""A representative drags an opportunity across the board (HTML5 drag and drop, posted by htmx): the
deal moves stage, the column totals follow; a drop on the lost column is refused with its reason and
the card goes back; the forecast page draws its charts. No sideways scroll at 1,280 px."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import OpportunityStage
from guanxi.sales.services.opportunities import opportunity_create

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _column(page: Page, name: str):
    return page.locator(f"#gx-board .gx-board-column[data-stage='{OpportunityStage.objects.get(name=name).pk}']")


def test_dragging_a_deal_across_the_board(page: Page, live_server):
    team = TeamFactory(kind=TeamKind.SALES, name="华东销售部")
    rep = UserFactory(role=Role.SALES_REP, username="rep9", team=team, display_name="销售小李")
    customer = make_customer(rep, name="星河科技")
    deal = opportunity_create(actor=rep, customer=customer, name="企业专线", amount=Decimal("120000"),
                              expected_close_date=dt.date.today() + dt.timedelta(days=30))
    opportunity_create(actor=rep, customer=customer, name="云电脑", amount=Decimal("30000"),
                       expected_close_date=dt.date.today() + dt.timedelta(days=60))
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, rep.username)
    page.goto(f"{base}/sales/")
    card = page.locator(f"#gx-board [data-opportunity='{deal.pk}']")
    expect(_column(page, "初步接洽").locator(".gx-board-card")).to_have_count(2)

    card.drag_to(_column(page, "方案报价"))
    expect(page.locator("#gx-board-message")).to_contain_text("企业专线")
    expect(_column(page, "方案报价").locator(f"[data-opportunity='{deal.pk}']")).to_have_count(1)
    expect(_column(page, "方案报价")).to_contain_text("¥120,000")
    shot(page, "sales-board-moved")
    page.reload()  # the move was stored, not only drawn
    expect(_column(page, "方案报价").locator(f"[data-opportunity='{deal.pk}']")).to_have_count(1)

    page.locator(f"#gx-board [data-opportunity='{deal.pk}']").drag_to(_column(page, "丢单"))
    expect(page.locator("#gx-board-message")).to_contain_text("丢单需要原因")
    expect(_column(page, "方案报价").locator(f"[data-opportunity='{deal.pk}']")).to_have_count(1)

    page.locator(f"#gx-board [data-opportunity='{deal.pk}']").drag_to(_column(page, "赢单"))
    expect(_column(page, "赢单").locator(f"[data-opportunity='{deal.pk}']")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{base}/sales/forecast/")
    expect(page.locator("#gx-forecast-chart svg")).to_have_count(1)
    expect(page.locator("#gx-funnel-chart svg")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "sales-forecast")
    assert not errors
    deal.refresh_from_db()
    assert deal.status == "won" and [c.to_stage.name for c in deal.stage_changes.order_by("id")] == [
        "初步接洽", "方案报价", "赢单"]
