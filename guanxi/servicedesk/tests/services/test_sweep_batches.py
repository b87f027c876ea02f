"""The escalation sweep's batches side by side (PostgreSQL: each in its own connection) give what
one batch at a time gives."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core import parallel
from guanxi.servicedesk.enums import Priority
from guanxi.servicedesk.models import Ticket, TicketAssignment, TicketClock
from guanxi.servicedesk.services import sweep
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

pytestmark = pytest.mark.django_db(transaction=True)
SH = dt.timezone(dt.timedelta(hours=8))


def test_batches_run_side_by_side_and_each_case_is_acted_on_once(admin, monkeypatch):
    team = TeamFactory(kind="service")
    agent = UserFactory(role=Role.AGENT, team=team)
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    calendar = office_calendar(admin)
    for metric in ("first_response", "resolution"):
        make_standard(admin, calendar, metric=metric, target_minutes=60, warning_percent=80,
                      breach_actions=["raise_priority", "escalate"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=SH), tick=False):
        data = {"subject": "宽带无法上网", "type": "fault", "channel": "hotline"}
        cases = [ticket_create(actor=agent, customer=None, data=data) for _ in range(7)]
    writers = set()
    breach = sweep._breach

    def recorded_breach(now, ids):
        writers.add(threading.current_thread().name)
        return breach(now, ids)

    monkeypatch.setattr(sweep, "_breach", recorded_breach)
    monkeypatch.setattr(sweep, "BATCH", 3)  # two clocks a case: batches of 4, 4, 4 and 2 clocks
    monkeypatch.setattr(parallel, "batch_workers", lambda: 2)

    now = dt.datetime(2026, 3, 2, 14, tzinfo=SH)
    assert sweep.clocks_sweep(actor=SYSTEM, now=now) == {"warned": 14, "breached": 14}

    if connection.vendor == "postgresql":
        assert all(name.startswith("batch") for name in writers), writers
    else:  # one writer at a time
        assert writers == {threading.main_thread().name}
    assert TicketClock.objects.filter(breached_at=now, warned_at=now).count() == 14
    for case in Ticket.objects.filter(pk__in=[c.pk for c in cases]):
        # Both clocks in one batch: raised one step, escalated once.
        assert case.priority == Priority.HIGH and case.breached_at == now
        assert TicketAssignment.objects.filter(ticket=case, assignee=manager).count() == 1
    assert sweep.clocks_sweep(actor=SYSTEM, now=now) == {"warned": 0, "breached": 0}
