"""Only the customer writes customer messages; staff record what a customer said as a note that
says so (kind `recorded`), which resumes a case waiting on the customer like their own message."""

import json

import pytest
from django.test import Client

from guanxi.accounts.access import customer_actor
from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.services.tickets import ticket_create, ticket_message_add, ticket_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))


@pytest.fixture
def case(agent):
    customer = make_customer(UserFactory(role=Role.ADMIN), name="张三")
    return ticket_create(actor=agent, customer=customer,
                         data={"subject": "宽带断线", "type": "fault", "channel": "hotline"})


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_staff_cannot_write_as_the_customer(agent, case):
    with pytest.raises(ValidationFailed):
        ticket_message_add(actor=agent, ticket=case, kind="customer", body="我同意关闭")
    response = api(agent).post(f"/api/v1/tickets/{case.pk}/messages", content_type="application/json",
                               data=json.dumps({"kind": "customer", "body": "我同意关闭"}))
    assert response.status_code == 422 and "kind" in response.json()["fields"]
    assert not case.messages.exists()


def test_the_case_form_offers_no_customer_kind_and_refuses_one_posted(agent, case, client):
    client.force_login(agent)
    page = client.get(f"/service/{case.pk}/").content.decode()
    assert 'value="customer"' not in page and 'value="recorded"' in page
    response = client.post(f"/service/{case.pk}/messages/", {"msg-kind": "customer", "msg-body": "我同意关闭"})
    assert response.status_code == 422 and not case.messages.exists()


def test_what_a_customer_said_is_recorded_as_such_and_resumes_the_case(agent, case, client):
    ticket_transition(actor=agent, ticket=case, status="pending_customer", reason="等客户提供地址")
    response = api(agent).post(f"/api/v1/tickets/{case.pk}/messages", content_type="application/json",
                               data=json.dumps({"kind": "recorded", "body": "客户来电：地址是长安街1号"}))
    assert response.status_code == 201 and response.json()["author"] == str(agent)
    case.refresh_from_db()
    assert case.status == "open"
    client.force_login(agent)
    page = client.get(f"/service/{case.pk}/").content.decode()
    assert "gx-msg-recorded" in page
    assert "客户陈述（员工代录）" in page


def test_the_customers_own_channels_still_write_customer_messages(case):
    message = ticket_message_add(actor=customer_actor(case.customer), ticket=case, kind="customer", body="我同意关闭")
    assert (message.kind, message.author) == ("customer", None)
