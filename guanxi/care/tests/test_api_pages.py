"""The care API and pages: rules CRUD for administrators only (422 on bad input, 409 deleting a rule
with history, walked to its end), care tasks listed with masked phones and completed with an
outcome, and the pages in Chinese with the chart's data."""

import datetime as dt
import json

import pytest
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.tasks.models import Task

from ..models import CareAction, CareRule
from ..services import care_run
from .factories import contract, customer, greeting_rule, task_rule

pytestmark = pytest.mark.django_db
RULE = {"name": "生日祝福", "occasion": "birthday", "action": "greeting", "channel": "sms",
        "template": "尊敬的{name}，生日快乐！", "cost_per_action": "0.05", "budget": "100"}


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN)


def test_admin_creates_updates_and_deletes_a_rule(admin):
    client = client_for(admin)
    created = post_json(client, "/api/v1/care-rules", RULE)
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    changed = client.patch(f"/api/v1/care-rules/{rule_id}", data=json.dumps({"lead_days": 3, "budget": None}),
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["lead_days"] == 3 and changed.json()["budget"] is None
    assert CareRule.history.filter(id=rule_id).count() == 2  # audited
    assert client.delete(f"/api/v1/care-rules/{rule_id}").status_code == 204
    assert not CareRule.objects.exists()


def test_bad_rules_are_422_in_chinese_and_english(admin):
    client = client_for(admin, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = assert_error_body(post_json(client, "/api/v1/care-rules", {**RULE, "channel": "task"}), 422, "channel")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"] + "".join(body["fields"].values()))
    assert_error_body(post_json(client, "/api/v1/care-rules", {**RULE, "occasion": "lunar_festival",
                                                               "occasion_key": "easter"}), 422, "occasion_key")
    assert_error_body(post_json(client, "/api/v1/care-rules", {**RULE, "template": ""}), 422, "template")
    assert_error_body(post_json(client, "/api/v1/care-rules", {**RULE, "segment": 999999}), 422, "segment")
    assert_error_body(post_json(client, "/api/v1/care-rules", {**RULE, "lead_days": 61}), 422, "lead_days")
    assert_error_body(post_json(client, "/api/v1/care-rules", "{not json"), 400)
    english = client_for(admin, HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error_body(post_json(english, "/api/v1/care-rules", {**RULE, "action": "party"}), 422, "action")
    assert "one of" in body["fields"]["action"]
    assert not CareRule.objects.exists()


def test_only_administrators_configure(admin):
    rep = UserFactory(role=Role.SALES_REP)
    client = client_for(rep)
    assert_error_body(post_json(client, "/api/v1/care-rules", RULE), 403)
    rule = greeting_rule()
    assert client.get("/api/v1/care-rules").status_code == 200
    assert_error_body(client.patch(f"/api/v1/care-rules/{rule.pk}", data="{}", content_type="application/json"), 403)
    assert_error_body(client.delete(f"/api/v1/care-rules/{rule.pk}"), 403)
    assert CareRule.objects.filter(pk=rule.pk).exists()
    partner = client_for(UserFactory(role=Role.PARTNER))
    assert_error_body(partner.get("/api/v1/care-rules"), 403)


def test_rule_with_history_is_switched_off_not_deleted(admin):
    rule = greeting_rule()
    customer(birth=dt.date(1990, 6, 15))
    care_run(actor=SYSTEM, day=dt.date(2030, 6, 15), deliver=False)
    assert_error_body(client_for(admin).delete(f"/api/v1/care-rules/{rule.pk}"), 409)
    assert CareAction.objects.count() == 1


def test_rules_walked_to_the_end(admin):
    for i in range(5):
        greeting_rule(name=f"规则{i}")
    client, seen, cursor = client_for(admin), [], ""
    while True:
        page = client.get("/api/v1/care-rules", {"limit": 2, "cursor": cursor}).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(CareRule.objects.values_list("pk", flat=True))


@pytest.fixture
def care_task():
    owner = UserFactory(role=Role.SALES_REP)
    task_rule()
    client = customer("华星科技", owner=owner, mobile="13800138000")
    contract(client, owner, dt.date(2027, 5, 20))
    care_run(actor=SYSTEM, day=dt.date(2028, 5, 20), deliver=False)
    return owner, CareAction.objects.get()


def test_care_tasks_listed_masked_and_completed(care_task):
    owner, action = care_task
    other = UserFactory(role=Role.SALES_REP)
    manager = UserFactory(role=Role.SALES_MANAGER)
    mine = client_for(owner).get("/api/v1/care-tasks").json()["items"]
    assert [i["id"] for i in mine] == [action.pk] and "*" in mine[0]["mobile"]
    assert client_for(manager).get("/api/v1/care-tasks").json()["items"][0]["mobile"] == "+8613800138000"
    assert client_for(other).get("/api/v1/care-tasks").json()["items"] == []
    assert_error_body(post_json(client_for(other), f"/api/v1/care-tasks/{action.pk}/complete", {"outcome": "x"}), 404)
    assert_error_body(post_json(client_for(owner), f"/api/v1/care-tasks/{action.pk}/complete", {"outcome": ""}), 422)
    done = post_json(client_for(owner), f"/api/v1/care-tasks/{action.pk}/complete", {"outcome": "已拜访，客户满意"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Task.objects.get(pk=action.task_id).outcome == "已拜访，客户满意"
    again = post_json(client_for(owner), f"/api/v1/care-tasks/{action.pk}/complete", {"outcome": "again"})
    assert_error_body(again, 409)


def test_pages_in_chinese_with_the_chart(admin, care_task):
    _owner, action = care_task
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin)
    for url in ("/care/", f"/care/rules/{action.rule_id}/", "/care/tasks/?open=0"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "客户关怀" in response.content.decode() or "关怀" in response.content.decode()
    detail = client.get(f"/care/rules/{action.rule_id}/?year=2028").content.decode()
    assert 'id="gx-care-data"' in detail and "echarts.min.js" in detail and "<script>" not in detail
    partner = Client()
    partner.force_login(UserFactory(role=Role.PARTNER))
    assert partner.get("/care/").status_code == 403


def test_complete_from_the_page(care_task):
    owner, action = care_task
    client = Client()
    client.force_login(owner)
    response = client.post(f"/care/tasks/{action.pk}/complete/", {"outcome": "送达"})
    assert response.status_code == 302
    assert Task.objects.get(pk=action.task_id).status == "done"
