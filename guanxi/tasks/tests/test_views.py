"""Task pages in Chinese: "my work today" with quick complete (htmx), the calendar (month and
week, mine and my team's), the list with filters, creating and editing a task with bad input, the
home-page panel and the customer 360 timeline."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for
from guanxi.customers.tests.factories import make_customer
from guanxi.tasks.models import Task
from guanxi.tasks.services import task_complete

from .factories import make_task

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rep(db):
    return UserFactory(role=Role.SALES_REP)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_my_work_today_groups_and_quick_complete(rep):
    overdue = make_task(assignee=rep, subject="逾期的回访", due_in=-dt.timedelta(days=2))
    today = make_task(assignee=rep, subject="今天的拜访", due_in=dt.timedelta(hours=3))
    make_task(assignee=rep, subject="下周的会议", due_in=dt.timedelta(days=5))
    client = _client(rep)
    page = client.get("/tasks/").content.decode()
    assert "我的今日工作" in page and "已逾期" in page and "今日到期" in page and "未来7天" in page
    assert page.index("逾期的回访") < page.index("今天的拜访") < page.index("下周的会议")
    response = client.post(f"/tasks/{today.pk}/complete/", {"outcome": "已完成拜访"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-status="done"' in response.content.decode()
    today.refresh_from_db()
    assert today.status == "done" and today.outcome == "已完成拜访"
    again = client.post(f"/tasks/{today.pk}/complete/", {}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "已完成或已取消" in again.content.decode()
    other = UserFactory(role=Role.SALES_REP)
    assert _client(other).post(f"/tasks/{overdue.pk}/complete/", {}).status_code == 404
    assert Task.objects.get(pk=overdue.pk).is_open


def test_calendar_month_and_week(rep):
    visit = make_task(assignee=rep, kind="visit", subject="拜访客户甲", due_in=dt.timedelta(days=1))
    colleague = UserFactory(role=Role.AGENT, team=rep.team)
    theirs = make_task(assignee=colleague, subject="同事的电话", due_in=dt.timedelta(days=1))
    client = _client(rep)
    month = client.get("/tasks/calendar/").content.decode()
    assert 'data-day="2026-03-11"' in month and "拜访客户甲" in month and "同事的电话" not in month
    week = client.get("/tasks/calendar/", {"view": "week", "date": "2026-03-12"}).content.decode()
    assert "2026-03-09 – 2026-03-15" in week and f'data-task="{visit.pk}"' in week
    lead = _client(UserFactory(role=Role.SALES_MANAGER, team=rep.team))
    team = lead.get("/tasks/calendar/", {"team": "on"}).content.decode()
    assert f'data-task="{theirs.pk}"' in team and f'data-task="{visit.pk}"' in team
    assert client.get("/tasks/calendar/", {"date": "not-a-date", "view": "year"}).status_code == 200


def test_list_filters(rep):
    make_task(assignee=rep, subject="甲任务", kind="call")
    done = make_task(assignee=rep, subject="乙任务", kind="visit")
    task_complete(actor=rep, task=done)
    client = _client(rep)
    page = client.get("/tasks/list/", {"view": "mine", "status": "done"}).content.decode()
    assert "乙任务" in page and "甲任务" not in page
    page = client.get("/tasks/list/", {"kind": "call", "q": "甲"}).content.decode()
    assert "甲任务" in page and "乙任务" not in page


def test_create_with_bad_input_then_good_input_and_edit(rep):
    customer = make_customer(rep, name="周八")
    client = _client(rep)
    assert "新建任务" in client.get(f"/tasks/new/?customer={customer.pk}").content.decode()
    data = {"kind": "visit", "subject": "上门", "start_at": "2026-03-11T11:00", "due_at": "2026-03-11T10:00",
            "priority": "2", "remind": "30", "customer": customer.pk}
    page = client.post("/tasks/new/", data).content.decode()
    assert "截止时间早于开始时间" in page and not Task.objects.exists()
    response = client.post("/tasks/new/", {**data, "start_at": "2026-03-11T09:00"})
    task = Task.objects.get()
    assert response.status_code == 302 and task.customer == customer and task.assignee == rep
    assert [r.remind_at.hour for r in task.reminders.all()] == [0]  # 08:30 China time is 00:30 UTC
    detail = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "上门" in detail and "周八" in detail
    client.post(f"/tasks/{task.pk}/", {**data, "start_at": "2026-03-11T09:00", "subject": "上门（改）"})
    task.refresh_from_db()
    assert task.subject == "上门（改）"


def test_home_panel_counts_todays_work(rep):
    make_task(assignee=rep, due_in=dt.timedelta(hours=2))
    make_task(assignee=rep, due_in=dt.timedelta(hours=3))
    make_task(assignee=rep, due_in=-dt.timedelta(days=1))
    page = _client(rep).get("/").content.decode()
    assert 'id="gx-tasks-today">2<' in page and 'id="gx-tasks-overdue">1<' in page


def test_tasks_on_the_customer_timeline(rep):
    customer = make_customer(rep, name="吴九")
    task = make_task(assignee=rep, customer=customer, kind="visit", subject="上门测速")
    task_complete(actor=rep, task=task, outcome="网速正常")
    events = client_for(rep).get(f"/api/v1/customers/{customer.pk}/360").json()["timeline"]
    kinds = {e["kind"]: e for e in events}
    assert "task_planned" in kinds and "网速正常" in kinds["task_done"]["detail"]
