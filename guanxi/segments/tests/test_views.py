"""Pages: segment list, builder, members, analysis, and the value panel of the customer page."""

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.segments.models import Segment, ValueRun
from guanxi.segments.services import segment_create, value_recompute

from .factories import make_customer, make_transactions

pytestmark = pytest.mark.django_db
VIP = {"match": "all", "rules": [{"field": "value_level", "op": "eq", "value": "vip"}]}


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def manager(team):
    return UserFactory(role=Role.SALES_MANAGER, team=team)


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def book(admin, manager, team):
    rich = make_customer(admin, name="张伟", arpu="800", owner=manager, team=team, mobile="13800138000")
    other = make_customer(admin, name="李娜", arpu="600", mobile="13900139000")
    for customer in (rich, other):
        make_transactions(customer, [("bill", dt.date.today() - dt.timedelta(days=30 * k), 500) for k in range(1, 4)])
    value_recompute(actor=SYSTEM)
    return {"rich": rich, "other": other}


def login(client, user):
    client.force_login(user)
    return client


def test_pages_need_login(client):
    for name in ("segments:list", "segments:analysis", "segments:create"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_list_in_chinese_with_system_segments_and_counts(client, manager, book):
    segment_create(actor=manager, data={"name": "VIP 客户", "definition": VIP, "is_shared": True})
    body = login(client, manager).get(reverse("segments:list")).content.decode()
    assert "<h1 class=\"h3 mb-0 me-auto\">客户细分</h1>" in body
    assert "VIP 客户" in body and "价值金字塔：VIP 客户" in body and "新建细分" in body


def test_list_in_english(client, manager, book):
    client.cookies["django_language"] = "en"
    body = login(client, manager).get(reverse("segments:list")).content.decode()
    assert "Value pyramid: VIP customers" in body and "New segment" in body


def test_builder_saves_a_segment_from_its_rows(client, manager, book):
    login(client, manager)
    assert client.get(reverse("segments:create")).status_code == 200
    response = client.post(reverse("segments:create"), {
        "name": "高价值", "description": "ARPU 500 以上", "is_shared": "on", "match": "all", "mode": "builder",
        "gA-match": "all", "gA-r1-field": "arpu", "gA-r1-op": "gte", "gA-r1-value": "500",
        "gA-r2-field": "value_level", "gA-r2-op": "in", "gA-r2-value": ["vip", "large"],
    })
    segment = Segment.objects.get(name="高价值")
    assert response.status_code == 302 and response["Location"] == reverse("segments:detail", args=[segment.pk])
    assert segment.definition == {"match": "all", "rules": [
        {"field": "arpu", "op": "gte", "value": "500"},
        {"field": "value_level", "op": "in", "value": ["large", "vip"]}]}
    assert segment.is_shared and segment.owner == manager and segment.member_count == 2


def test_builder_or_groups_and_json_mode(client, manager, book):
    login(client, manager)
    client.post(reverse("segments:create"), {
        "name": "二选一", "match": "any", "mode": "builder",
        "gA-match": "all", "gA-r1-field": "arpu", "gA-r1-op": "between", "gA-r1-value": "100", "gA-r1-value2": "700",
        "gB-match": "all", "gB-r1-field": "tags", "gB-r1-op": "has_any", "gB-r1-value": "VIP、政企",
    })
    assert Segment.objects.get(name="二选一").definition == {"match": "any", "rules": [
        {"match": "all", "rules": [{"field": "arpu", "op": "between", "value": ["100", "700"]}]},
        {"match": "all", "rules": [{"field": "tags", "op": "has_any", "value": ["VIP", "政企"]}]}]}
    client.post(reverse("segments:create"), {"name": "JSON", "mode": "json",
                                             "definition_json": '{"match": "all", "rules": []}'})
    assert Segment.objects.get(name="JSON").member_count == 2


def test_builder_shows_errors_and_saves_nothing(client, manager, book):
    response = login(client, manager).post(reverse("segments:create"), {
        "name": "", "mode": "builder", "gA-match": "all", "gA-r1-field": "arpu", "gA-r1-op": "gte",
        "gA-r1-value": "lots"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="gx-form-errors"' in body and "lots" not in Segment.objects.values_list("name", flat=True)
    assert not Segment.objects.filter(kind="rule").exists()
    for text in ("{", "[1, 2]", '{"rules": 5}', '{"match": "all", "rules": [7, {"rules": "x"}]}'):
        response = client.post(reverse("segments:create"), {"name": "坏 JSON", "mode": "json", "definition_json": text})
        assert response.status_code == 422, text
        assert text in response.content.decode().replace("&quot;", '"')  # kept for correcting
    assert not Segment.objects.filter(kind="rule").exists()


def test_agents_cannot_open_the_builder(client, agent):
    assert login(client, agent).get(reverse("segments:create")).status_code == 403
    response = client.post(reverse("segments:create"), {"name": "x", "mode": "json", "definition_json": "{}"})
    assert response.status_code == 403 and not Segment.objects.exists()


def test_live_preview_counts_what_the_user_may_see(client, manager, admin, book):
    data = {"mode": "builder", "gA-match": "all", "gA-r1-field": "value_level", "gA-r1-op": "eq", "gA-r1-value": "vip"}
    body = login(client, manager).post(reverse("segments:preview"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-count="1"' in body
    body = login(client, admin).post(reverse("segments:preview"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-count="2"' in body
    bad = client.post(reverse("segments:preview"), {**data, "gA-r1-op": "gt"}).content.decode()
    assert 'id="gx-preview-errors"' in bad


def test_rule_row_fragment_follows_the_field(client, manager):
    login(client, manager)
    body = client.get(reverse("segments:rule_row"), {"group": "abc", "row": "r1", "gabc-rr1-field": "rfm_segment",
                                                     "changed": "field"}).content.decode()
    assert 'name="gabc-rr1-op"' in body and "important_value" in body
    body = client.get(reverse("segments:rule_row"), {"group": "abc", "row": "r1", "gabc-rr1-field": "last_purchase",
                                                     "gabc-rr1-op": "within_days"}).content.decode()
    assert 'type="number"' in body and "天" in body
    assert client.get(reverse("segments:group")).status_code == 200


def test_members_page_masks_and_scopes(client, manager, agent, book):
    segment = segment_create(actor=manager, data={"name": "VIP", "definition": VIP, "is_shared": True})
    body = login(client, agent).get(reverse("segments:detail", args=[segment.pk])).content.decode()
    assert "张伟" in body and "李娜" in body and "13800138000" not in body and "138****8000" in body
    assert 'id="gx-export"' not in body  # agents do not export
    body = login(client, manager).get(reverse("segments:detail", args=[segment.pk])).content.decode()
    assert "张伟" in body and "李娜" not in body and 'id="gx-export"' in body
    response = client.get(reverse("segments:export", args=[segment.pk]))
    assert "张伟" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_edit_and_delete_only_by_the_owner(client, manager, team, book):
    segment = segment_create(actor=manager, data={"name": "VIP", "definition": VIP, "is_shared": True})
    other = UserFactory(role=Role.SALES_MANAGER, team=team)
    assert login(client, other).get(reverse("segments:edit", args=[segment.pk])).status_code == 403
    assert client.post(reverse("segments:delete", args=[segment.pk])).status_code == 403
    assert Segment.objects.filter(pk=segment.pk).exists()
    login(client, manager)
    page = client.get(reverse("segments:edit", args=[segment.pk])).content.decode()
    assert 'value="VIP"' in page and "value_level" in page
    response = client.post(reverse("segments:delete", args=[segment.pk]))
    assert response.status_code == 302 and not Segment.objects.filter(pk=segment.pk).exists()


def test_service_manager_sets_tiered_service_on_a_system_segment(client, book):
    service_manager = UserFactory(role=Role.SERVICE_MANAGER)
    vip = Segment.objects.get(kind="pyramid", system_key="vip")
    login(client, service_manager)
    assert client.get(reverse("segments:edit", args=[vip.pk])).status_code == 200
    response = client.post(reverse("segments:edit", args=[vip.pk]), {
        "description": "VIP", "service_priority": "1", "service_level": "platinum", "service_mode": "dedicated",
        "service_hours": "7×24", "service_content": "专属经理", "mode": "json", "definition_json": "{}"})
    assert response.status_code == 302
    vip.refresh_from_db()
    assert vip.service_level == "platinum" and vip.definition == VIP


def test_analysis_page_for_managers_only(client, manager, agent, book):
    assert login(client, agent).get(reverse("segments:analysis")).status_code == 403
    body = login(client, manager).get(reverse("segments:analysis")).content.decode()
    for anchor in ('id="pyramid"', 'id="abc"', 'id="rfm"', 'id="portfolio"', 'id="brand-arpu"', 'id="clusters"'):
        assert anchor in body
    assert 'id="gx-data-pareto"' in body and "echarts.min.js" in body and 'id="gx-recompute"' not in body


def test_analysis_before_any_run(client, manager):
    body = login(client, manager).get(reverse("segments:analysis")).content.decode()
    assert 'id="gx-no-run"' in body


# The run is queued when the request's transaction commits: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_analyst_recomputes_from_the_page(client, book):
    analyst = UserFactory(role=Role.ANALYST)
    before = ValueRun.objects.count()
    response = login(client, analyst).post(reverse("segments:recompute"))
    assert response.status_code == 302 and ValueRun.objects.count() == before + 1


def test_manager_may_not_recompute(client, manager, book):
    before = ValueRun.objects.count()
    assert login(client, manager).post(reverse("segments:recompute")).status_code == 403
    assert ValueRun.objects.count() == before


def test_customer_page_loads_the_value_panel(client, manager, agent, book):
    page = login(client, manager).get(reverse("customers:detail", args=[book["rich"].pk])).content.decode()
    assert reverse("segments:customer_value", args=[book["rich"].pk]) in page
    panel = client.get(reverse("segments:customer_value", args=[book["rich"].pk])).content.decode()
    assert 'id="gx-value-level"' in panel and "VIP" in panel and 'id="gx-ka-score"' in panel
    assert client.get(reverse("segments:customer_value", args=[book["other"].pk])).status_code == 404
    assert login(client, agent).get(reverse("segments:customer_value", args=[book["other"].pk])).status_code == 200


def test_value_panel_before_the_first_run(client, admin):
    customer = make_customer(admin, name="新客户")
    panel = login(client, admin).get(reverse("segments:customer_value", args=[customer.pk])).content.decode()
    assert 'id="gx-value-none"' in panel


def test_value_page_speaks_to_users_without_spec_references_and_spreads_the_portfolio(client, manager, book):
    import json

    for language in ("zh-hans", "en"):
        body = login(client, manager).get(reverse("segments:analysis"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "SPEC" not in body
    data = json.loads(body.split('id="gx-data-portfolio" type="application/json">')[1].split("</script>")[0])
    points = [p for s in data["series"] for p in s["data"]]
    # across: the customer's own growth (dimension 1), up: revenue (dimension 2), both per customer
    assert points and all(p[2] > 0 and p[1] is not None for p in points)


def test_chinese_pages_group_thousands(client, admin):
    make_customer(admin, name="大客户", arpu="12345.60")
    body = login(client, admin).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "12,345.60" in body
