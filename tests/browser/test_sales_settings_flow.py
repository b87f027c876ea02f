"""A sales manager adds a pipeline stage on the sales settings page and sets the big-deal amount
(htmx); a representative enters an expense and finds it in the list with its total. No sideways
scroll at 1,280 px."""

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.sales.models import OpportunityStage, SalesExpense

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_manager_adds_a_stage_and_a_rep_enters_an_expense(page: Page, live_server):
    team = TeamFactory(kind=TeamKind.SALES, name="华南销售部")
    manager = UserFactory(role=Role.SALES_MANAGER, username="mgr7", team=team, display_name="王经理")
    rep = UserFactory(role=Role.SALES_REP, username="rep7", team=team, display_name="销售小陈")
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base, manager.username)
    page.goto(f"{base}/sales/")
    page.get_by_role("link", name="销售设置").first.click()
    expect(page.locator("#gx-stage-table")).to_contain_text("初步接洽")
    _no_sideways_scroll(page)
    page.locator("#gx-stage-new").click()
    page.locator("#id_name").fill("样机试用")
    page.locator("#id_order").fill("35")
    page.locator("#id_probability").fill("60")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#gx-stage-table")).to_contain_text("样机试用")
    assert OpportunityStage.objects.get(name="样机试用").probability == 60
    page.locator("#gx-big-deal-form input[name='big-amount']").fill("0")
    page.locator("#gx-big-deal-form button[type='submit']").click()
    expect(page.locator("#big_deal .invalid-feedback")).to_be_visible()
    shot(page, "sales-settings")

    page.context.clear_cookies()
    log_in(page, base, rep.username)
    page.goto(f"{base}/sales/expenses/")
    expect(page.get_by_role("link", name="销售设置")).to_have_count(0)
    page.locator("#gx-expense-new").click()
    page.locator("#id_spent_on").fill("2026-11-20")
    page.locator("#id_category").select_option("travel")
    page.locator("#id_amount").fill("-5")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#gx-expense-form .text-danger")).to_be_visible()
    page.locator("#id_amount").fill("386.50")
    page.locator("#id_note").fill("广州出差高铁")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#gx-expense-table")).to_contain_text("广州出差高铁")
    expect(page.locator("#gx-expense-totals")).to_contain_text("¥386.50")
    _no_sideways_scroll(page)
    shot(page, "sales-expenses")
    expense = SalesExpense.objects.get()
    assert (expense.rep, expense.team, str(expense.amount)) == (rep, team, "386.50")
    assert errors == []
