"""The same SMS reply (and the same IVR key presses) delivered by several threads at once on
PostgreSQL: the survey row lock lets one through, the others find it answered; counted once — the
response, its answers, the snapshot's cells and rate, the history rows. Replies to many surveys at once:
none lost."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict

from ..enums import SurveyMode, SurveyStatus
from ..models import Answer, AnswerCell, RateCell, Survey, SurveyResponse
from ..services.channels import survey_answer_by_keys, survey_send
from .factories import QUESTIONS, customer, published_version

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
THREADS = 8


def _race(call, calls=None):
    """`call` from THREADS threads (or each of `calls` from a thread of its own), all let go at once."""
    calls = calls or [call] * THREADS
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

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_the_same_sms_reply_from_many_threads_is_counted_once():
    from guanxi.integrations.messaging.inbound import sms_inbound_receive

    version = published_version(code="sms-race", modes=["sms"], questions=[QUESTIONS[0]])
    who = customer()
    survey = survey_send(actor=SYSTEM, customer=who, mode=SurveyMode.SMS, version=version)

    outcomes = _race(lambda: sms_inbound_receive(phone=who.mobile, text="4").outcome)

    assert len(outcomes) == THREADS and outcomes.count("recorded") == 1, outcomes
    assert set(outcomes) <= {"recorded", "duplicate", "ignored"}
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 1
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.ANSWERED
    assert _counted([survey]) == {"cells": 1, "answered": 1, "answered_history": 1, "response_history": 1}


def test_the_same_ivr_keys_from_many_threads_are_counted_once():
    version = published_version(code="ivr-race", modes=["ivr"], questions=[QUESTIONS[0], QUESTIONS[2]])
    survey = survey_send(actor=SYSTEM, customer=customer(), mode=SurveyMode.IVR, version=version)

    outcomes = _race(lambda: survey_answer_by_keys(survey_id=survey.pk, keys=["5", "9#"]).survey_id)

    assert outcomes.count(survey.pk) == 1 and outcomes.count("answered") == THREADS - 1, outcomes
    assert Answer.objects.filter(response__survey=survey).count() == 2
    assert _counted([survey]) == {"cells": 2, "answered": 1, "answered_history": 1, "response_history": 1}


def _counted(surveys) -> dict:
    """The snapshot's answers and answered surveys, and the history rows of the answering."""
    ids = [s.pk for s in surveys]
    return {"cells": AnswerCell.objects.aggregate(n=Sum("n"))["n"] or 0,
            "answered": RateCell.objects.aggregate(n=Sum("answered"))["n"] or 0,
            "answered_history": Survey.history.filter(id__in=ids, status=SurveyStatus.ANSWERED).count(),
            "response_history": SurveyResponse.history.filter(survey_id__in=ids).count()}


def test_replies_to_many_surveys_at_once_lose_none_and_count_each_once():
    from guanxi.integrations.messaging.inbound import sms_inbound_receive

    version = published_version(code="sms-many", modes=["sms"], questions=[QUESTIONS[0]])
    people = [customer(name=f"客户{i}", mobile=f"1390013{i:04d}") for i in range(THREADS // 2)]
    surveys = [survey_send(actor=SYSTEM, customer=p, mode=SurveyMode.SMS, version=version) for p in people]

    outcomes = _race(None, [lambda p=p: sms_inbound_receive(phone=p.mobile, text="4").outcome for p in people] * 2)

    assert outcomes.count("recorded") == len(people) and set(outcomes) <= {"recorded", "duplicate", "ignored"}
    assert SurveyResponse.objects.filter(survey__in=surveys).count() == len(people)
    assert sorted(Answer.objects.values_list("score", flat=True)) == [4.0] * len(people)
    assert _counted(surveys) == {"cells": len(people), "answered": len(people), "answered_history": len(people),
                                 "response_history": len(people)}
