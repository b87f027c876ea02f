"""The case page's status buttons and forms carry the version they showed: a click made on a page older
than the case changes nothing and says what changed, with the current values."""

import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.servicedesk.enums import TicketStatus
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

pytestmark = pytest.mark.django_db


def test_a_click_on_an_older_page_shows_the_change_and_changes_nothing(client):
    team = TeamFactory(kind="service")
    agent, lead = UserFactory(role=Role.AGENT, team=team), UserFactory(role=Role.TEAM_LEAD, team=team)
    ticket = ticket_create(actor=agent, customer=None, data={"subject": "宽带断线", "type": "fault",
                                                             "channel": "hotline"})
    client.force_login(agent)
    page = client.get(reverse("servicedesk:detail", args=[ticket.pk])).content.decode()
    assert f'name="tr-version" value="{ticket.version}"' in page
    assert f'name="asg-version" value="{ticket.version}"' in page
    ticket_transition(actor=lead, ticket=ticket, status="resolved")

    response = client.post(reverse("servicedesk:transition", args=[ticket.pk]),
                           {"tr-status": "open", "tr-version": ticket.version}, follow=True)
    body = response.content.decode()
    assert "已被他人修改" in body and "状态：已解决" in body
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED
