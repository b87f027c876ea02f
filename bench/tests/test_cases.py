import datetime as dt

import pytest
from django.db import connection

from bench import cases
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Ticket, TicketClock
from guanxi.servicedesk.selectors.tickets import TicketFilter, ticket_queue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the case load uses COPY (PostgreSQL)"),
]
NOW = dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC)


def test_case_load_makes_open_cases_with_running_clocks_and_closed_history():
    admin = UserFactory(role=Role.ADMIN)
    for i in range(5):
        make_customer(admin, name=f"客户{i}")
    result = cases.generate_cases(cases=300, open_cases=60, now=NOW)
    assert (result.cases, result.open_cases) == (300, 60)
    assert Ticket.objects.count() == 300 and Ticket.objects.filter(status="closed").count() == 240
    running = TicketClock.objects.filter(state="running")
    assert running.exists() and not running.filter(due_at__isnull=True).exists()
    assert not Ticket.objects.filter(status__in=["new", "open"], next_due_at__isnull=True).exists()
    agent = Ticket.objects.filter(status="open").first().owner
    mine = ticket_queue(user=agent, filters=TicketFilter(statuses=("open",), owner_id=agent.pk))
    assert mine.exists()
    swept = cases.sweep(now=NOW + dt.timedelta(days=30))
    assert swept["breached"] == running.count()
    calls = cases.case_calls("tickets_api", 3)
    assert calls[0].path == "/api/v1/tickets"


def test_cases_and_sweep_commands():
    import io
    import json

    from django.core.management import call_command

    admin = UserFactory(role=Role.ADMIN)
    make_customer(admin, name="命令客户")
    out = io.StringIO()
    call_command("bench", "cases", "--cases", "40", "--open", "10", stdout=out)
    assert json.loads(out.getvalue())["cases"] == 40
    out = io.StringIO()
    call_command("bench", "sweep", stdout=out)
    assert json.loads(out.getvalue())["running_clocks"] >= 1
