"""The same SMS reply (and the same IVR key presses) delivered by several threads at once on
PostgreSQL: the survey row lock lets one through, the others find it answered; counted once."""

import threading

import pytest
from django.db import connection, connections

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict

from ..enums import SurveyMode, SurveyStatus
from ..models import Answer, Survey, SurveyResponse
from ..services.channels import survey_answer_by_keys, survey_send
from .factories import QUESTIONS, customer, published_version

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
THREADS = 8


def _race(call):
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(call())
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
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


def test_the_same_ivr_keys_from_many_threads_are_counted_once():
    version = published_version(code="ivr-race", modes=["ivr"], questions=[QUESTIONS[0], QUESTIONS[2]])
    survey = survey_send(actor=SYSTEM, customer=customer(), mode=SurveyMode.IVR, version=version)

    outcomes = _race(lambda: survey_answer_by_keys(survey_id=survey.pk, keys=["5", "9#"]).survey_id)

    assert outcomes.count(survey.pk) == 1 and outcomes.count("answered") == THREADS - 1, outcomes
    assert Answer.objects.filter(response__survey=survey).count() == 2
