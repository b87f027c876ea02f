"""One masking rule for all free text: a case's subject, description, messages and hand-over notes
show phone and ID numbers masked to exactly the roles that see them masked in the customer's
interactions, on the pages, in the API and in search."""

import json

import pytest
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.services.history import interaction_record
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.services.tickets import ticket_assign, ticket_create, ticket_message_add

pytestmark = pytest.mark.django_db
PHONE, ID = "17212342812", "11010519491231002X"
TEXT = f"客户来电 {PHONE}，身份证 {ID}"


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def world():
    team = TeamFactory(kind="service")
    agent, manager = UserFactory(role=Role.AGENT, team=team), UserFactory(role=Role.SERVICE_MANAGER, team=team)
    customer = make_customer(UserFactory(role=Role.ADMIN), name="张三")
    case = ticket_create(actor=agent, customer=customer,
                         data={"subject": f"回拨 {PHONE}", "type": "fault", "channel": "hotline", "description": TEXT})
    ticket_message_add(actor=agent, ticket=case, kind="note", body=TEXT)
    ticket_assign(actor=agent, ticket=case, assignee=manager, note=TEXT)
    interaction = interaction_record(actor=SYSTEM, customer=customer, channel="call", staff=agent, subject=TEXT)
    return {"agent": agent, "manager": manager, "case": case, "customer": customer, "interaction": interaction}


def test_an_agent_sees_the_case_text_masked_everywhere(world, client):
    agent, case = world["agent"], world["case"]
    detail = api(agent).get(f"/api/v1/tickets/{case.pk}").json()
    listed = api(agent).get("/api/v1/tickets").json()
    client.force_login(agent)
    pages = [client.get(f"/service/{case.pk}/").content.decode(),
             client.get("/service/", {"view": "mine"}).content.decode()]
    for shown in [json.dumps(detail, ensure_ascii=False), json.dumps(listed, ensure_ascii=False), *pages]:
        assert PHONE not in shown and ID not in shown and "1949" not in shown
    assert "172****2812" in detail["subject"] and "172****2812" in pages[1]
    # The same text in an interaction is masked the same way: one rule.
    history = api(agent).get(f"/api/v1/customers/{world['customer'].pk}/interactions").json()["items"]
    assert history[0]["subject"] == detail["description"] == detail["messages"][0]["body"]


def test_a_role_that_sees_personal_data_reads_the_case_as_written(world):
    detail = api(world["manager"]).get(f"/api/v1/tickets/{world['case'].pk}").json()
    assert detail["description"] == TEXT and detail["messages"][0]["body"] == TEXT
    assert detail["assignments"][0]["handover_note"] == TEXT


def test_masked_numbers_cannot_be_read_back_by_searching_subjects(world):
    for prefix in ("172", "1721234", "2812"):
        assert api(world["agent"]).get("/api/v1/tickets", {"q": prefix}).json()["count"] == 0
    assert api(world["agent"]).get("/api/v1/tickets", {"q": "回拨"}).json()["count"] == 1
    assert api(world["manager"]).get("/api/v1/tickets", {"q": "1721234"}).json()["count"] == 1


def test_a_case_subject_is_one_line(world):
    response = api(world["agent"]).post("/api/v1/tickets", content_type="application/json", data=json.dumps(
        {"subject": "断网\n请回电", "type": "fault", "channel": "hotline"}))
    assert response.status_code == 422 and "subject" in json.dumps(response.json()["fields"])
