"""The red channel (红色通道): a key account's fault or complaint goes to the dedicated team with a higher
priority under the red channel's tighter standards (reserved: never timing other cases); other cases and
other customers are untouched; the board shows a manager their accounts' red cases only; rules refuse
bad input."""

import datetime as dt

import pytest
import time_machine

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.services.tickets import ticket_create

from ..models import RedChannelCase, RedChannelRule
from ..services import key_account_dedesignate, red_channel_rule_save
from .factories import account, kam
from .red import red_world
from .test_api_pages import page_client

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC)  # 10:00 in Beijing


def case(actor, customer, kind="fault", priority=2):
    return ticket_create(actor=actor, customer=customer,
                         data={"subject": "专线中断", "type": kind, "channel": "hotline", "priority": priority})


def clocks_of(ticket):
    return {c.metric: (c.standard.code, c.target_minutes) for c in ticket.clocks.select_related("standard")}


@time_machine.travel(MONDAY, tick=False)
def test_a_key_accounts_fault_goes_to_the_red_team_under_the_tighter_standards(admin):
    world, manager = red_world(admin), kam()
    key = account(admin, manager, name="甲集团")
    ticket = case(admin, key.customer)
    ticket.refresh_from_db()
    assert ticket.team == world["team"] and ticket.priority == 3
    assert clocks_of(ticket) == {"first_response": ("r-fr", 15), "resolution": ("r-res", 240),
                                 "fault_repair": ("r-fault", 180)}
    routed = RedChannelCase.objects.get(ticket=ticket)
    assert routed.account == key and routed.rule == world["rule"]
    # the red clocks fall due sooner than the general ones would, and warn at half time (escalating faster)
    fault = ticket.clocks.get(metric="fault_repair")
    assert fault.due_at == MONDAY + dt.timedelta(hours=3) + dt.timedelta(minutes=90)  # across the lunch break
    assert fault.warn_at < fault.due_at and fault.standard.breach_actions == ["escalate"]


@time_machine.travel(MONDAY, tick=False)
def test_other_customers_and_other_case_types_keep_the_general_standards(admin):
    world, manager = red_world(admin), kam()
    key = account(admin, manager, name="甲集团")
    plain = make_customer(admin, name="普通客户")
    ordinary = case(admin, plain, priority=1)
    question = case(admin, key.customer, kind="consultation", priority=1)
    assert clocks_of(ordinary) == {"first_response": ("g-fr", 120), "resolution": ("g-res", 1440),
                                   "fault_repair": ("g-fault", 960)}
    assert clocks_of(question) == {"first_response": ("g-fr", 120), "resolution": ("g-res", 1440)}
    assert ordinary.priority == 1 and ordinary.team_id != world["team"].pk
    assert not RedChannelCase.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_a_complaint_is_routed_and_a_dedesignated_account_is_not(admin):
    red_world(admin)
    manager = kam()
    key, former = account(admin, manager, name="甲集团"), account(admin, manager, name="乙集团")
    key_account_dedesignate(actor=admin, account=former, reason="合同到期")
    assert RedChannelCase.objects.filter(ticket=case(admin, key.customer, kind="complaint")).exists()
    assert not RedChannelCase.objects.filter(ticket=case(admin, former.customer)).exists()


@time_machine.travel(MONDAY, tick=False)
def test_a_tier_rule_comes_before_the_rule_for_every_tier(admin):
    world, manager = red_world(admin), kam()
    key = account(admin, manager, name="甲集团")
    from guanxi.accounts.tests.factories import TeamFactory

    strategic_team = TeamFactory(name="战略客户班组")
    tier_rule = red_channel_rule_save(actor=admin, name="战略", team=strategic_team, tier=key.tier, priority=4,
                                      standards=[world["red"]["resolution"]])
    ticket = case(admin, key.customer)
    assert ticket.team == strategic_team and ticket.priority == 4
    assert RedChannelCase.objects.get(ticket=ticket).rule == tier_rule
    # metrics the tier rule leaves out fall back to the general standards
    assert clocks_of(ticket)["fault_repair"] == ("g-fault", 960)


def test_the_board_shows_a_manager_their_accounts_red_cases_only(admin):
    with time_machine.travel(MONDAY, tick=False):
        red_world(admin)
        first, second = kam(), kam()
        mine, theirs = account(admin, first, name="甲集团"), account(admin, second, name="丙集团")
        my_case, their_case = case(admin, mine.customer), case(admin, theirs.customer)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1)):
        body = page_client(first).get("/key-accounts/red-channel/").content.decode()
        assert my_case.number in body and their_case.number not in body
        assert "红色通道" in body
        everything = page_client(UserFactory(role=Role.SALES_MANAGER)).get("/key-accounts/red-channel/")
        assert their_case.number in everything.content.decode()
        assert page_client(UserFactory(role=Role.AGENT)).get("/key-accounts/red-channel/").status_code == 403


def test_rules_refuse_bad_input_and_anyone_but_an_administrator(admin):
    world = red_world(admin)
    with pytest.raises(ValidationFailed) as refused:
        red_channel_rule_save(actor=admin, name="", team=None, standards=[], ticket_types=["nonsense"], priority=9)
    assert set(refused.value.fields) == {"name", "team", "standards", "ticket_types", "priority", "tier"}
    with pytest.raises(ValidationFailed) as twice:
        red_channel_rule_save(actor=admin, name="重复", team=world["team"],
                              standards=[world["red"]["resolution"], world["general"]["resolution"]])
    assert set(twice.value.fields) == {"standards", "tier"}
    with pytest.raises(PermissionDenied):
        red_channel_rule_save(actor=UserFactory(role=Role.SALES_MANAGER), name="x", team=world["team"],
                              standards=[world["red"]["resolution"]])
    assert RedChannelRule.objects.count() == 1
