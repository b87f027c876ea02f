"""The change history reads as people read it: labels, local time, names, yes/no."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.audit import audit_trail
from guanxi.servicedesk.services.tickets import ticket_assign, ticket_create, ticket_transition

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"), display_name="王芳")


@pytest.fixture
def case(agent):
    with time_machine.travel(dt.datetime(2026, 11, 20, 19, 0, tzinfo=UTC), tick=False):
        ticket = ticket_create(actor=agent, customer=None,
                               data={"subject": "宽带无法上网", "type": "fault", "channel": "hotline"})
    with time_machine.travel(dt.datetime(2026, 11, 20, 19, 13, 16, 573899, tzinfo=UTC), tick=False):
        ticket_transition(actor=agent, ticket=ticket, status="resolved")
    return ticket


def changes(entry) -> dict:
    return {str(label): (before, after) for label, before, after in entry.changes}


def test_status_and_times_read_as_labels_and_local_minutes(case):
    with translation.override("zh-hans"):
        latest = changes(audit_trail(case)[0])
    assert latest["状态"] == ("新建", "已解决")
    assert latest["解决时间"] == ("", "2026-11-21 03:13")


def test_linked_records_by_name_and_booleans_as_yes_or_no(agent, case):
    engineer = UserFactory(role=Role.AGENT, display_name="李工")
    ticket_transition(actor=agent, ticket=case, status="open")
    assignment = ticket_assign(actor=agent, ticket=case, assignee=agent, note="请上门")
    # The history of any audited record reads the same; a direct save stands in for a later service.
    assignment.assignee, assignment.is_active = engineer, False
    assignment.save()
    with translation.override("zh-hans"):
        latest = changes(audit_trail(assignment)[0])
    assert latest["有效"] == ("是", "否")
    assert ("王芳", "李工") in latest.values()


def test_the_case_page_shows_no_raw_values(client, agent, case):
    client.force_login(agent)
    body = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert "2026-11-21 03:13" in body and "已解决" in body
    assert "resolved</td>" not in body and ".573899" not in body and "+00:00" not in body


def test_the_api_keeps_stored_values(case):
    with translation.override("en"):
        latest = changes(audit_trail(case, readable=False)[0])
    assert latest["status"] == ("new", "resolved")
