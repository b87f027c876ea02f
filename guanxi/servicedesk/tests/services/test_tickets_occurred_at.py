"""Cases and status moves imported with the time they happened (`occurred_at`)."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import ValidationFailed
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.servicedesk.clock import Pause, WorkingCalendar, chinese_public_days, due_at, working_time_between
from guanxi.servicedesk.enums import ClockState, Metric, TicketStatus
from guanxi.servicedesk.models import Ticket, TicketClock
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition
from guanxi.servicedesk.tests.factories import OFFICE_HOURS, make_standard, office_calendar

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=SH)


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture(autouse=True)
def pinned_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def resolution(admin):
    return make_standard(admin, office_calendar(admin), metric="resolution", target_minutes=8 * 60)


def data(**extra):
    return {"subject": "宽带无法上网", "type": "query", "channel": "hotline", **extra}


def resolution_clock(ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)


def test_a_case_imported_with_its_opening_time_runs_its_clocks_from_then(agent, resolution):
    response = post_json(client_for(agent), "/api/v1/tickets", data(occurred_at="2019-09-30T16:00:00+08:00"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert dt.datetime.fromisoformat(body["created_at"]) == at(2019, 9, 30, 16)
    clock = resolution_clock(Ticket.objects.get(pk=body["id"]))
    assert clock.started_at == at(2019, 9, 30, 16)
    # 2 h on Monday 30 September 2019, then the National Day holiday (1–7 October): 6 more working
    # hours on Tuesday 8 October (lunch 12:00–13:30).
    assert clock.due_at == at(2019, 10, 8, 16, 30)


def test_a_transition_imported_with_its_time_pauses_and_resumes_the_clocks_then(agent, resolution):
    client = client_for(agent)
    case = post_json(client, "/api/v1/tickets", data(occurred_at="2026-06-01T09:00:00+08:00")).json()
    url = f"/api/v1/tickets/{case['id']}/transition"
    paused = post_json(client, url, {"status": "pending_customer", "occurred_at": "2026-06-01T11:00:00+08:00"})
    assert paused.status_code == 200, paused.content
    resumed = post_json(client, url, {"status": "open", "occurred_at": "2026-06-02T09:00:00+08:00"})
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["pauses"] == [{"started_at": "2026-06-01T03:00:00Z", "ended_at": "2026-06-02T01:00:00Z",
                                         "reason": "pending on customer"}]
    # 2 of the 8 hours were used before the pause; 6 more from 9:00 on Tuesday.
    assert resolution_clock(Ticket.objects.get(pk=case["id"])).due_at == at(2026, 6, 2, 16, 30)
    resolved = post_json(client, url, {"status": "resolved", "occurred_at": "2026-06-02T10:00:00+08:00"})
    assert resolved.json()["resolved_at"] == "2026-06-02T02:00:00Z"
    assert resolution_clock(Ticket.objects.get(pk=case["id"])).state == ClockState.MET


@pytest.mark.parametrize(("moves", "field_reason"), [
    pytest.param([("open", "2026-05-31T23:00:00+08:00")], "工单创建时间", id="before the case opened"),
    pytest.param([("pending_customer", "2026-06-01T11:00:00+08:00"), ("open", "2026-06-01T10:59:00+08:00")],
                 "暂停开始时间", id="a resume before its pause"),
    pytest.param([("resolved", "2026-06-01T12:00:00+08:00"), ("open", "2026-06-01T11:00:00+08:00")],
                 "工单解决时间", id="a reopening before the resolution"),
    pytest.param([("open", "2026-06-15T10:10:00+08:00")], "不能是将来的日期", id="in the future"),
])
def test_impossible_times_are_refused_and_change_nothing(agent, resolution, moves, field_reason):
    client = client_for(agent)
    case = post_json(client, "/api/v1/tickets", data(occurred_at="2026-06-01T09:00:00+08:00")).json()
    url = f"/api/v1/tickets/{case['id']}/transition"
    for status, moment in moves[:-1]:
        assert post_json(client, url, {"status": status, "occurred_at": moment}).status_code == 200
    before = Ticket.objects.get(pk=case["id"])
    status, moment = moves[-1]
    response = post_json(client, url, {"status": status, "occurred_at": moment})
    assert_error_body(response, 422, "occurred_at")
    assert response.json()["fields"]["occurred_at"] == field_reason
    after = Ticket.objects.get(pk=case["id"])
    assert (after.status, after.updated_at, after.resolved_at) == (before.status, before.updated_at, before.resolved_at)


def test_a_case_cannot_be_opened_in_the_future_beyond_the_clock_skew(agent, resolution):
    client = client_for(agent)
    with override_settings(HISTORY_FUTURE_SKEW_SECONDS=300):
        late = post_json(client, "/api/v1/tickets", data(occurred_at="2026-06-15T10:10:00+08:00"))
        assert_error_body(late, 422, "occurred_at")
        assert not Ticket.objects.exists()
        skewed = post_json(client, "/api/v1/tickets", data(occurred_at="2026-06-15T10:04:00+08:00"))
        assert skewed.status_code == 201, skewed.content


def test_a_naive_time_is_read_in_the_servers_time_zone(agent, resolution):
    ticket = ticket_create(actor=agent, customer=None, data=data(), at=dt.datetime(2026, 6, 1, 9))
    assert ticket.created_at == at(2026, 6, 1, 9)
    with pytest.raises(ValidationFailed):
        ticket_transition(actor=agent, ticket=ticket, status="open", at=dt.datetime(2026, 6, 1, 8))


# Backdated events: the clock the service keeps equals the pure rule on the calendar of those years.
CALENDAR = None


def engine_calendar() -> WorkingCalendar:
    global CALENDAR
    if CALENDAR is None:
        holidays, workdays = chinese_public_days(range(2015, 2027))
        workday = tuple((a * 60, b * 60) for a, b in OFFICE_HOURS)
        CALENDAR = WorkingCalendar("Asia/Shanghai", (*[workday] * 5, (), ()), holidays, workdays)
    return CALENDAR


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(opened=st.datetimes(min_value=dt.datetime(2016, 1, 1), max_value=dt.datetime(2026, 5, 1)),
       pause_after=st.integers(min_value=0, max_value=5 * 24 * 60),
       pause_for=st.integers(min_value=1, max_value=10 * 24 * 60))
def test_backdated_cases_keep_the_clock_the_calendar_gives(agent, resolution, opened, pause_after, pause_for):
    opened = opened.replace(tzinfo=SH, microsecond=0)
    paused = opened + dt.timedelta(minutes=pause_after)
    resumed = paused + dt.timedelta(minutes=pause_for)
    ticket = ticket_create(actor=agent, customer=None, data=data(), at=opened)
    ticket_transition(actor=agent, ticket=ticket, status=TicketStatus.PENDING_CUSTOMER, at=paused)
    ticket_transition(actor=agent, ticket=ticket, status=TicketStatus.OPEN, at=resumed)
    clock = resolution_clock(ticket)
    pause = [Pause(paused, resumed)]
    target = dt.timedelta(minutes=8 * 60)
    assert clock.started_at == opened
    assert clock.due_at == due_at(engine_calendar(), opened, target, pause)
    assert working_time_between(engine_calendar(), opened, clock.due_at, pause) == target
    assert clock.due_at >= due_at(engine_calendar(), opened, target)  # a pause never brings the due time closer
