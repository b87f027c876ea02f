"""Concurrent moves of one case on PostgreSQL (threads on their own connections, let go at once):
of the moves made from the same version exactly one happens, the others get a version conflict and
the case's history has one move."""

import pytest
from django.db import connection

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import race
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_assign, ticket_create, ticket_transition

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]


def test_of_moves_from_the_same_version_exactly_one_happens():
    team = TeamFactory(kind="service")
    agents = [UserFactory(role=Role.TEAM_LEAD, team=team) for _ in range(4)]
    ticket = ticket_create(actor=agents[0], customer=None, data={"subject": "宽带断线", "type": "fault",
                                                                  "channel": "hotline"})
    read = ticket.version
    targets = ["open", "resolved", "pending_customer", "open"]
    outcomes = race([lambda a=a, t=t: ticket_transition(actor=a, ticket=ticket, status=t, reason="等客户",
                                                        expected_version=read)
                     for a, t in zip(agents, targets, strict=True)])
    assert sorted(outcomes) == ["version_conflict"] * 3 + ["won"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.version == read + 1 and fresh.history.filter(history_type="~").count() == 1
    outcomes = race([lambda a=a: ticket_assign(actor=agents[0], ticket=ticket, assignee=a, expected_version=read)
                     for a in agents[1:]])
    assert outcomes == ["version_conflict"] * 3 and not fresh.assignments.exists()
