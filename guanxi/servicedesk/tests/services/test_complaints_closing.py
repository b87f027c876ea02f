"""A complaint case is resolved once the customer has the reply and closed once the result is
verified by the callback (回访) that the reply scheduled."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.enums import ComplaintStage, TicketStatus
from guanxi.servicedesk.models import Callback, Complaint, Ticket
from guanxi.servicedesk.services.callbacks import callback_record
from guanxi.servicedesk.services.complaints import complaint_advance, complaint_open
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
TO_REPLY = ["recorded", "classified", "assessed", "forwarded", "following_up", "replied"]


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def case(agent):
    customer = make_customer(UserFactory(role=Role.ADMIN), name="投诉人")
    return ticket_create(actor=agent, customer=customer,
                         data={"subject": "多收话费", "type": "complaint", "channel": "hotline"})


def walk(agent, complaint, stages):
    for stage in stages:
        extra = {"classification": "计费争议"} if stage == "classified" else {}
        extra |= {"responsible_team": TeamFactory()} if stage == "forwarded" else {}
        complaint = complaint_advance(actor=agent, complaint=complaint, stage=stage, note=f"{stage} done", **extra)
    return complaint


def test_the_reply_schedules_a_callback_by_the_callback_standard(agent, case):
    admin = UserFactory(role=Role.ADMIN)
    make_standard(admin, office_calendar(admin), metric="callback", target_minutes=4 * 60)
    walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY)
    callback = Callback.objects.get(ticket=case)
    assert callback.assignee == agent and callback.done_at is None
    assert callback.due_at == dt.datetime(2026, 3, 2, 14, 30, tzinfo=SH)  # 4 working hours around lunch


def test_a_replied_complaint_cannot_be_closed_until_the_callback_verifies_it(agent, case):
    complaint = walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY)
    ticket_transition(actor=agent, ticket=case, status="resolved")
    with pytest.raises(Conflict) as refused:
        ticket_transition(actor=agent, ticket=case, status="closed")
    assert refused.value.code == "complaint_not_verified"
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.RESOLVED

    callback_record(actor=agent, callback=Callback.objects.get(ticket=case), outcome="satisfied", note="客户认可")
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.stage == ComplaintStage.VERIFIED
    assert complaint.steps.last().note == "客户认可"
    assert ticket_transition(actor=agent, ticket=case, status="closed").status == TicketStatus.CLOSED


def test_a_complaint_is_not_resolved_before_the_reply(agent, case):
    with pytest.raises(Conflict) as no_workflow:
        ticket_transition(actor=agent, ticket=case, status="resolved")
    assert no_workflow.value.code == "complaint_steps_missing"
    walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY[:5])
    with pytest.raises(Conflict) as refused:
        ticket_transition(actor=agent, ticket=case, status="resolved")
    assert refused.value.code == "complaint_not_replied"
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.NEW


def test_verifying_on_the_case_records_the_callback(agent, case):
    complaint = walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY)
    with pytest.raises(ValidationFailed):
        complaint_advance(actor=agent, complaint=complaint, stage="verified", outcome="dissatisfied")
    complaint_advance(actor=agent, complaint=complaint, stage="verified", outcome="neutral", note="电话回访")
    callback = Callback.objects.get(ticket=case)
    assert (callback.outcome, callback.note, callback.done_by) == ("neutral", "电话回访", agent)
    assert callback.done_at is not None


def test_a_dissatisfied_callback_reopens_complaint_and_case(agent, case):
    complaint = walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY)
    ticket_transition(actor=agent, ticket=case, status="resolved")
    callback_record(actor=agent, callback=Callback.objects.get(ticket=case), outcome="dissatisfied", note="不认可")
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.stage, complaint.reopen_count) == (ComplaintStage.ASSESSED, 1)
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.OPEN


def test_an_unreachable_customer_gets_another_callback(agent, case):
    walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY)
    callback_record(actor=agent, callback=Callback.objects.get(ticket=case), outcome="unreachable")
    assert Complaint.objects.get(ticket=case).stage == ComplaintStage.REPLIED
    assert Callback.objects.filter(ticket=case, done_at__isnull=True).count() == 1


def test_closing_an_unverified_complaint_through_the_api_is_409(agent, case):
    client = client_for(agent)
    complaint_open(actor=agent, ticket=case)
    for stage in TO_REPLY:
        extra = {"classification": "计费"} if stage == "classified" else {}
        extra |= {"responsible_team": TeamFactory().pk} if stage == "forwarded" else {}
        url = f"/api/v1/tickets/{case.pk}/complaint/steps"
        assert post_json(client, url, {"stage": stage, **extra}).status_code == 200
    body = client.get(f"/api/v1/tickets/{case.pk}/complaint").json()
    assert body["next_stage"] == "verified" and len(body["callbacks"]) == 1 and body["callbacks"][0]["done_at"] is None
    post_json(client, f"/api/v1/tickets/{case.pk}/transition", {"status": "resolved"})
    refused = post_json(client, f"/api/v1/tickets/{case.pk}/transition", {"status": "closed"})
    assert_error_body(refused, 409)
    assert refused.json()["code"] == "complaint_not_verified" and "回访" in refused.json()["message"]
    verified = post_json(client, f"/api/v1/tickets/{case.pk}/complaint/steps", {"stage": "verified", "note": "满意"})
    assert verified.json()["next_stage"] is None and verified.json()["callbacks"][0]["outcome"] == "satisfied"
    assert post_json(client, f"/api/v1/tickets/{case.pk}/transition", {"status": "closed"}).json()["status"] == "closed"


def test_the_case_page_asks_for_the_callback_and_refuses_closing_before_it(client, agent, case):
    walk(agent, complaint_open(actor=agent, ticket=case), TO_REPLY)
    ticket_transition(actor=agent, ticket=case, status="resolved")
    client.force_login(agent)
    page = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert 'id="gx-complaint-callback"' in page and 'name="cps-outcome"' in page
    response = client.post(reverse("servicedesk:transition", args=[case.pk]), {"tr-status": "closed"}, follow=True)
    assert "回访" in response.content.decode() and "alert-danger" in response.content.decode()
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.RESOLVED
    client.post(reverse("servicedesk:complaint_advance", args=[case.pk]),
                {"cps-stage": "verified", "cps-outcome": "satisfied", "cps-note": "满意"})
    assert Complaint.objects.get(ticket=case).stage == ComplaintStage.VERIFIED
    client.post(reverse("servicedesk:transition", args=[case.pk]), {"tr-status": "closed"})
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.CLOSED
