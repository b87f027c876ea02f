"""/api/v1/segments and /api/v1/customers/{id}/value: behaviour and permissions."""

import datetime as dt
import json

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for
from guanxi.segments.models import Segment, StrategicWeight, ValueRun
from guanxi.segments.services import segment_create, value_recompute

from .factories import make_customer, make_transactions

pytestmark = pytest.mark.django_db
URL = "/api/v1/segments"
VIP = {"match": "all", "rules": [{"field": "value_level", "op": "eq", "value": "vip"}]}


def send(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def manager(team):
    return UserFactory(role=Role.SALES_MANAGER, team=team)


@pytest.fixture
def rep(team):
    return UserFactory(role=Role.SALES_REP, team=team)


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def book(admin, rep, team):
    """Two VIPs (one owned by the rep), a small customer; values computed."""
    mine = make_customer(admin, name="张伟", arpu="800", owner=rep, team=team, mobile="13800138000")
    other = make_customer(admin, name="李娜", arpu="600", mobile="13900139000")
    small = make_customer(admin, name="王芳", arpu="20", owner=rep, team=team)
    for customer, amount in ((mine, 800), (other, 600), (small, 20)):
        make_transactions(customer, [("bill", dt.date.today() - dt.timedelta(days=30 * k), amount)
                                     for k in range(1, 4)])
    value_recompute(actor=SYSTEM)
    return {"mine": mine, "other": other, "small": small}


def test_manager_creates_lists_and_reads_members(manager, book):
    client = client_for(manager)
    response = send(client, "post", URL, {"name": "VIP 客户", "definition": VIP, "is_shared": True})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["member_count"] == 2 and created["can_edit"] and created["kind"] == "rule"
    names = [s["display_name"] for s in client.get(URL).json()]
    assert "VIP 客户" in names and any(n.startswith("价值金字塔") or n.startswith("Value pyramid") for n in names)
    members = client.get(f"{URL}/{created['id']}/members").json()
    # A sales manager reads the team's customers only.
    assert [m["name"] for m in members["items"]] == ["张伟"] and members["count"] == 1
    assert members["items"][0]["value_level"] == "vip" and members["items"][0]["mobile"] == "+8613800138000"


def test_agent_may_not_create_and_nothing_is_created(agent, book):
    response = send(client_for(agent), "post", URL, {"name": "偷建", "definition": VIP})
    assert_error_body(response, 403)
    assert not Segment.objects.filter(name="偷建").exists()


def test_agent_sees_shared_members_masked(agent, manager, book):
    segment = segment_create(actor=manager, data={"name": "VIP", "definition": VIP, "is_shared": True})
    members = client_for(agent).get(f"{URL}/{segment.pk}/members").json()["items"]
    assert {m["name"] for m in members} == {"张伟", "李娜"}
    assert all(m["personal_data_masked"] and "****" in m["mobile"] for m in members)


def test_private_segments_are_invisible_to_others(manager, rep, book):
    segment = segment_create(actor=manager, data={"name": "私有", "definition": VIP})
    assert_error_body(client_for(rep).get(f"{URL}/{segment.pk}"), 404)
    assert_error_body(client_for(rep).get(f"{URL}/{segment.pk}/members"), 404)
    assert segment.pk not in [s["id"] for s in client_for(rep).get(URL).json()]


def test_only_the_owner_or_an_admin_changes_a_segment(manager, admin, book, team):
    other_manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    segment = segment_create(actor=manager, data={"name": "共享", "definition": VIP, "is_shared": True})
    response = send(client_for(other_manager), "patch", f"{URL}/{segment.pk}", {"name": "改名"})
    assert_error_body(response, 403)
    assert_error_body(send(client_for(other_manager), "delete", f"{URL}/{segment.pk}"), 403)
    segment.refresh_from_db()
    assert segment.name == "共享"
    response = send(client_for(admin), "patch", f"{URL}/{segment.pk}", {"name": "改名", "definition": {
        "match": "all", "rules": [{"field": "arpu", "op": "lt", "value": 100}]}})
    assert response.status_code == 200 and response.json()["member_count"] == 1
    assert send(client_for(manager), "delete", f"{URL}/{segment.pk}").status_code == 204
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_system_segments_keep_their_definition(admin, book):
    vip = Segment.objects.get(kind="pyramid", system_key="vip")
    client = client_for(admin)
    assert_error_body(send(client, "patch", f"{URL}/{vip.pk}", {"definition": {"match": "all", "rules": []}}), 422,
                 "definition")
    assert_error_body(send(client, "delete", f"{URL}/{vip.pk}"), 403)
    response = send(client, "patch", f"{URL}/{vip.pk}", {"service_priority": 1, "service_level": "platinum",
                                                         "service_mode": "dedicated", "service_hours": "7×24"})
    assert response.status_code == 200 and response.json()["service_level"] == "platinum"
    vip.refresh_from_db()
    assert vip.definition == VIP and vip.service_priority == 1


@pytest.mark.parametrize(("definition", "field"), [
    ({"match": "all", "rules": [{"field": "colour", "op": "eq", "value": "red"}]}, "definition.rules.0.field"),
    ({"match": "all", "rules": [{"field": "arpu", "op": "contains", "value": 1}]}, "definition.rules.0.op"),
    ({"match": "xor", "rules": []}, "definition.match"),
])
def test_bad_definitions_are_4xx_with_the_faulty_part(manager, definition, field):
    client = client_for(manager)
    assert_error_body(send(client, "post", URL, {"name": "坏的", "definition": definition}), 422, field)
    assert_error_body(send(client, "post", f"{URL}/preview", {"definition": definition}), 422, field)
    assert_error_body(client.get(f"{URL}/preview", {"definition": json.dumps(definition)}), 422, field)
    assert not Segment.objects.filter(name="坏的").exists()


def test_preview_counts_within_the_callers_scope(manager, admin, book):
    assert send(client_for(admin), "post", f"{URL}/preview", {"definition": VIP}).json()["count"] == 2
    response = client_for(manager).get(f"{URL}/preview", {"definition": json.dumps(VIP)})
    assert response.json() == {"count": 1, "definition": VIP}
    assert_error_body(client_for(manager).get(f"{URL}/preview", {"definition": "{not json"}), 422, "definition")


def test_field_catalogue(agent):
    fields = {f["name"]: f for f in client_for(agent).get(f"{URL}/fields").json()}
    wanted = {"value_level", "abc_class", "rfm_segment", "clv_36m", "key_account_score", "province", "tags"}
    assert wanted <= set(fields)
    assert {o["name"] for o in fields["value_level"]["operators"]} >= {"eq", "in", "is_empty"}


@pytest.mark.parametrize("report", ["pyramid", "abc", "rfm", "brand-arpu", "portfolio", "clusters"])
def test_reports_for_managers_not_for_agents(manager, agent, admin, book, report):
    assert_error_body(client_for(agent).get(f"{URL}/reports/{report}"), 403)
    everyone = client_for(admin).get(f"{URL}/reports/{report}").json()
    team = client_for(manager).get(f"{URL}/reports/{report}").json()
    assert everyone["report"] == report and everyone["data"] is not None
    if report == "pyramid":
        counts = {level["level"]: level["customers"] for level in everyone["data"]["levels"]}
        assert counts == {"vip": 2, "large": 0, "medium": 0, "small": 1}
        team_counts = {level["level"]: level["customers"] for level in team["data"]["levels"]}
        assert team_counts == {"vip": 1, "large": 0, "medium": 0, "small": 1}  # the team's customers only
    if report == "abc":
        assert everyone["data"]["pareto"][-1] == {"customers": 100.0, "revenue": 100.0}


def test_unknown_report_is_404(admin):
    assert_error_body(client_for(admin).get(f"{URL}/reports/magic"), 404)


def test_customer_value_follows_customer_visibility(rep, agent, book):
    own = client_for(rep).get(f"/api/v1/customers/{book['mine'].pk}/value")
    assert own.status_code == 200
    body = own.json()
    assert body["computed"] and body["values"]["value_level"] == "vip"
    assert any("VIP" in s["name"] for s in body["segments"])
    assert_error_body(client_for(rep).get(f"/api/v1/customers/{book['other'].pk}/value"), 404)
    assert client_for(agent).get(f"/api/v1/customers/{book['other'].pk}/value").status_code == 200


def test_strategic_weight_is_for_administrators(admin, manager, book):
    url = f"/api/v1/customers/{book['mine'].pk}/strategic-weight"
    assert_error_body(send(client_for(manager), "put", url, {"weight": 90}), 403)
    assert not StrategicWeight.objects.exists()
    assert_error_body(send(client_for(admin), "put", url, {"weight": 101}), 422, "weight")
    response = send(client_for(admin), "put", url, {"weight": 90, "reason": "战略合作"})
    assert response.json() == {"weight": 90, "reason": "战略合作"}
    assert send(client_for(admin), "put", url, {"weight": None}).json() == {"weight": None, "reason": ""}
    assert not StrategicWeight.objects.exists()


# The run is queued when the request's transaction commits: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_runs_started_by_analysts_and_admins(admin, manager, book):
    analyst = UserFactory(role=Role.ANALYST)
    before = ValueRun.objects.count()
    assert_error_body(send(client_for(manager), "post", f"{URL}/runs"), 403)
    assert ValueRun.objects.count() == before
    response = send(client_for(analyst), "post", f"{URL}/runs")
    assert response.status_code == 202 and response.json()["run"]["status"] == "done"
    assert ValueRun.objects.count() == before + 1
    runs = client_for(manager).get(f"{URL}/runs").json()
    assert runs[0]["customers"] == 3


def test_export_needs_the_export_right(manager, rep, book):
    segment = segment_create(actor=manager, data={"name": "VIP", "definition": VIP, "is_shared": True})
    assert_error_body(client_for(rep).get(f"{URL}/{segment.pk}/export"), 403)
    response = client_for(manager).get(f"{URL}/{segment.pk}/export")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,kind,name,mobile") and "value_level" in lines[0]
    assert len(lines) == 2 and "张伟" in lines[1] and ",vip," in lines[1]
