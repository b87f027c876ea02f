"""What the system writes on a case is signed by the system and reads in the viewer's language."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.servicedesk.enums import CallbackOutcome, ComplaintSeverity
from guanxi.servicedesk.models import Callback, TicketMessage
from guanxi.servicedesk.services.callbacks import callback_record
from guanxi.servicedesk.services.complaints import complaint_open
from guanxi.servicedesk.services.sweep import clocks_sweep
from guanxi.servicedesk.services.tickets import ticket_create, ticket_merge, ticket_transition
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def at(d, hh=0, mm=0):
    return dt.datetime(2026, 3, d, hh, mm, tzinfo=SH)


@pytest.fixture
def team():
    return TeamFactory(kind="service")


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, team=team)


def open_case(agent, subject="宽带无法上网", kind="fault"):
    return ticket_create(actor=agent, customer=None, data={"subject": subject, "type": kind, "channel": "hotline"})


def page(client, user, ticket, language="zh-hans"):
    client.force_login(user)
    response = client.get(reverse("servicedesk:detail", args=[ticket.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def breached(admin, agent):
    UserFactory(role=Role.SERVICE_MANAGER)
    make_standard(admin, office_calendar(admin), metric="resolution", target_minutes=60,
                  breach_actions=["notify", "escalate"])
    with time_machine.travel(at(2, 9), tick=False):
        case = open_case(agent)
    clocks_sweep(actor=SYSTEM, now=at(2, 11))
    return case


def test_a_breach_note_is_an_event_without_author_or_english_text(breached):
    note = TicketMessage.objects.get(ticket=breached)
    assert (note.author, note.kind, note.body) == (None, TicketMessage.Kind.NOTE, "")
    assert (note.event, note.event_params) == ("sla_breached", {"metric": "resolution"})
    assert note.is_system


def test_breach_and_escalation_read_in_chinese_signed_by_the_system(client, admin, breached):
    body = page(client, admin, breached)
    assert "服务指标超时：解决" in body and "已升级：服务指标超时" in body
    assert "<strong>系统</strong>" in body
    assert "SLA breached" not in body and "Escalated" not in body and "<strong>客户</strong>" not in body


def test_breach_reads_in_english_for_an_english_reader(client, admin, breached):
    body = page(client, admin, breached, language="en")
    assert "Service standard breached: Resolution" in body and "<strong>System</strong>" in body


def test_the_api_gives_the_note_in_the_callers_language(client, admin, breached):
    client.force_login(admin)
    url = f"/api/v1/tickets/{breached.pk}"
    zh = client.get(url).json()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [m["body"] for m in zh["messages"]] == ["服务指标超时：解决"]
    assert [m["body"] for m in en["messages"]] == ["Service standard breached: Resolution"]
    assert [a["handover_note"] for a in zh["assignments"]] == ["已升级：服务指标超时"]


def test_merge_and_dissatisfied_callback_notes_are_events(client, admin, agent):
    source, target = open_case(agent, "重复报障"), open_case(agent, "宽带断线")
    ticket_merge(actor=agent, source=source, target=target)
    ticket_transition(actor=agent, ticket=target, status="resolved")
    callback = Callback.objects.get(ticket=target)
    callback_record(actor=agent, callback=callback, outcome=CallbackOutcome.DISSATISFIED, note="仍然断线")
    body = page(client, admin, target)
    assert f"已合并工单 {source.number}：重复报障" in body and "回访：客户不满意。仍然断线" in body
    assert "回访：客户不满意" in body  # the reopening's reason in the change history
    assert "Merged" not in body and "Callback:" not in body and "callback:" not in body
    source_page = page(client, admin, source)
    assert f"已合并到 {target.number}" in source_page


def test_a_major_complaint_hand_over_note_reads_in_chinese(client, admin, agent):
    UserFactory(role=Role.SERVICE_MANAGER)
    case = open_case(agent, kind="complaint")
    complaint_open(actor=agent, ticket=case, severity=ComplaintSeverity.MAJOR, note="客户要求赔偿")
    body = page(client, admin, case)
    assert "重大投诉：转服务经理处理" in body and "Major complaint" not in body


def test_a_pause_reason_the_system_wrote_reads_in_chinese(client, admin, agent):
    case = open_case(agent)
    ticket_transition(actor=agent, ticket=case, status="pending_customer")
    assert "等待客户回复" in page(client, admin, case)


def test_notes_stored_as_english_text_become_events(admin, agent):
    case = open_case(agent)
    legacy = [TicketMessage.objects.create(ticket=case, kind="note", body=text) for text in
              ("SLA breached: resolution", "Merged T26030100000001: 重复报障", "Callback: customer dissatisfied.",
               "Merged two calls: same fault")]
    migration = importlib.import_module("guanxi.servicedesk.migrations.0011_system_notes_as_events")
    migration.notes_to_events(apps, None)
    rows = [TicketMessage.objects.get(pk=m.pk) for m in legacy]
    assert [(m.event, m.event_params) for m in rows] == [
        ("sla_breached", {"metric": "resolution"}),
        ("case_merged", {"number": "T26030100000001", "subject": "重复报障"}),
        ("callback_dissatisfied", {"note": ""}),
        ("", {}),  # a person's note that only looks alike stays as written
    ]
    assert rows[3].body == "Merged two calls: same fault"
