import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.enums import ComplaintStage, TicketStatus
from guanxi.servicedesk.models import Callback, Complaint, Ticket
from guanxi.servicedesk.services.callbacks import callback_record
from guanxi.servicedesk.services.complaints import complaint_advance, complaint_open, complaint_reopen
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

pytestmark = pytest.mark.django_db
WORKFLOW = ["recorded", "classified", "assessed", "forwarded", "following_up", "replied", "verified"]


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def customer():
    return make_customer(UserFactory(role=Role.ADMIN), name="投诉人")


def complaint_case(agent, customer, **data):
    return ticket_create(actor=agent, customer=customer,
                         data={"subject": "多收话费", "type": "complaint", "channel": "hotline", **data})


def test_complaint_goes_through_every_step_and_records_who_did_what(agent, customer):
    billing = TeamFactory(name="计费部")
    complaint = complaint_open(actor=agent, ticket=complaint_case(agent, customer), note="客户来电投诉")
    for stage in WORKFLOW:
        extra = {"classification": "计费争议"} if stage == "classified" else {}
        extra |= {"responsible_team": billing} if stage == "forwarded" else {}
        complaint = complaint_advance(actor=agent, complaint=complaint, stage=stage, note=f"{stage} done", **extra)
    steps = list(complaint.steps.values_list("stage", "actor_id"))
    assert [s for s, _ in steps] == ["received", *WORKFLOW]
    assert {a for _, a in steps} == {agent.pk}
    assert (complaint.classification, complaint.responsible_team) == ("计费争议", billing)


def test_steps_cannot_be_skipped_or_repeated(agent, customer):
    complaint = complaint_open(actor=agent, ticket=complaint_case(agent, customer))
    with pytest.raises(Conflict):
        complaint_advance(actor=agent, complaint=complaint, stage="forwarded")
    complaint_advance(actor=agent, complaint=complaint, stage="recorded")
    with pytest.raises(Conflict):
        complaint_advance(actor=agent, complaint=complaint, stage="recorded")
    with pytest.raises(ValidationFailed):
        complaint_advance(actor=agent, complaint=complaint, stage="classified")  # needs a classification
    assert Complaint.objects.get(pk=complaint.pk).stage == ComplaintStage.RECORDED


def test_major_complaint_goes_to_the_service_manager(agent, customer):
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    complaint = complaint_open(actor=agent, ticket=complaint_case(agent, customer), severity="major")
    assert complaint.ticket.assignments.filter(assignee=manager, is_active=True).exists()


def test_repeat_complaints_and_reopen_are_counted(agent, customer):
    complaint_open(actor=agent, ticket=complaint_case(agent, customer))
    second = complaint_open(actor=agent, ticket=complaint_case(agent, customer))
    assert second.repeat_count == 1
    for stage in WORKFLOW[:6]:
        extra = {"classification": "x"} if stage == "classified" else {}
        extra |= {"responsible_team": TeamFactory()} if stage == "forwarded" else {}
        second = complaint_advance(actor=agent, complaint=second, stage=stage, **extra)
    second = complaint_reopen(actor=agent, complaint=second, note="客户不认可处理结果")
    assert (second.stage, second.reopen_count) == (ComplaintStage.ASSESSED, 1)


def test_only_complaint_cases_get_the_workflow(agent, customer):
    case = ticket_create(actor=agent, customer=customer, data={"subject": "咨询", "type": "query", "channel": "web"})
    with pytest.raises(ValidationFailed):
        complaint_open(actor=agent, ticket=case)


def test_resolving_a_repair_creates_a_callback_and_dissatisfaction_reopens(agent, customer):
    case = ticket_create(actor=agent, customer=customer, data={"subject": "手机无法开机", "type": "fault",
                                                               "channel": "outlet"})
    ticket_transition(actor=agent, ticket=case, status="resolved")
    callback = Callback.objects.get(ticket=case)
    assert callback.assignee == agent and callback.due_at > case.created_at
    callback_record(actor=agent, callback=callback, outcome="dissatisfied", note="还是无法开机")
    reopened = Ticket.objects.get(pk=case.pk)
    assert reopened.status == TicketStatus.OPEN and reopened.reopen_count == 1
    with pytest.raises(Conflict):
        callback_record(actor=agent, callback=callback, outcome="satisfied")


def test_satisfied_callback_leaves_the_case_resolved(agent, customer):
    case = ticket_create(actor=agent, customer=customer, data={"subject": "宽带维修", "type": "fault",
                                                               "channel": "hotline"})
    ticket_transition(actor=agent, ticket=case, status="resolved")
    callback_record(actor=agent, callback=Callback.objects.get(ticket=case), outcome="satisfied")
    assert Ticket.objects.get(pk=case.pk).status == TicketStatus.RESOLVED


def test_no_callback_for_non_repair_cases(agent, customer):
    case = ticket_create(actor=agent, customer=customer, data={"subject": "咨询", "type": "consultation",
                                                               "channel": "web"})
    ticket_transition(actor=agent, ticket=case, status="resolved")
    assert not Callback.objects.filter(ticket=case).exists()
