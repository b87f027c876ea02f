"""The red-channel rules page (红色通道规则): administrators and service managers list, create, edit and
deactivate rules; bad input is refused in Chinese with nothing written; every change is in the rule's
history with who made it; other roles read the rules or are refused, and their posts change nothing."""

import pytest

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import PermissionDenied

from ..models import RedChannelRule
from ..routing import rule_for
from ..services import red_channel_rule_deactivate
from .factories import tier
from .red import red_world
from .test_api_pages import page_client

pytestmark = pytest.mark.django_db
RULES = "/key-accounts/red-channel/rules/"


def form(world, **changes) -> dict:
    red = world["red"]
    return {
        "name": "战略客户红色通道",
        "tier": str(tier("strategic").pk),
        "team": str(world["team"].pk),
        "priority": "4",
        "ticket_types": ["fault"],
        "standards": [str(red["first_response"].pk), str(red["fault_repair"].pk)],
        "is_active": "on",
        **changes,
    }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SERVICE_MANAGER])
def test_a_rule_is_created_from_the_page_audited_and_routes_at_once(admin, role):
    world, user = red_world(admin), UserFactory(role=role)
    client = page_client(user)
    assert client.get(RULES).status_code == 200
    assert client.get(f"{RULES}new/").status_code == 200
    response = client.post(f"{RULES}new/", form(world))
    assert response.status_code == 302
    rule = RedChannelRule.objects.get(name="战略客户红色通道")
    assert (rule.tier, rule.team, rule.priority, rule.ticket_types) == (tier("strategic"), world["team"], 4, ["fault"])
    assert set(rule.standards.all()) == {world["red"]["first_response"], world["red"]["fault_repair"]}
    trail = list(rule.history.order_by("history_date", "history_id"))
    assert trail[0].history_type == "+" and {h.history_user for h in trail} == {user}
    assert {s.servicestandard_id for s in trail[-1].standards.all()} == {s.pk for s in rule.standards.all()}
    assert rule_for(tier_id=tier("strategic").pk, ticket_type="fault").pk == rule.pk
    body = client.get(RULES).content.decode()
    assert "战略客户红色通道" in body and "故障" in body and "停用" in body


def test_editing_keeps_the_history_of_who_changed_what(admin):
    world = red_world(admin)
    rule, manager = world["rule"], UserFactory(role=Role.SERVICE_MANAGER)
    other_team = TeamFactory(kind=TeamKind.SERVICE, name="政企保障班")
    page = page_client(manager).get(f"{RULES}{rule.pk}/").content.decode()
    assert "大客户红色通道" in page and "红色通道服务标准" in page
    response = page_client(manager).post(
        f"{RULES}{rule.pk}/", form(world, name="全部大客户", tier="", team=str(other_team.pk), priority="3")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.team, rule.tier) == ("全部大客户", other_team, None)
    count = rule.history.count()
    latest = rule.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~" and latest.history_user == manager and latest.name == "全部大客户"
    assert count > 1 and rule.history.filter(history_user=manager).exists()


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(admin):
    world = red_world(admin)
    client = page_client(admin)
    before = list(RedChannelRule.objects.values_list("pk", "name", "is_active"))
    trail = world["rule"].history.count()
    cases = [
        (form(world, name="  "), "请填写规则名称"),
        (form(world, name="长" * 101), "100"),
        (form(world, standards=[]), "请选择红色通道的服务标准"),
        (
            form(world, standards=[str(world["red"]["resolution"].pk), str(world["general"]["resolution"].pk)]),
            "每个指标只能选择一个服务标准",
        ),
        (form(world, ticket_types=[]), "请至少选择一种工单类型"),
        (form(world, ticket_types=["nonsense"]), "请从列表中选择工单类型"),
        (form(world, priority="9"), "请选择 1 到 4 的优先级"),
        (form(world, team=""), "请选择红色通道班组"),
        (form(world, tier="999999"), "请从列表中选择等级"),
        (form(world, tier=""), "该等级已有生效的红色通道规则"),  # the rule for every tier exists
    ]
    for data, reason in cases:
        response = client.post(f"{RULES}new/", data)
        body = response.content.decode()
        assert response.status_code == 422, reason
        assert reason in body and "Choose" not in body and "Name the rule" not in body
    assert list(RedChannelRule.objects.values_list("pk", "name", "is_active")) == before
    assert world["rule"].history.count() == trail


def test_deactivating_takes_the_rule_out_of_routing_and_is_audited(admin):
    world = red_world(admin)
    rule, manager = world["rule"], UserFactory(role=Role.SERVICE_MANAGER)
    assert rule_for(tier_id=tier().pk, ticket_type="fault") is not None
    assert page_client(manager).post(f"{RULES}{rule.pk}/deactivate/").status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and rule_for(tier_id=tier().pk, ticket_type="fault") is None
    latest = rule.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == manager and latest.is_active is False
    # once inactive, a new rule for every tier is allowed
    assert page_client(manager).post(f"{RULES}new/", form(world, tier="")).status_code == 302


@pytest.mark.parametrize("role", [Role.KEY_ACCOUNT_MANAGER, Role.SALES_MANAGER, Role.ANALYST])
def test_readers_see_the_rules_but_cannot_change_them(admin, role):
    world, user = red_world(admin), UserFactory(role=role)
    client, trail = page_client(user), world["rule"].history.count()
    listing = client.get(RULES)
    assert listing.status_code == 200 and "大客户红色通道" in listing.content.decode()
    assert "停用" not in listing.content.decode()
    assert client.get(f"{RULES}new/").status_code == 403
    assert client.post(f"{RULES}new/", form(world)).status_code == 403
    assert client.post(f"{RULES}{world['rule'].pk}/", form(world, name="改名")).status_code == 403
    assert client.post(f"{RULES}{world['rule'].pk}/deactivate/").status_code == 403
    world["rule"].refresh_from_db()
    assert world["rule"].is_active and world["rule"].name == "大客户红色通道"
    assert RedChannelRule.objects.count() == 1 and world["rule"].history.count() == trail
    with pytest.raises(PermissionDenied):
        red_channel_rule_deactivate(actor=user, rule=world["rule"])


@pytest.mark.parametrize("role", [Role.AGENT, Role.SALES_REP, Role.TEAM_LEAD])
def test_roles_without_key_accounts_are_refused_the_rules(admin, role):
    world, client = red_world(admin), page_client(UserFactory(role=role))
    assert client.get(RULES).status_code == 403
    assert client.post(f"{RULES}{world['rule'].pk}/deactivate/").status_code == 403
    world["rule"].refresh_from_db()
    assert world["rule"].is_active


def test_an_unknown_rule_is_not_found(admin):
    red_world(admin)
    assert page_client(admin).get(f"{RULES}999999/").status_code == 404
    assert page_client(admin).post(f"{RULES}999999/deactivate/").status_code == 404
