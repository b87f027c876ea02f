"""`/api/v1/tasks`: create, read, filter and walk the list, update, complete, cancel, hand over;
bad input answered with a clear 4xx in Chinese (English on request) and nothing written."""

import datetime as dt

import pytest
import time_machine

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.tasks.models import Task

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


def test_create_read_update_complete(rep):
    client = client_for(rep)
    customer = make_customer(rep, name="张三")
    response = post_json(client, "/api/v1/tasks", {
        "kind": "visit", "subject": "上门拜访", "customer": customer.pk, "start_at": "2026-03-11T09:00:00+08:00",
        "due_at": "2026-03-11T10:00:00+08:00", "reminders": ["2026-03-11T08:30:00+08:00"], "priority": 3})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignee"]["id"] == rep.pk and body["customer"]["id"] == customer.pk
    assert body["kind_label"] == "拜访" and body["status"] == "open" and len(body["reminders"]) == 1
    pk = body["id"]
    response = client.patch(f"/api/v1/tasks/{pk}", data={"subject": "上门拜访（改约）", "customer": 0},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["customer"] is None
    response = post_json(client, f"/api/v1/tasks/{pk}/complete", {"outcome": "客户同意续约"})
    assert response.json()["status"] == "done" and response.json()["outcome"] == "客户同意续约"
    response = post_json(client, f"/api/v1/tasks/{pk}/complete", {})
    assert_error_body(response, 409)


def test_list_filters_and_pages_to_the_end(rep):
    colleague = UserFactory(role=Role.AGENT, team=rep.team)
    customer = make_customer(rep, name="李四")
    mine = [make_task(assignee=rep, due_in=dt.timedelta(hours=h)) for h in range(1, 8)]
    on_customer = make_task(assignee=colleague, customer=customer, due_in=dt.timedelta(days=2))
    done = make_task(assignee=rep, due_in=dt.timedelta(days=3))
    Task.objects.filter(pk=done.pk).update(status="done")
    client = client_for(rep)
    seen, cursor = [], ""
    while True:
        response = client.get("/api/v1/tasks", {"mine": "true", "status": "open", "page_size": 3, "cursor": cursor})
        assert response.status_code == 200
        seen += [t["id"] for t in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [t.pk for t in mine]
    assert [t["id"] for t in client.get("/api/v1/tasks", {"customer": customer.pk}).json()["items"]] == \
        [on_customer.pk]
    ranged = client.get("/api/v1/tasks", {"due_after": "2026-03-12T00:00:00+08:00",
                                          "due_before": "2026-03-14T00:00:00+08:00"}).json()["items"]
    assert [t["id"] for t in ranged] == [on_customer.pk, done.pk]
    lead = client_for(UserFactory(role=Role.SALES_MANAGER, team=rep.team))
    assert lead.get("/api/v1/tasks", {"team": "true"}).json()["count"] == 9


@pytest.mark.parametrize(("body", "field"), [
    ({"start_at": "2026-03-11T11:00:00+08:00"}, "due_at"),
    ({"assignee": 999_999}, "assignee"),
    ({"team": 999_999}, "team"),
    ({"customer": 999_999}, "customer"),
    ({"kind": "picnic"}, "kind"),
    ({"priority": 7}, "priority"),
    ({"due_at": "3026-03-11T10:00:00+08:00"}, "due_at"),
    ({"due_at": "not a date"}, "due_at"),
])
def test_bad_input_is_a_clear_4xx_and_writes_nothing(rep, body, field):
    client = client_for(rep)
    before = rows_of("tasks")
    payload = {"kind": "call", "subject": "回电", "due_at": "2026-03-11T10:00:00+08:00", **body}
    response = post_json(client, "/api/v1/tasks", payload)
    error = assert_error_body(response, 422, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"] + "".join(error["fields"].values()))
    assert rows_of("tasks") == before


def test_errors_in_english_on_request(rep):
    client = client_for(rep, HTTP_ACCEPT_LANGUAGE="en")
    response = post_json(client, "/api/v1/tasks", {"kind": "call", "subject": "x",
                                                   "start_at": "2026-03-11T11:00:00+08:00",
                                                   "due_at": "2026-03-11T10:00:00+08:00"})
    assert assert_error_body(response, 422, "due_at")["fields"]["due_at"] == "the due time is before the start"


def test_cancel_needs_a_reason_and_a_cancelled_task_cannot_be_completed(rep):
    task = make_task(assignee=rep)
    client = client_for(rep)
    assert_error_body(post_json(client, f"/api/v1/tasks/{task.pk}/cancel", {"reason": ""}), 422, "reason")
    assert post_json(client, f"/api/v1/tasks/{task.pk}/cancel", {"reason": "客户取消"}).json()["status"] == "cancelled"
    before = rows_of("tasks")
    assert_error_body(post_json(client, f"/api/v1/tasks/{task.pk}/complete", {"outcome": "x"}), 409)
    assert rows_of("tasks") == before


def test_hand_over_through_the_api(rep):
    other_team = TeamFactory(name="装维部")
    task = make_task(actor=rep)
    client = client_for(rep)
    response = post_json(client, f"/api/v1/tasks/{task.pk}/reassign", {"team": other_team.pk, "note": "请安排上门"})
    body = response.json()
    assert response.status_code == 200 and body["team"]["name"] == "装维部" and body["assignee"] is None
    assert body["hand_overs"][0]["note"] == "请安排上门"
    assert client.get(f"/api/v1/tasks/{task.pk}").status_code == 200  # its creator still sees it
    assert_error_body(post_json(client, f"/api/v1/tasks/{task.pk}/reassign", {}), 422, "assignee")


def test_free_text_is_masked_for_roles_that_may_not_see_personal_data(rep):
    customer = make_customer(rep, name="孙七")
    task = make_task(assignee=UserFactory(role=Role.AGENT, team=rep.team), customer=customer,
                     notes="客户手机 13912345678")
    assert "13912345678" in client_for(rep).get(f"/api/v1/tasks/{task.pk}").json()["notes"]
    lead = client_for(UserFactory(role=Role.TEAM_LEAD, team=rep.team))
    assert "13912345678" not in lead.get(f"/api/v1/tasks/{task.pk}").json()["notes"]


def test_unknown_filter_values_are_refused(rep):
    client = client_for(rep)
    assert_error_body(client.get("/api/v1/tasks", {"status": "maybe"}), 422, "status")
    assert_error_body(client.get("/api/v1/tasks", {"kind": "picnic"}), 422, "kind")
    assert_error_body(client.get("/api/v1/tasks", {"cursor": "nonsense"}), 422, "cursor")
