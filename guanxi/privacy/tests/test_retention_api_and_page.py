import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for
from guanxi.privacy.models import PersonalDataAccess, RetentionRule
from guanxi.privacy.retention import retention_rule_update, retention_sweep

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def patch(api, url, body):
    return api.patch(url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")


def access_rule() -> RetentionRule:
    return RetentionRule.objects.get(kind="access_log")


def test_the_rules_list_with_their_last_run_and_a_rule_is_changed():
    admin = UserFactory(role=Role.ADMIN)
    PersonalDataAccess.objects.create(at=T0, user=admin, fields="mobile", channel="page")
    retention_rule_update(actor=SYSTEM, rule=access_rule(), period_days=180, is_enabled=True)
    with time_machine.travel(T0 + dt.timedelta(days=200), tick=False):
        retention_sweep(actor=SYSTEM)
    api = client_for(admin)
    items = api.get("/api/v1/privacy/retention-rules").json()["items"]
    assert [i["kind"] for i in items][:2] == ["calls", "outbound_messages"] and len(items) == 8
    log = next(i for i in items if i["kind"] == "access_log")
    assert log["last_run"]["processed"] == 1 and log["allowed_actions"] == ["delete"] and log["min_days"] == 180
    changed = patch(api, f"/api/v1/privacy/retention-rules/{log['id']}", {"period_days": 400, "is_enabled": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["period_days"], changed.json()["is_enabled"]) == (400, False)
    assert access_rule().history.first().history_user == admin
    one = api.get(f"/api/v1/privacy/retention-rules/{log['id']}").json()
    assert one["period_days"] == 400
    runs = api.get("/api/v1/privacy/retention-runs", {"page_size": 1, "kind": "access_log"}).json()
    assert runs["items"][0]["kind"] == "access_log" and runs["items"][0]["run_by"] is None
    assert runs["next_cursor"] is None and runs["count"] == 1


@pytest.mark.parametrize("body, field", [({"period_days": -5}, "period_days"), ({"period_days": 10}, "period_days"),
                                         ({"action": "anonymise"}, "action"), ({"action": "burn"}, "action"),
                                         ({"period_days": "many"}, "period_days")])
def test_bad_input_is_422_in_chinese_and_changes_nothing(body, field):
    api = client_for(UserFactory(role=Role.ADMIN))
    rule = access_rule()
    response = patch(api, f"/api/v1/privacy/retention-rules/{rule.pk}", {**body, "is_enabled": True})
    error = assert_error_body(response, 422, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"] + "".join(error["fields"].values()))
    rule.refresh_from_db()
    assert (rule.period_days, rule.action, rule.is_enabled) == (1095, "delete", False)


def test_the_api_refuses_other_roles_and_unknown_rules():
    rule = access_rule()
    manager = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    assert manager.get("/api/v1/privacy/retention-rules").status_code == 200  # managers may read
    assert_error_body(patch(manager, f"/api/v1/privacy/retention-rules/{rule.pk}", {"period_days": 400}), 403)
    agent = client_for(UserFactory(role=Role.AGENT))
    assert_error_body(agent.get("/api/v1/privacy/retention-rules"), 403)
    assert_error_body(agent.get("/api/v1/privacy/retention-runs"), 403)
    assert_error_body(patch(agent, f"/api/v1/privacy/retention-rules/{rule.pk}", {"period_days": 400}), 403)
    rule.refresh_from_db()
    assert rule.period_days == 1095
    admin = client_for(UserFactory(role=Role.ADMIN))
    assert_error_body(admin.get("/api/v1/privacy/retention-rules/999999"), 404)
    assert_error_body(admin.get("/api/v1/privacy/retention-runs", {"kind": "everything"}), 422)


def _page_client(role) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(UserFactory(role=role))
    return client


@time_machine.travel(T0, tick=False)
def test_the_page_lists_previews_and_edits_in_chinese():
    admin = UserFactory(role=Role.ADMIN)
    PersonalDataAccess.objects.create(at=T0 - dt.timedelta(days=2000), user=admin, fields="mobile", channel="page")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin)
    page = client.get("/privacy/retention/").content.decode()
    assert "数据保存期限" in page and "个人信息访问日志" in page and "预览" in page
    preview = client.post("/privacy/retention/preview/")
    assert preview.status_code == 200 and "现在将处理" in preview.content.decode()
    assert PersonalDataAccess.objects.count() == 1
    rule = access_rule()
    refused = client.post(f"/privacy/retention/rules/{rule.pk}/", {"period_days": "-3", "action": "delete"})
    assert refused.status_code == 422 and "整数天数" in refused.content.decode()
    rule.refresh_from_db()
    assert rule.period_days == 1095
    saved = client.post(f"/privacy/retention/rules/{rule.pk}/", {"period_days": "365", "action": "delete",
                                                                  "is_enabled": "on"}, follow=True)
    assert "保存期限规则已保存" in saved.content.decode()
    rule.refresh_from_db()
    assert (rule.period_days, rule.is_enabled) == (365, True)


def test_managers_see_the_page_without_editing_and_agents_not_at_all():
    rule = access_rule()
    manager = _page_client(Role.SALES_MANAGER)
    page = manager.get("/privacy/retention/")
    assert page.status_code == 200 and "预览" not in page.content.decode()
    assert manager.get(f"/privacy/retention/rules/{rule.pk}/").status_code == 403
    assert manager.post("/privacy/retention/preview/").status_code == 403
    agent = _page_client(Role.AGENT)
    assert agent.get("/privacy/retention/").status_code == 403
    assert agent.post(f"/privacy/retention/rules/{rule.pk}/", {"period_days": "400", "action": "delete"}
                      ).status_code == 403
    rule.refresh_from_db()
    assert rule.period_days == 1095
