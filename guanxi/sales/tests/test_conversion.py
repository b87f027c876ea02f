"""Lead conversion: customer (created or linked), contact, opportunity and the lead marked converted
in one transaction; a converted or disqualified lead refused with nothing changed; the API and the
转化 page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.core.testing import assert_error_body, assert_refused, client_for, post_json, rows_of
from guanxi.customers.models import Contact, Customer
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.enums import LeadStatus
from guanxi.marketing.models import Lead
from guanxi.marketing.services.leads import lead_disqualify
from guanxi.marketing.tests.campaign_factories import make_campaign
from guanxi.marketing.tests.factories import make_lead
from guanxi.sales.models import Opportunity
from guanxi.sales.services import conversion
from guanxi.sales.services.conversion import lead_convert

from .factories import sales_team

pytestmark = pytest.mark.django_db
CLOSE = dt.date(2030, 6, 30)


@pytest.fixture
def rep():
    _team, _manager, (rep, _other) = sales_team()
    return rep


def _state():
    return rows_of("customers", "sales", "marketing")


def test_a_company_lead_becomes_customer_contact_and_opportunity(rep):
    lead = make_lead(rep, person_name="李娜", company_name="深圳华星科技有限公司", mobile="13912345678",
                     email="ln@hx.cn", interest="千兆专线")
    result = lead_convert(actor=rep, lead=lead, amount=Decimal("50000"), expected_close_date=CLOSE)
    assert result.customer_created and result.customer.name == "深圳华星科技有限公司"
    assert result.customer.owner == rep and result.customer.kind == "organisation"
    assert result.contact.name == "李娜"
    assert {p.kind for p in result.contact.contact_points.all()} == {"mobile", "email"}
    assert result.opportunity.name == "千兆专线" and result.opportunity.owner == rep
    assert result.opportunity.customer == result.customer and result.opportunity.amount == Decimal("50000")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.customer == result.customer


def test_the_opportunity_keeps_the_campaign_the_lead_came_from(rep):
    campaign = make_campaign(name="春季宽带升级")
    lead = make_lead(rep, person_name="赵敏", mobile="13712345678", campaign=campaign)
    result = lead_convert(actor=rep, lead=lead, name="千兆宽带", amount=Decimal("1200"), expected_close_date=CLOSE)
    assert result.opportunity.campaign == campaign


def test_a_lead_matching_a_customer_is_linked_not_duplicated(rep):
    customer = make_customer(rep, name="王芳", mobile="13800138000")
    lead = make_lead(rep, person_name="王芳", mobile="13800138000")
    result = lead_convert(actor=rep, lead=lead, name="IPTV", amount=100, expected_close_date=CLOSE)
    assert not result.customer_created and result.customer == customer
    assert Customer.objects.count() == 1 and result.contact is None


@pytest.mark.parametrize("status", ["converted", "disqualified"])
def test_a_closed_lead_is_refused_with_nothing_changed(rep, status):
    lead = make_lead(rep)
    if status == "converted":
        lead_convert(actor=rep, lead=lead, amount=1, expected_close_date=CLOSE)
    else:
        lead_disqualify(actor=rep, lead=lead, reason="no_need")
    before = _state()
    with pytest.raises(Conflict):
        lead_convert(actor=rep, lead=lead, amount=1, expected_close_date=CLOSE)
    assert _state() == before


def test_a_failure_in_the_last_step_leaves_nothing(rep, monkeypatch):
    lead = make_lead(rep, company_name="华星", interest="专线")
    before = _state()

    def refuse(**kwargs):
        raise PermissionDenied("no")

    monkeypatch.setattr(conversion, "lead_mark_converted", refuse)
    with pytest.raises(PermissionDenied):
        lead_convert(actor=rep, lead=lead, amount=1, expected_close_date=CLOSE)
    assert _state() == before
    assert not Customer.objects.exists() and not Opportunity.objects.exists() and not Contact.objects.exists()
    assert Lead.objects.get().status == LeadStatus.NEW


def test_someone_else_s_lead_cannot_be_converted(rep):
    _team, _manager, (stranger, _x) = sales_team("另一组")
    lead = make_lead(rep)
    with pytest.raises(PermissionDenied):
        lead_convert(actor=stranger, lead=lead, amount=1, expected_close_date=CLOSE)
    assert not Customer.objects.exists()


def test_the_api_converts_once_then_409(rep):
    lead = make_lead(rep, company_name="华星", interest="专线")
    client = client_for(rep)
    body = {"amount": "1200.50", "expected_close_date": "2030-06-30"}
    response = post_json(client, f"/api/v1/leads/{lead.pk}/convert", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["customer_created"] and data["opportunity"]["amount"] == "1200.50"
    before = _state()
    assert_error_body(post_json(client, f"/api/v1/leads/{lead.pk}/convert", body), 409)
    assert _state() == before


@pytest.mark.parametrize(("extra", "field"), [({"stage": 999999}, "stage"), ({"amount": "-1"}, "amount")])
def test_the_api_refuses_bad_input(rep, extra, field):
    lead = make_lead(rep)
    body = {"amount": "10", "expected_close_date": "2030-06-30", **extra}
    response = post_json(client_for(rep, HTTP_ACCEPT_LANGUAGE="zh-hans"), f"/api/v1/leads/{lead.pk}/convert", body)
    assert_error_body(response, 422, field)
    assert not Customer.objects.exists() and Lead.objects.get().status == LeadStatus.NEW


def test_the_convert_page(rep):
    lead = make_lead(rep, interest="宽带")
    client = Client()
    client.force_login(rep)
    page = client.get(f"/marketing/leads/{lead.pk}/")
    assert f"/sales/leads/{lead.pk}/convert/" in page.content.decode()
    assert client.get(f"/sales/leads/{lead.pk}/convert/").status_code == 200
    response = client.post(f"/sales/leads/{lead.pk}/convert/", {"name": "宽带", "amount": "99",
                                                                 "expected_close_date": "2030-06-30"})
    assert response.status_code == 302
    assert Opportunity.objects.get().name == "宽带"


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_only_those_who_write_the_lead_convert_it(rep, role):
    """The lead belongs to a representative of another team: only administrators convert it (a sales
    manager of another team writes the lead, but may not make a customer for another team's
    representative); everyone else is refused with nothing changed."""
    lead = make_lead(rep, company_name="华星", interest="专线")
    actor = UserFactory(role=role, team=TeamFactory(kind=TeamKind.SALES))
    assert_refused(lambda: lead_convert(actor=actor, lead=lead, amount=1, expected_close_date=CLOSE), _state,
                   PermissionDenied)


def test_an_administrator_converts_anyone_s_lead(rep, admin):
    lead = make_lead(rep, company_name="华星", interest="专线")
    result = lead_convert(actor=admin, lead=lead, amount=1, expected_close_date=CLOSE, owner=rep)
    assert result.opportunity.owner == rep and result.customer.owner == rep
