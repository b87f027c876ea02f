import datetime as dt

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.enums import ClockState, Metric, Priority, TicketStatus
from guanxi.servicedesk.models import Ticket, TicketAssignment, TicketClock, TicketMessage
from guanxi.servicedesk.services.calendars import calendar_save
from guanxi.servicedesk.services.sweep import clocks_sweep
from guanxi.servicedesk.services.tickets import (
    ticket_assign,
    ticket_create,
    ticket_merge,
    ticket_message_add,
    ticket_transition,
)
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def team():
    return TeamFactory(kind="service")


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, team=team)


@pytest.fixture
def calendar(admin):
    return office_calendar(admin)


def open_case(agent, customer=None, **data):
    data = {"subject": "宽带无法上网", "type": "fault", "channel": "hotline", **data}
    return ticket_create(actor=agent, customer=customer, data=data)


def clock(ticket, metric):
    return TicketClock.objects.get(ticket=ticket, metric=metric)


def test_vip_and_ordinary_customers_get_their_own_fault_repair_limits(admin, agent, calendar):
    make_standard(admin, calendar, metric="fault_repair", target_minutes=24 * 60)
    make_standard(admin, calendar, metric="fault_repair", customer_tier="vip", target_minutes=4 * 60)
    vip = make_customer(admin, name="大客户", arpu="800")
    ordinary = make_customer(admin, name="普通客户", arpu="30")
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # a Monday
        vip_case, ordinary_case = open_case(agent, vip), open_case(agent, ordinary)
    assert clock(vip_case, Metric.FAULT_REPAIR).due_at == at(2026, 3, 2, 14, 30)  # 4 h around lunch
    # 24 working hours at 7.5 h a day: Mon–Wed full days, then 1.5 h on Thursday
    assert clock(ordinary_case, Metric.FAULT_REPAIR).due_at == at(2026, 3, 5, 10, 30)
    assert Ticket.objects.get(pk=vip_case.pk).next_due_at == at(2026, 3, 2, 14, 30)


def test_first_reply_meets_the_first_response_clock(admin, agent, calendar):
    make_standard(admin, calendar, metric="first_response", target_minutes=30)
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        case = open_case(agent)
    with time_machine.travel(at(2026, 3, 2, 9, 20), tick=False):
        ticket_message_add(actor=agent, ticket=case, kind="reply", body="您好，已受理")
    first = clock(case, Metric.FIRST_RESPONSE)
    assert first.state == ClockState.MET and first.stopped_at == at(2026, 3, 2, 9, 20)
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.OPEN


def test_pending_on_customer_pauses_and_moves_the_due_time(admin, agent, calendar):
    make_standard(admin, calendar, metric="resolution", target_minutes=120)
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        case = open_case(agent)
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket_transition(actor=agent, ticket=case, status="pending_customer", reason="等待客户提供账号")
    paused = clock(case, Metric.RESOLUTION)
    assert paused.state == ClockState.PAUSED and paused.due_at is None
    with time_machine.travel(at(2026, 3, 2, 15), tick=False):
        ticket_message_add(actor=SYSTEM, ticket=case, kind="customer", body="账号是 12345")
    resumed = clock(case, Metric.RESOLUTION)
    assert resumed.state == ClockState.RUNNING
    assert resumed.due_at == at(2026, 3, 2, 16)  # 1 h used before the pause, 1 h left from 15:00
    assert [(p.reason, p.ended_at) for p in case.pauses.all()] == [("等待客户提供账号", at(2026, 3, 2, 15))]


def test_resolving_late_records_a_breach(admin, agent, calendar):
    make_standard(admin, calendar, metric="resolution", target_minutes=60)
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        case = open_case(agent)
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        ticket_transition(actor=agent, ticket=case, status="resolved")
    resolved = clock(case, Metric.RESOLUTION)
    assert resolved.state == ClockState.BREACHED and resolved.breached_at == at(2026, 3, 2, 11)
    assert Ticket.objects.get(pk=case.pk).breached_at == at(2026, 3, 2, 11)


@pytest.mark.parametrize(("path", "bad"), [(["resolved", "closed"], "closed"), ([], "closed"), ([], "merged")])
def test_invalid_transitions_are_refused_and_change_nothing(agent, path, bad):
    case = open_case(agent)
    for status in path:
        ticket_transition(actor=agent, ticket=case, status=status)
    before = Ticket.objects.get(pk=case.pk)
    with pytest.raises(Conflict):
        ticket_transition(actor=agent, ticket=case, status=bad)
    after = Ticket.objects.get(pk=case.pk)
    assert (after.status, after.history.count()) == (before.status, before.history.count())


def test_reopen_counts(agent):
    case = open_case(agent)
    ticket_transition(actor=agent, ticket=case, status="resolved")
    ticket_transition(actor=agent, ticket=case, status="open", reason="客户说仍未修好")
    assert Ticket.objects.get(pk=case.pk).reopen_count == 1


def test_merged_case_refuses_replies_and_second_merge(admin, agent):
    customer = make_customer(admin)
    first, duplicate = open_case(agent, customer), open_case(agent, customer)
    ticket_merge(actor=agent, source=duplicate, target=first)
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == first.pk
    with pytest.raises(Conflict):
        ticket_message_add(actor=agent, ticket=duplicate, kind="reply", body="hello")
    with pytest.raises(Conflict):
        ticket_merge(actor=agent, source=duplicate, target=first)
    with pytest.raises(ValidationFailed):
        ticket_merge(actor=agent, source=first, target=first)
    assert not TicketMessage.objects.filter(ticket=duplicate).exists()


