"""Customer 360 brings every module's events into one timeline, with personal data masked."""

import datetime as dt
import json

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for
from guanxi.customers.services.history import interaction_record
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Callback
from guanxi.servicedesk.services.callbacks import callback_record
from guanxi.servicedesk.services.sweep import clocks_sweep
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition
from guanxi.servicedesk.tests.factories import make_standard, office_calendar
from guanxi.warranty.services import warranty_decide
from guanxi.warranty.tests.factories import make_sale

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def at(d, hh):
    return dt.datetime(2026, 3, d, hh, tzinfo=SH)


def test_360_merges_interactions_cases_pauses_breaches_callbacks_and_warranty_decisions():
    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    customer = make_customer(admin, name="全景客户", mobile="13800138000", arpu="620")
    make_standard(admin, office_calendar(admin), metric="fault_repair", target_minutes=60)
    with time_machine.travel(at(2, 9), tick=False):  # recorded just after it happened, whatever today is
        interaction_record(actor=agent, customer=customer, channel="call", occurred_at=at(2, 8), subject="来电咨询")
    with time_machine.travel(at(2, 9), tick=False):
        case = ticket_create(actor=agent, customer=customer,
                             data={"subject": "手机故障", "type": "fault", "channel": "hotline"})
    with time_machine.travel(at(2, 10), tick=False):
        ticket_transition(actor=agent, ticket=case, status="pending_customer", reason="等客户送修")
    with time_machine.travel(at(3, 9), tick=False):
        ticket_transition(actor=agent, ticket=case, status="open")
    clocks_sweep(actor=SYSTEM, now=at(3, 11))
    with time_machine.travel(at(3, 12), tick=False):
        ticket_transition(actor=agent, ticket=case, status="resolved")
    with time_machine.travel(at(4, 10), tick=False):
        callback_record(actor=agent, callback=Callback.objects.get(ticket=case), outcome="satisfied")
    with time_machine.travel(at(5, 9), tick=False):
        sale = make_sale(agent, customer=customer, sold_at=dt.date(2026, 3, 1))
    with time_machine.travel(at(5, 10), tick=False):
        warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=dt.date(2026, 3, 5),
                        customer_wants=None, stock_available=True)

    body = client_for(agent).get(f"/api/v1/customers/{customer.pk}/360").json()
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["warranty_decision", "callback", "ticket_resolved", "clock_breached", "clock_paused",
                     "ticket_opened", "interaction"]
    assert [e["at"] for e in body["timeline"]] == sorted((e["at"] for e in body["timeline"]), reverse=True)
    assert body["value"]["tier"] == "vip" and body["next_best_offers"] == []
    assert "13800138000" not in json.dumps(body)  # the agent sees personal data masked


def test_360_is_scoped_like_the_customer():
    owner, intruder = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    customer = make_customer(owner)
    assert client_for(intruder).get(f"/api/v1/customers/{customer.pk}/360").status_code == 404
    assert client_for(owner).get(f"/api/v1/customers/{customer.pk}/360").status_code == 200


def test_customer_page_timeline_fragment():
    from django.test import Client

    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    customer = make_customer(admin, name="时间线客户")
    ticket_create(actor=agent, customer=customer, data={"subject": "宽带报修", "type": "fault", "channel": "web"})
    client = Client()
    client.force_login(agent)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "宽带报修" in page and "gx-timeline-ticket_opened" in page  # the newest events come with the page
    fragment = client.get(f"/customers/{customer.pk}/timeline/").content.decode()
    assert "宽带报修" in fragment and "gx-timeline-ticket_opened" in fragment
