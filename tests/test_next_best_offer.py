"""The next-best offer reaches the pages that serve a customer: the 360 and the case page, through
the customers offer registry, with the reason in the reader's language."""

import pytest
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.offers.services import offer_model_train
from guanxi.offers.tests.factories import offer_world
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_customers_offers_with_feedback_buttons(admin):
    target = offer_world(admin)["target"]
    offer_model_train(actor=SYSTEM, seed=3)
    agent = UserFactory(role=Role.AGENT)
    case = ticket_create(actor=agent, customer=target,
                         data={"subject": "宽带故障", "type": "fault", "channel": "hotline"})
    client = Client()
    client.force_login(agent)
    page = client.get(f"/service/{case.pk}/").content.decode()
    assert 'id="offers"' in page and "持有宽带 500M，未持有魔百和 IPTV：" in page and "gx-offer-feedback" in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(agent)
    assert "Holds 宽带 500M, not 魔百和 IPTV: " in english.get(f"/service/{case.pk}/").content.decode()


def test_a_case_without_a_customer_shows_no_offer_card(admin):
    offer_model_train(actor=SYSTEM, seed=3)
    agent = UserFactory(role=Role.AGENT)
    case = ticket_create(actor=agent, customer=None, data={"subject": "咨询", "type": "consultation",
                                                           "channel": "hotline"})
    client = Client()
    client.force_login(agent)
    assert 'id="offers"' not in client.get(f"/service/{case.pk}/").content.decode()