def test_bad_case_fields_are_refused(agent):
    with pytest.raises(ValidationFailed) as exc:
        ticket_create(actor=agent, customer=None, data={"subject": "", "type": "x", "channel": "fax"})
    assert set(exc.value.fields) == {"subject", "type", "channel"}
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("target", [0, -5, "60", None])
def test_standard_needs_a_positive_target(admin, calendar, target):
    with pytest.raises(ValidationFailed) as exc:
        make_standard(admin, calendar, target_minutes=target)
    assert "target_minutes" in exc.value.fields


def test_calendar_with_overlapping_periods_is_refused(admin):
    with pytest.raises(ValidationFailed):
        calendar_save(actor=admin, name="错误日历", periods={0: [(540, 720), (700, 800)]})
    with pytest.raises(ValidationFailed):
        calendar_save(actor=admin, name="空日历", periods={0: []})


def test_sweep_warns_then_breaches_and_runs_the_breach_actions(admin, agent, team, calendar):
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    make_standard(admin, calendar, metric="resolution", target_minutes=100, warning_percent=80,
                  breach_actions=["raise_priority", "reassign", "escalate", "notify"])
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        case = open_case(agent)
    assert clocks_sweep(actor=SYSTEM, now=at(2026, 3, 2, 10)) == {"warned": 0, "breached": 0}
    assert clocks_sweep(actor=SYSTEM, now=at(2026, 3, 2, 10, 21)) == {"warned": 1, "breached": 0}
    assert clocks_sweep(actor=SYSTEM, now=at(2026, 3, 2, 10, 22)) == {"warned": 0, "breached": 0}
    assert clocks_sweep(actor=SYSTEM, now=at(2026, 3, 2, 10, 41)) == {"warned": 0, "breached": 1}
    case.refresh_from_db()
    assert case.priority == Priority.HIGH and case.owner == lead and case.breached_at == at(2026, 3, 2, 10, 41)
    assert TicketAssignment.objects.filter(ticket=case, assignee=manager).exists()
    assert clocks_sweep(actor=SYSTEM, now=at(2026, 3, 2, 11)) == {"warned": 0, "breached": 0}


def test_sweep_warns_and_breaches_a_clock_past_both_in_one_write_and_every_batch(admin, agent, team, calendar,
                                                                                     monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.servicedesk.services import sweep

    manager = UserFactory(role=Role.SERVICE_MANAGER)
    make_standard(admin, calendar, metric="resolution", target_minutes=100, warning_percent=80,
                  breach_actions=["raise_priority", "escalate"])
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        cases = [open_case(agent) for _ in range(3)]
    with time_machine.travel(at(2026, 3, 2, 10, 30), tick=False):
        late = open_case(agent)  # warned at 11:50, due after lunch
    with time_machine.travel(at(2026, 3, 2, 10, 35), tick=False):
        ticket_transition(actor=agent, ticket=cases[2], status="resolved")  # stopped: neither warned nor breached
    monkeypatch.setattr(sweep, "BATCH", 1)
    now = at(2026, 3, 2, 11, 55)
    clock_table = TicketClock._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        assert clocks_sweep(actor=SYSTEM, now=now) == {"warned": 3, "breached": 2}
    for case in cases[:2]:
        running = clock(case, Metric.RESOLUTION)
        assert running.warned_at == running.breached_at == now
        case.refresh_from_db()
        assert case.priority == Priority.HIGH and case.breached_at == now
        assert TicketAssignment.objects.filter(ticket=case, assignee=manager).count() == 1
    assert clock(late, Metric.RESOLUTION).warned_at == now and clock(late, Metric.RESOLUTION).breached_at is None
    stopped = clock(cases[2], Metric.RESOLUTION)
    assert stopped.warned_at is None and stopped.breached_at is None
    # Each breached clock is written once (warned and breached together), one batch at a time.
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{clock_table}"')]
    assert len(updates) == 1 + 2
    assert clocks_sweep(actor=SYSTEM, now=now) == {"warned": 0, "breached": 0}


def test_assignment_keeps_the_owner(admin, agent):
    case = open_case(agent)
    engineer = UserFactory(role=Role.AGENT)
    ticket_assign(actor=agent, ticket=case, assignee=engineer, note="请上门检修")
    case.refresh_from_db()
    assert case.owner == agent and case.assignments.get().handover_note == "请上门检修"


def test_history_can_be_recorded_at_past_times(admin, agent, calendar):
    make_standard(admin, calendar, metric="resolution", target_minutes=120)
    case = ticket_create(actor=agent, customer=None, at=at(2026, 1, 5, 9),
                         data={"subject": "历史工单", "type": "query", "channel": "web"})
    ticket_message_add(actor=agent, ticket=case, kind="reply", body="已处理", at=at(2026, 1, 5, 10))
    ticket_transition(actor=agent, ticket=case, status="resolved", at=at(2026, 1, 5, 12))
    case.refresh_from_db()
    assert (case.created_at, case.first_responded_at, case.resolved_at) == (
        at(2026, 1, 5, 9), at(2026, 1, 5, 10), at(2026, 1, 5, 12))
    assert clock(case, Metric.RESOLUTION).state == ClockState.BREACHED  # 9:00–12:00 is 3 working hours
    assert case.history.earliest("history_date").history_date == at(2026, 1, 5, 9)
