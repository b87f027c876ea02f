"""One survey per case under concurrent closes on PostgreSQL: threads on their own connections, all
let go at once; the unique constraint on the case decides, the losers send nothing."""

import threading

import pytest
from django.db import connection, connections, transaction

from guanxi.core.errors import Conflict
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

from ..models import Survey
from ..services.surveys import survey_after_case
from .factories import customer, published_version, service_team

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
THREADS = 6


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            with transaction.atomic():
                outcomes.append(call())
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _resolved_case(agent, who):
    case = ticket_create(actor=agent, customer=who, data={"subject": "宽带无法上网", "type": "query",
                                                          "channel": "hotline"})
    return ticket_transition(actor=agent, ticket=case, status="resolved")


def test_concurrent_triggers_for_one_case_make_one_survey():
    _team, agent, _manager = service_team()
    case = _resolved_case(agent, customer())
    ticket_transition(actor=agent, ticket=case, status="closed")  # nothing published yet: no survey
    published_version()
    outcomes = _race([lambda: survey_after_case(ticket=Ticket.objects.get(pk=case.pk))] * THREADS)
    assert sum(isinstance(o, Survey) for o in outcomes) == 1 and outcomes.count(None) == THREADS - 1
    assert Survey.objects.filter(ticket=case).count() == 1 and OutboundMessage.objects.count() == 1


def test_concurrent_closes_of_one_case_make_one_survey():
    published_version()
    _team, agent, manager = service_team()
    case = _resolved_case(agent, customer())
    closers = [agent, manager] * (THREADS // 2)
    outcomes = _race([lambda who=who: ticket_transition(actor=who, ticket=case, status="closed")
                      for who in closers])
    assert outcomes.count("invalid_transition") == THREADS - 1
    assert Survey.objects.filter(ticket=case).count() == 1 and OutboundMessage.objects.count() == 1
