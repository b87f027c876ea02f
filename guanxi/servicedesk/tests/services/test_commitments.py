"""Service commitments (承诺管理): the rules, due times on a holiday calendar, the sweep."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.customers.timeline import customer_timeline
from guanxi.servicedesk.models import Commitment, TicketAssignment
from guanxi.servicedesk.selectors.commitments import commitment_kept_report
from guanxi.servicedesk.services.commitments import (
    commitment_break,
    commitment_create,
    commitment_keep,
    commitment_withdraw,
    commitments_sweep,
)
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.servicedesk.tests.factories import office_calendar

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The afternoon before National Day 2026: 1 to 7 October are holidays, Saturday 10 October a
# make-up working day (调休).
EVE = dt.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(EVE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team():
    return TeamFactory(kind="service", name="一线")


@pytest.fixture
def lead(team):
    return UserFactory(role=Role.TEAM_LEAD, team=team, display_name="组长")


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, team=team, display_name="坐席甲")


@pytest.fixture
def customer(admin):
    return make_customer(admin, name="李四")


@pytest.fixture
def case(agent, customer):
    return ticket_create(actor=agent, customer=customer, data={"subject": "宽带断线", "type": "fault",
                                                                "channel": "hotline"})


def promise(actor, **data):
    data = {"kind": Commitment.Kind.CALLBACK, "description": "明天上午回电说明维修进度", **data}
    return commitment_create(actor=actor, **data)


def test_within_working_hours_skips_the_national_day_holidays(admin, agent, case):
    calendar = office_calendar(admin)
    commitment = promise(agent, ticket=case, within_working_hours=4, calendar=calendar)
    # 17:00–18:00 on the eve, then nothing until Thursday 8 October, 9:00–12:00.
    assert commitment.due_at == dt.datetime(2026, 10, 8, 12, 0, tzinfo=SHANGHAI)
    assert commitment.working_minutes == 240 and commitment.calendar == calendar
    assert commitment.customer == case.customer and commitment.team == agent.team
    assert commitment.history.get().history_user == agent


def test_within_working_hours_counts_the_make_up_saturday(admin, agent, case, _clock):
    calendar = office_calendar(admin)
    _clock.move_to(dt.datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI))
    commitment = promise(agent, ticket=case, within_working_hours=4, calendar=calendar)
    # Friday 17:00–18:00, then the make-up Saturday 10 October 9:00–12:00.
    assert commitment.due_at == dt.datetime(2026, 10, 10, 12, 0, tzinfo=SHANGHAI)


def test_the_default_calendar_is_the_one_with_chinese_holidays(admin, agent, customer):
    office_calendar(admin, name="不含节假日", holiday_region="")
    office_calendar(admin, name="含节假日")
    commitment = promise(agent, customer=customer, within_working_hours=1)
    assert commitment.calendar.name == "含节假日"
    assert commitment.due_at == dt.datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("data, field", [
    ({}, "due_at"),
    ({"within_working_hours": 2, "due_at_value": EVE + dt.timedelta(hours=1)}, "due_at"),
    ({"due_at_value": EVE - dt.timedelta(minutes=1)}, "due_at"),
    ({"due_at_value": EVE + dt.timedelta(days=400)}, "due_at"),
    ({"due_at_value": EVE + dt.timedelta(hours=1), "kind": "bribe"}, "kind"),
    ({"due_at_value": EVE + dt.timedelta(hours=1), "description": "  "}, "description"),
    ({"within_working_hours": 2}, "calendar"),  # no calendar exists
])
def test_bad_promises_are_refused_and_nothing_is_written(agent, customer, data, field):
    with pytest.raises(ValidationFailed) as refused:
        promise(agent, customer=customer, **data)
    assert field in refused.value.fields
    assert not Commitment.objects.exists()


def test_a_case_of_another_customer_or_no_customer_at_all_is_refused(admin, agent, case):
    other = make_customer(admin, name="王五")
    with pytest.raises(ValidationFailed) as refused:
        promise(agent, ticket=case, customer=other, due_at_value=EVE + dt.timedelta(hours=2))
    assert "customer" in refused.value.fields
    with pytest.raises(ValidationFailed):
        promise(agent, due_at_value=EVE + dt.timedelta(hours=2))
    assert not Commitment.objects.exists()


def test_only_staff_working_on_the_case_promise_on_it(team, case):
    analyst = UserFactory(role=Role.ANALYST)
    outsider = UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))
    for user in (analyst, outsider):
        with pytest.raises(PermissionDenied):
            promise(user, ticket=case, due_at_value=EVE + dt.timedelta(hours=2))
    with pytest.raises(PermissionDenied):
        promise(analyst, customer=case.customer, due_at_value=EVE + dt.timedelta(hours=2))
    assert not Commitment.objects.exists()


def test_kept_by_its_due_time_with_who_and_when(agent, case, _clock):
    commitment = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=2))
    _clock.shift(dt.timedelta(hours=1))
    commitment_keep(actor=agent, commitment=commitment, note="已回电")
    commitment.refresh_from_db()
    assert commitment.status == "kept" and commitment.closed_by == agent
    assert commitment.closed_at == EVE + dt.timedelta(hours=1) and commitment.reason == "已回电"
    with pytest.raises(Conflict):
        commitment_withdraw(actor=agent, commitment=commitment, reason="客户取消")
    assert [h.status for h in commitment.history.order_by("history_id")] == ["open", "kept"]


def test_a_promise_kept_after_its_due_time_was_not_kept(agent, case, _clock):
    commitment = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=1))
    _clock.shift(dt.timedelta(hours=2))
    with pytest.raises(ValidationFailed):
        commitment_keep(actor=agent, commitment=commitment)
    commitment_keep(actor=agent, commitment=commitment, at=EVE + dt.timedelta(minutes=50))
    assert Commitment.objects.get().status == "kept"


def test_withdrawing_and_breaking_need_a_reason_and_the_right_person(agent, lead, case):
    mine = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=2))
    stranger = UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))
    with pytest.raises(PermissionDenied):
        commitment_withdraw(actor=stranger, commitment=mine, reason="不做了")
    with pytest.raises(ValidationFailed):
        commitment_withdraw(actor=agent, commitment=mine, reason=" ")
    assert Commitment.objects.get().status == "open"
    commitment_withdraw(actor=lead, commitment=mine, reason="客户已自行解决")
    mine.refresh_from_db()
    assert (mine.status, mine.closed_by, mine.reason) == ("withdrawn", lead, "客户已自行解决")
    assert mine.follow_up_to is None


def test_the_sweep_breaks_overdue_promises_and_raises_one_follow_up_each(agent, lead, case, customer, _clock):
    on_case = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=1))
    on_customer = promise(agent, customer=customer, kind="refund", description="三日内退款",
                          due_at_value=EVE + dt.timedelta(hours=3))
    kept = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=1))
    later = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(days=5))
    commitment_keep(actor=agent, commitment=kept)
    assignments_before = TicketAssignment.objects.count()

    _clock.shift(dt.timedelta(hours=4))
    assert commitments_sweep(actor=SYSTEM) == {"broken": 2}
    assert commitments_sweep(actor=SYSTEM) == {"broken": 0}

    for commitment in (on_case, on_customer):
        commitment.refresh_from_db()
        assert commitment.status == "broken" and commitment.closed_by is None
        assert commitment.closed_at == commitment.due_at and commitment.reason
        assert commitment.follow_up_to == lead and commitment.follow_up_at == EVE + dt.timedelta(hours=4)
    follow_ups = TicketAssignment.objects.count() - assignments_before
    assert follow_ups == 1  # the customer-only promise has no case to assign
    assignment = on_case.follow_up_assignment
    assert assignment.assignee == lead and assignment.ticket == case and "明天上午回电" in assignment.handover_note
    assert Commitment.objects.get(pk=kept.pk).status == "kept"
    assert Commitment.objects.get(pk=later.pk).status == "open"


def test_without_a_team_lead_the_case_owner_follows_up(admin, case, _clock):
    loner = UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))
    commitment = promise(admin, ticket=case, due_at_value=EVE + dt.timedelta(hours=1))
    Commitment.objects.filter(pk=commitment.pk).update(promised_by=loner, team=loner.team)
    _clock.shift(dt.timedelta(hours=2))
    commitments_sweep(actor=SYSTEM)
    commitment.refresh_from_db()
    assert commitment.follow_up_to == case.owner


def test_breaking_explicitly_raises_the_follow_up_at_once(agent, lead, case):
    commitment = promise(agent, ticket=case, kind="visit", due_at_value=EVE + dt.timedelta(days=2))
    commitment_break(actor=agent, commitment=commitment, reason="备件缺货，无法按时上门")
    commitment.refresh_from_db()
    assert commitment.status == "broken" and commitment.closed_by == agent
    assert commitment.follow_up_to == lead and TicketAssignment.objects.filter(assignee=lead).count() == 1
    assert commitments_sweep(actor=SYSTEM) == {"broken": 0}
    assert TicketAssignment.objects.filter(assignee=lead).count() == 1


def test_the_kept_report_gives_the_rate_per_team_and_kind(agent, case, customer, _clock):
    other_team_agent = UserFactory(role=Role.AGENT, team=TeamFactory(kind="service", name="二线"))
    for hours, kind in ((1, "callback"), (1, "callback"), (1, "callback"), (2, "visit")):
        promise(agent, ticket=case, kind=kind, due_at_value=EVE + dt.timedelta(hours=hours))
    promise(other_team_agent, customer=customer, due_at_value=EVE + dt.timedelta(hours=1))
    withdrawn = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=1))
    commitment_withdraw(actor=agent, commitment=withdrawn, reason="客户取消")
    promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(days=3))  # not due in the period yet
    for commitment in Commitment.objects.filter(kind="callback", promised_by=agent, status="open")[:2]:
        commitment_keep(actor=agent, commitment=commitment)
    _clock.shift(dt.timedelta(hours=3))
    rows = commitment_kept_report(since=EVE, until=EVE + dt.timedelta(days=1))
    table = {(r.team, r.kind): (r.due, r.kept, r.rate) for r in rows}
    assert table == {("一线", "callback"): (3, 2, 0.6667), ("一线", "visit"): (1, 0, 0.0),
                     ("二线", "callback"): (1, 0, 0.0)}


def test_promises_show_on_the_customer_timeline(agent, case, customer, _clock):
    commitment = promise(agent, ticket=case, due_at_value=EVE + dt.timedelta(hours=1))
    _clock.shift(dt.timedelta(hours=2))
    commitments_sweep(actor=SYSTEM)
    events = [e for e in customer_timeline(customer=customer) if e.kind.startswith("commitment")]
    assert [e.kind for e in events] == ["commitment_broken", "commitment_made"]
    assert events[1].at == commitment.promised_at and "明天上午回电" in events[1].detail
    assert events[0].link.endswith(f"/{case.pk}/")
