import datetime as dt

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.customers.timeline import customer_timeline
from guanxi.marketing.enums import LeadStatus
from guanxi.marketing.models import Lead
from guanxi.marketing.selectors.leads import lead_duplicates
from guanxi.marketing.services import leads as services

from .factories import make_lead

pytestmark = pytest.mark.django_db


def test_a_rep_owns_what_they_capture_an_agent_sends_it_to_the_pool():
    rep, agent = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.AGENT)
    assert make_lead(rep).owner == rep
    pooled = make_lead(agent, mobile="13700001111")
    assert pooled.owner is None and pooled.created_by == agent
    assert pooled.history.count() == 1


def test_only_managers_give_leads_to_others():
    rep, other = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    manager = UserFactory(role=Role.SALES_MANAGER)
    with pytest.raises(PermissionDenied):
        make_lead(rep, owner=other)
    lead = make_lead(manager, owner=other)
    assert lead.owner == other and lead.team == other.team
    with pytest.raises(ValidationFailed) as refused:
        make_lead(manager, owner=UserFactory(role=Role.AGENT), mobile="13700002222")
    assert "owner" in refused.value.fields


def test_bad_input_changes_nothing():
    with pytest.raises(ValidationFailed) as refused:
        services.lead_create(actor=SYSTEM, data={"person_name": "王", "mobile": "123"})
    assert "mobile" in refused.value.fields
    with pytest.raises(ValidationFailed):
        services.lead_create(actor=SYSTEM, data={"person_name": "王"})
    with pytest.raises(ValidationFailed):
        services.lead_create(actor=SYSTEM, data={"person_name": "王", "mobile": "13800138000"}, source="fax")
    assert not Lead.objects.exists()


def test_a_lead_with_a_customers_phone_is_linked_to_that_customer(admin):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    lead = make_lead(person_name="王小姐", mobile="138 0013 8000")
    assert lead.customer == customer
    other = make_lead(person_name="赵六", mobile="13600000000")
    assert other.customer is None


def test_qualification_workflow():
    rep = UserFactory(role=Role.SALES_REP)
    lead = make_lead(rep)
    lead = services.lead_contact(actor=rep, lead=lead, note="已电话沟通")
    assert lead.status == LeadStatus.CONTACTED and lead.contacted_at is not None
    lead = services.lead_qualify(actor=rep, lead=lead, data={"budget": "5000", "timeline": "quarter",
                                                             "authority": "decision_maker", "need": "企业专线"})
    assert (lead.status, lead.budget, lead.timeline) == (LeadStatus.QUALIFIED, 5000, "quarter")
    lead = services.lead_disqualify(actor=rep, lead=lead, reason="competitor")
    assert lead.status == LeadStatus.DISQUALIFIED and lead.closed_at is not None
    with pytest.raises(Conflict):
        services.lead_qualify(actor=rep, lead=lead)
    lead = services.lead_reopen(actor=rep, lead=lead)
    assert lead.status == LeadStatus.CONTACTED and not lead.disqualify_reason
    assert [h.status for h in lead.history.order_by("history_id")] == [
        "new", "contacted", "qualified", "disqualified", "contacted"]


def test_disqualifying_needs_a_known_reason_and_a_note_for_other():
    lead = make_lead()
    with pytest.raises(ValidationFailed):
        services.lead_disqualify(actor=SYSTEM, lead=lead, reason="bored")
    with pytest.raises(ValidationFailed) as refused:
        services.lead_disqualify(actor=SYSTEM, lead=lead, reason="other")
    assert "note" in refused.value.fields
    with pytest.raises(ValidationFailed):
        services.lead_qualify(actor=SYSTEM, lead=lead, data={"timeline": "someday"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_converting_twice_is_refused(admin):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    lead = services.lead_mark_converted(actor=SYSTEM, lead=make_lead(mobile="13900000000"), customer=customer)
    assert lead.status == LeadStatus.CONVERTED and lead.customer == customer
    with pytest.raises(Conflict):
        services.lead_mark_converted(actor=SYSTEM, lead=lead, customer=customer)
    lead = services.lead_update(actor=SYSTEM, lead=lead, data={"mobile": "13911112222"})
    assert lead.customer == customer  # a converted lead keeps the customer it became


def test_duplicates_by_phone_email_and_name(admin):
    customer = make_customer(admin, name="深圳华星科技有限公司", kind="organisation", email="it@huaxing.cn")
    first = make_lead(company_name="深圳华星科技", person_name="", email="it@huaxing.cn")
    make_lead(person_name="王五", mobile="13500000000")
    by_name = lead_duplicates(user=admin, values={"company_name": "深圳华星科技", "phone": "+861065529988"})
    assert [c for c, why in by_name.customers] == [customer] and by_name.customers[0][1] == ["same name"]
    found = lead_duplicates(user=admin, values={"company_name": "深圳华星科技有限公司", "email": "it@huaxing.cn"})
    assert [lead for lead, _ in found.leads] == [first]
    assert [c for c, _ in found.customers] == [customer]
    assert set(found.leads[0][1]) == {"same e-mail", "same name"}
    rep = UserFactory(role=Role.SALES_REP)
    hidden = lead_duplicates(user=rep, values={"mobile": "", "email": "it@huaxing.cn"})
    assert hidden.hidden_customers == 1 and hidden.customers == []
    assert len(hidden.leads) == 1  # an unowned lead is in the pool, which reps see


def test_leads_on_the_customer_timeline(admin):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    lead = make_lead(mobile="13800138000")
    services.lead_qualify(actor=SYSTEM, lead=lead, at=lead.created_at + dt.timedelta(hours=1))
    kinds = [e.kind for e in customer_timeline(customer=customer, limit=20)]
    assert "lead_captured" in kinds and "lead_qualified" in kinds
