"""Races on PostgreSQL, threads on their own connections, all let go at once: one survey per case under
concurrent closes (the unique constraint on the case decides, the losers send nothing); concurrent SMS
replies and IVR key presses counted once each, none lost (the survey's row lock and the answering
statement's `WHERE status = 'sent'` decide)."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict
from guanxi.integrations.messaging.backends import LocalBackend
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

from ..enums import SurveyMode, SurveyStatus
from ..models import Answer, AnswerCell, RateCell, Survey, SurveyResponse
from ..services.channels import survey_answer_by_keys, survey_send
from ..services.surveys import survey_after_case
from .factories import QUESTIONS, customer, published_version, service_team

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


def _reply_race(calls):
    """Like `_race`, for calls that open their own transaction (the inbound hook) and return a result."""
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
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


def _counted(surveys):
    """What the database counted for `surveys`: responses, answers, snapshot answers, answered rates,
    history rows of the answering."""
    ids = [s.pk for s in surveys]
    cells = AnswerCell.objects.aggregate(n=Sum("n"))["n"] or 0
    return {"responses": SurveyResponse.objects.filter(survey_id__in=ids).count(),
            "answers": Answer.objects.filter(response__survey_id__in=ids).count(), "cells": cells,
            "answered": RateCell.objects.aggregate(n=Sum("answered"))["n"] or 0,
            "answered_history": Survey.history.filter(id__in=ids, status=SurveyStatus.ANSWERED).count(),
            "response_history": SurveyResponse.history.filter(survey_id__in=ids).count()}


def test_concurrent_sms_replies_to_one_survey_count_once():
    version = published_version(code="sms-race", modes=["sms", "ivr"], questions=[QUESTIONS[0], QUESTIONS[2]])
    who = customer(mobile="13900139000")
    survey = survey_send(actor=SYSTEM, customer=who, mode=SurveyMode.SMS, version=version)
    outcomes = _reply_race([lambda: LocalBackend.simulate_reply(phone="13900139000", text="5 4")] * THREADS)
    assert sorted(o.outcome for o in outcomes) == ["duplicate"] * (THREADS - 1) + ["recorded"]
    assert _counted([survey]) == {"responses": 1, "answers": 2, "cells": 2, "answered": 1, "answered_history": 1,
                                  "response_history": 1}
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED
    sent = OutboundMessage.objects.filter(recipient="13900139000").values_list("status", flat=True)
    assert list(sent) == ["sent", "sent"]  # the survey's SMS and one thank-you


def test_concurrent_replies_to_many_surveys_lose_none_and_count_each_once():
    version = published_version(code="sms-many", modes=["sms"], questions=[QUESTIONS[0]])
    people = [customer(name=f"客户{i}", mobile=f"1390013{i:04d}") for i in range(THREADS)]
    surveys = [survey_send(actor=SYSTEM, customer=p, mode=SurveyMode.SMS, version=version) for p in people]
    calls = [lambda p=p: LocalBackend.simulate_reply(phone=p.mobile, text="4") for p in people] * 2
    outcomes = _reply_race(calls)
    assert sorted(o.outcome for o in outcomes) == ["duplicate"] * THREADS + ["recorded"] * THREADS
    assert _counted(surveys) == {"responses": THREADS, "answers": THREADS, "cells": THREADS, "answered": THREADS,
                                 "answered_history": THREADS, "response_history": THREADS}
    assert set(Answer.objects.values_list("score", flat=True)) == {4.0}


def test_concurrent_ivr_key_presses_for_one_survey_count_once():
    version = published_version(code="ivr-race", modes=["ivr"], questions=[QUESTIONS[0]])
    survey = survey_send(actor=SYSTEM, customer=customer(), mode=SurveyMode.IVR, version=version)
    outcomes = _reply_race([lambda: survey_answer_by_keys(survey_id=survey.pk, keys=["5#"])] * THREADS)
    assert outcomes.count("answered") == THREADS - 1
    assert sum(isinstance(o, SurveyResponse) for o in outcomes) == 1
    assert _counted([survey])["responses"] == 1 and _counted([survey])["cells"] == 1
