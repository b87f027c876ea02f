import json
import time

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for
from guanxi.customers.models import Interaction
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Call, CtiEvent
from guanxi.servicedesk.services.cti import cti_signature

pytestmark = pytest.mark.django_db
URL = "/api/v1/cti/events"
SECRET = "test-cti-secret"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.CTI_SHARED_SECRET = SECRET


def send(event: dict, *, secret=SECRET, timestamp=None, tamper=False):
    body = json.dumps(event).encode()
    ts = str(int(timestamp if timestamp is not None else time.time()))
    signature = cti_signature(secret=secret, timestamp=ts, body=body)
    if tamper:
        body = body.replace(b"c-1", b"c-2")
    return Client().post(URL, data=body, content_type="application/json",
                         HTTP_X_GUANXI_SIGNATURE=f"sha256={signature}", HTTP_X_GUANXI_TIMESTAMP=ts)


def call_events(agent):
    return [
        {"event_id": "e1", "type": "call_started", "call_id": "c-1", "caller": "+86 138-0013-8000",
         "agent": agent.username},
        {"event_id": "e2", "type": "ivr_key", "call_id": "c-1", "key": "2"},
        {"event_id": "e3", "type": "call_answered", "call_id": "c-1", "agent": agent.username},
        {"event_id": "e4", "type": "call_ended", "call_id": "c-1"},
    ]


def test_a_call_pops_the_customer_and_ends_as_an_interaction():
    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    customer = make_customer(admin, name="来电客户", mobile="13800138000")
    started, *rest = call_events(agent)
    assert send(started).json() == {"accepted": True, "duplicate": False}
    pop = client_for(agent).get("/api/v1/cti/pop").json()
    assert pop["customer"]["id"] == customer.pk and pop["caller"] == "+86 138-****-8000"
    for event in rest:
        assert send(event).status_code == 200
    call = Call.objects.get(call_id="c-1")
    assert (call.status, call.ivr_keys, call.agent) == ("ended", "2", agent)
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.channel == "call" and interaction.staff == agent
    assert (interaction.subject, interaction.content) == ("", "IVR: 2")  # no English text in the history
    assert client_for(agent).get("/api/v1/cti/pop").status_code == 204


def test_replayed_events_have_no_second_effect():
    agent = UserFactory(role=Role.AGENT)
    make_customer(UserFactory(role=Role.ADMIN), mobile="13800138000")
    for event in call_events(agent):
        send(event)
    for event in call_events(agent):
        assert send(event).json()["duplicate"] is True
    assert (CtiEvent.objects.count(), Interaction.objects.count()) == (4, 1)


@pytest.mark.parametrize("how", ["wrong_secret", "tampered", "stale", "unsigned"])
def test_badly_signed_or_stale_events_are_refused_without_side_effects(how):
    event = call_events(UserFactory(role=Role.AGENT))[0]
    if how == "unsigned":
        response = Client().post(URL, data=json.dumps(event), content_type="application/json")
    else:
        response = send(event, secret="nope" if how == "wrong_secret" else SECRET,
                        timestamp=time.time() - 3600 if how == "stale" else None, tamper=how == "tampered")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "message", "fields"}
    assert not CtiEvent.objects.exists() and not Call.objects.exists()


def test_unknown_event_type_is_422_and_writes_nothing():
    response = send({"event_id": "x", "type": "fax_received", "call_id": "c-9"})
    assert response.status_code == 422
    assert not CtiEvent.objects.exists()


def test_screen_pop_page_shows_the_caller_masked_to_the_agent():
    agent = UserFactory(role=Role.AGENT)
    make_customer(UserFactory(role=Role.ADMIN), name="弹屏客户", mobile="13800138000")
    send(call_events(agent)[0])
    client = Client()
    client.force_login(agent)
    page = client.get("/service/calls/pop/").content.decode()
    assert "弹屏客户" in page and "138****8000" in page and "13800138000" not in page
    other = Client()
    other.force_login(UserFactory(role=Role.AGENT))
    assert "弹屏客户" not in other.get("/service/calls/pop/").content.decode()
