"""The care rule pages: administrators create, change, switch on/off and delete rules in Chinese, with
the next dates of the occasions; bad input (no segment, a negative budget, an unknown placeholder)
is a clear message on its field and saves nothing; the list shows budget against spent; other roles
may look but not change; the care tasks go through the task list's bulk service."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.segments.models import Segment
from guanxi.tasks.models import Task

from ..models import CareAction, CareRule
from ..services import care_run, render
from .factories import contract, customer, greeting_rule, task_rule

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
FORM = {
    "name": "中秋问候",
    "segment": "all",
    "occasion": "lunar_festival",
    "occasion_key": "mid_autumn",
    "lead_days": "1",
    "action": "greeting",
    "channel": "sms",
    "template": "{客户姓名}您好，中秋快乐！",
    "subject": "",
    "budget": "500",
    "cost_per_action": "0.05",
    "assignee": "",
    "is_enabled": "on",
}


@pytest.fixture
def admin_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role=Role.ADMIN))
    return client


def test_an_administrator_creates_a_rule_with_the_customers_name_placeholder(admin_client):
    page = admin_client.get(reverse("care:rule_create"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "新建关怀规则" in text and "{客户姓名}" in text and 'id="gx-care-preview"' in text
    response = admin_client.post(reverse("care:rule_create"), FORM)
    rule = CareRule.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("care:rule_detail", args=[rule.pk])
    assert rule.segment is None and rule.budget == Decimal("500.00") and rule.lead_days == 1
    assert render(rule.template, "王芳") == "王芳您好，中秋快乐！"
    edit = admin_client.get(reverse("care:rule_edit", args=[rule.pk])).content.decode()
    assert "{客户姓名}您好，中秋快乐！" in edit  # shown as written


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"segment": ""}, "segment", "请选择客户群"),
        ({"budget": "-5"}, "budget", "0"),
        ({"cost_per_action": "-0.05"}, "cost_per_action", "0"),
        ({"template": "{客户姓名}您好，您的积分为{积分}"}, "template", "{积分}"),
        ({"template": "Dear {first_name}"}, "template", "{first_name}"),
        ({"template": ""}, "template", "必填"),
        ({"channel": "task"}, "channel", ""),
        ({"occasion_key": "national_day"}, "occasion_key", ""),
        ({"lead_days": "61"}, "lead_days", ""),
    ],
)
def test_bad_input_is_a_clear_message_and_nothing_is_saved(admin_client, change, field, words):
    response = admin_client.post(reverse("care:rule_create"), {**FORM, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and words in " ".join(form.errors[field])
    text = response.content.decode()
    assert "规则未保存" in text and 'class="text-danger small gx-field-error"' in text
    assert not CareRule.objects.exists()


def test_a_bad_change_leaves_the_rule_as_it_was(admin_client):
    rule = greeting_rule(budget=Decimal("100"))
    before = CareRule.history.filter(id=rule.pk).count()
    data = {**FORM, "occasion": "birthday", "occasion_key": "", "budget": "-1"}
    response = admin_client.post(reverse("care:rule_edit", args=[rule.pk]), data)
    assert response.status_code == 200 and "budget" in response.context["form"].errors
    rule.refresh_from_db()
    assert rule.budget == Decimal("100.00") and CareRule.history.filter(id=rule.pk).count() == before


def test_edit_switch_and_delete(admin_client):
    segment = Segment.objects.create(
        name="高ARPU", definition={"match": "all", "rules": [{"field": "arpu", "op": "gte", "value": 500}]}
    )
    rule = greeting_rule()
    response = admin_client.post(
        reverse("care:rule_edit", args=[rule.pk]), {**FORM, "segment": str(segment.pk), "name": "VIP中秋"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.segment == segment and rule.name == "VIP中秋" and rule.occasion_key == "mid_autumn"
    admin_client.post(reverse("care:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.is_enabled
    admin_client.post(reverse("care:rule_toggle", args=[rule.pk]), {"next": "detail"})
    rule.refresh_from_db()
    assert rule.is_enabled
    assert admin_client.post(reverse("care:rule_delete", args=[rule.pk])).status_code == 302
    assert not CareRule.objects.exists()


def test_a_rule_with_history_is_not_deleted_from_the_page(admin_client):
    rule = greeting_rule()
    customer(birth=dt.date(1990, 6, 15))
    care_run(actor=SYSTEM, day=dt.date(2030, 6, 15), deliver=False)
    response = admin_client.post(reverse("care:rule_delete", args=[rule.pk]), follow=True)
    assert CareRule.objects.filter(pk=rule.pk).exists()
    assert "停用" in response.content.decode()  # the message says to switch it off


def test_the_preview_shows_the_next_dates_of_the_occasion(admin_client):
    rule = greeting_rule(occasion="lunar_festival", occasion_key="spring", lead_days=2)
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=TZ), tick=False):
        detail = admin_client.get(reverse("care:rule_detail", args=[rule.pk])).content.decode()
        form = admin_client.get(reverse("care:rule_edit", args=[rule.pk])).content.decode()
    # 春节 2027-02-06, 2028-01-26, 2029-02-13; the run acts two days before
    assert "2027-02-06" in detail and "2028-01-26" in detail and "2029-02-13" in detail
    assert "2027-02-04" in detail and "春节" in detail and ">spring<" not in detail
    assert "2027-09-15" in form and "2027-10-01" in form  # 中秋 and 国庆 in the preview


def test_the_list_shows_budget_against_spent():
    rule = greeting_rule(budget=Decimal("0.10"))
    customer("甲", birth=dt.date(1990, 6, 15))
    with time_machine.travel(dt.datetime(2030, 6, 15, 8, tzinfo=TZ), tick=False):
        care_run(actor=SYSTEM, deliver=False)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(UserFactory(role=Role.ADMIN))
        text = client.get(reverse("care:rules")).content.decode()
    assert "¥0.05" in text and "¥0.10" in text and "已用 50%" in text
    assert reverse("care:rule_edit", args=[rule.pk]) in text and "新建关怀规则" in text


def test_other_roles_see_the_rules_but_cannot_change_them():
    rule = greeting_rule()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role=Role.SALES_MANAGER))
    assert client.get(reverse("care:rules")).status_code == 200
    assert reverse("care:rule_edit", args=[rule.pk]) not in client.get(reverse("care:rules")).content.decode()
    assert client.get(reverse("care:rule_create")).status_code == 403
    assert client.post(reverse("care:rule_create"), FORM).status_code == 403
    assert client.post(reverse("care:rule_edit", args=[rule.pk]), FORM).status_code == 403
    assert client.post(reverse("care:rule_toggle", args=[rule.pk])).status_code == 403
    assert client.post(reverse("care:rule_delete", args=[rule.pk])).status_code == 403
    rule.refresh_from_db()
    assert rule.is_enabled and CareRule.objects.count() == 1


def test_care_tasks_are_written_in_bulk_with_history_and_link_to_their_rule(django_assert_max_num_queries):
    owners = [UserFactory(role=Role.SALES_REP) for _ in range(3)]
    rule = task_rule()
    for i in range(12):
        client = customer(f"客户{i}", owner=owners[i % 3])
        contract(client, owners[i % 3], dt.date(2027, 5, 20))
    with django_assert_max_num_queries(40):  # does not grow with the customers
        result = care_run(actor=SYSTEM, day=dt.date(2028, 5, 20), deliver=False)
    assert result["tasks"] == 12 and Task.objects.count() == 12
    for action in CareAction.objects.select_related("task", "customer"):
        task = action.task
        assert task.customer_id == action.customer_id and task.assignee_id == action.customer.owner_id
        assert task.kind == "care" and task.source == rule and task.source_label == rule.name
        assert task.source_url == reverse("care:rule_detail", args=[rule.pk]) and task.history.count() == 1
    assert care_run(actor=SYSTEM, day=dt.date(2028, 5, 20), deliver=False)["tasks"] == 0  # idempotent
    assert Task.objects.count() == 12
