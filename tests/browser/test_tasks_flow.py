"""A representative completes a task on "my work today" with one click (htmx swaps the row, the
count on the home page follows), then finds their visits on the calendar, month and week, and
their team lead sees the team's; no sideways scroll at 1,280 px."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.tasks.models import Task
from guanxi.tasks.tests.factories import make_task

from .test_customer_flow import log_in, log_out, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _later_today(hours: int) -> dt.timedelta:
    """A moment later today (or just after now, late in the evening), so it counts as due today."""
    now = timezone.localtime()
    end = now.replace(hour=23, minute=59, second=0, microsecond=0)
    return min(dt.timedelta(hours=hours), max(end - now, dt.timedelta(minutes=1)) / 2)


def test_complete_on_my_work_today_and_the_calendar(page: Page, live_server):
    team = TeamFactory(name="华东销售部")
    rep = UserFactory(role=Role.SALES_REP, username="rep7", team=team, display_name="销售小李")
    UserFactory(role=Role.SALES_MANAGER, username="lead7", team=team)
    colleague = UserFactory(role=Role.SALES_REP, team=team, display_name="销售小赵")
    customer = make_customer(rep, name="钱九")
    call = make_task(assignee=rep, kind="call", subject="电话回访钱先生", customer=customer,
                     due_in=_later_today(2))
    make_task(assignee=rep, kind="follow_up", subject="跟进报价", due_in=-dt.timedelta(days=2))
    visit = make_task(assignee=rep, kind="visit", subject="上门拜访钱先生", due_in=dt.timedelta(days=2))
    theirs = make_task(assignee=colleague, kind="visit", subject="同事的拜访", due_in=dt.timedelta(days=2))
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base, rep.username)
    expect(page.locator("#gx-tasks-today")).to_have_text("1")
    page.goto(f"{base}/tasks/")
    today = page.locator("#gx-work-today")
    expect(today.locator(".gx-work-count")).to_have_text("1")
    expect(page.locator("#gx-work-overdue")).to_contain_text("跟进报价")
    row = page.locator(f"#gx-task-{call.pk}")
    expect(row).to_contain_text("电话回访钱先生")
    expect(row).to_contain_text("钱九")
    row.locator(".gx-task-done").click()
    expect(page.locator(f"#gx-task-{call.pk} .gx-task-status")).to_have_text("已完成")
    expect(page.locator(f"#gx-task-{call.pk}")).to_have_attribute("data-status", "done")
    assert Task.objects.get(pk=call.pk).status == "done"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "my-work-today")
    page.goto(f"{base}/")
    expect(page.locator("#gx-tasks-today")).to_have_text("0")

    day = timezone.localdate(visit.due_at).isoformat()
    page.goto(f"{base}/tasks/calendar/?date={day}")  # the month of the visit
    cell = page.locator(f'#gx-calendar td[data-day="{day}"]')
    expect(cell.locator(f'[data-task="{visit.pk}"]')).to_contain_text("上门拜访钱先生")
    expect(page.locator(f'[data-task="{theirs.pk}"]')).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "calendar-month")
    page.locator("#gx-calendar-week").click()
    expect(page.locator("#gx-calendar tbody td")).to_have_count(7)
    expect(page.locator(f'#gx-calendar [data-task="{visit.pk}"]')).to_be_visible()
    page.locator(f'#gx-calendar [data-task="{visit.pk}"]').click()
    expect(page.locator("h1")).to_contain_text("上门拜访钱先生")
    shot(page, "task-detail")

    log_out(page)
    log_in(page, base, "lead7")
    page.goto(f"{base}/tasks/calendar/?view=week&date={day}&team=on")
    expect(page.locator(f'#gx-calendar [data-task="{theirs.pk}"]')).to_contain_text("销售小赵")
    expect(page.locator(f'#gx-calendar [data-task="{visit.pk}"]')).to_be_visible()
    assert not errors
