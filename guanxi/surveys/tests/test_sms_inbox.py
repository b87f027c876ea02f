"""The inbound-SMS inbox: the signed hook only stores a reply (one row, a re-delivered message id once),
the apply counts it once and queues the reply SMS; a crash between accepting and applying, or during
the apply, leaves the row pending for the next run; a reply is judged at the time it was received;
concurrent appliers on PostgreSQL apply each row once."""

import datetime as dt
import json
import threading
import time

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client, override_settings

from guanxi.accounts.access import SYSTEM
from guanxi.integrations.messaging import inbound
from guanxi.integrations.messaging.enums import InboundStatus
from guanxi.integrations.messaging.inbound import sms_inbound_accept, sms_inbound_signature, sms_inbox_apply
from guanxi.integrations.messaging.models import InboundSms, OutboundMessage
from guanxi.integrations.messaging.tasks import inbox_apply

from ..enums import SurveyMode, SurveyStatus
from ..models import Answer, Survey, SurveyResponse
from ..services.channels import survey_send
from .factories import QUESTIONS, customer, published_version

SECRET = "test-secret"
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def _version(code="inbox-1"):
    return published_version(code=code, modes=["sms"], questions=[QUESTIONS[0]])


def _send(who, version):
    return survey_send(actor=SYSTEM, customer=who, mode=SurveyMode.SMS, version=version)


def _post(body: dict, *, timestamp=None):
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return Client().post(
        "/api/v1/sms/inbound",
        data=raw,
        content_type="application/json",
        HTTP_X_GUANXI_TIMESTAMP=stamp,
        HTTP_X_GUANXI_SIGNATURE="sha256=" + sms_inbound_signature(secret=SECRET, timestamp=stamp, body=raw),
    )


@pytest.mark.django_db
@override_settings(SMS_INBOUND_SECRET=SECRET)
def test_the_hook_stores_a_reply_once_and_the_apply_counts_it_once(django_capture_on_commit_callbacks):
    who = customer()
    survey = _send(who, _version())
    with django_capture_on_commit_callbacks(execute=True):
        first = _post({"phone": who.mobile, "text": "4", "message_id": "p-1"})
    assert first.status_code == 200, first.content
    assert first.json() == {"accepted": True, "outcome": "queued", "reply": ""}
    # The provider delivers the same message again (a retry): not stored, nothing applied twice.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = _post({"phone": who.mobile, "text": "4", "message_id": "p-1"})
    assert again.json()["outcome"] == "duplicate" and not callbacks
    row = InboundSms.objects.get()
    assert (row.status, row.outcome, row.message_key) == (InboundStatus.APPLIED, "recorded", "id:p-1")
    assert Answer.objects.get(response__survey=survey).score == 4
    assert "感谢" in OutboundMessage.objects.filter(recipient=who.mobile).latest("id").body
    assert sms_inbox_apply() == 0


@pytest.mark.django_db
@override_settings(SMS_INBOUND_SECRET=SECRET)
def test_the_same_signed_request_delivered_twice_is_stored_once():
    who = customer()
    _send(who, _version())
    stamp = int(time.time())
    assert _post({"phone": who.mobile, "text": "5"}, timestamp=stamp).json()["outcome"] == "queued"
    assert _post({"phone": who.mobile, "text": "5"}, timestamp=stamp).json()["outcome"] == "duplicate"
    assert InboundSms.objects.count() == 1


@pytest.mark.django_db
@override_settings(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize(
    "body, field",
    [({"text": "5"}, "phone"), ({"phone": "1" * 41, "text": "5"}, "phone"),
     ({"phone": "138", "text": "x" * 501}, "text"), ({"phone": "138", "text": 5}, "text"),
     ({"phone": "138", "message_id": ""}, "message_id"), ([1, 2], "body")],
)
def test_the_hook_refuses_bad_fields_and_stores_nothing(body, field):
    response = _post(body)
    assert response.status_code == 422 and field in response.json()["fields"], response.content
    assert not InboundSms.objects.exists()


@pytest.mark.django_db
@override_settings(SMS_INBOUND_SECRET=SECRET)
def test_a_crash_between_accepting_and_applying_leaves_the_reply_pending_for_the_next_run():
    who = customer()
    survey = _send(who, _version())
    # The commit's callbacks never run here: as if the process died right after the hook answered.
    assert _post({"phone": who.mobile, "text": "3", "message_id": "p-9"}).json()["outcome"] == "queued"
    assert InboundSms.objects.get().status == InboundStatus.PENDING
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.SENT and not SurveyResponse.objects.exists()
    assert inbox_apply.apply().get() == 1  # the next run (the beat entry's task)
    assert Answer.objects.get(response__survey=survey).score == 3
    assert InboundSms.objects.get().status == InboundStatus.APPLIED
    assert inbox_apply.apply().get() == 0


@pytest.mark.django_db
def test_a_crash_during_the_apply_rolls_it_back_and_the_next_run_applies_it(monkeypatch):
    who = customer()
    survey = _send(who, _version())
    sms_inbound_accept(phone=who.mobile, text="5", message_key="p-2", apply=False)

    def crash(replies):
        raise SystemExit("killed while applying")

    monkeypatch.setattr(inbound, "_queue_replies", crash)
    with pytest.raises(SystemExit):
        sms_inbox_apply()
    assert InboundSms.objects.get().status == InboundStatus.PENDING
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.SENT and not Answer.objects.exists()
    monkeypatch.undo()
    assert sms_inbox_apply() == 1
    assert SurveyResponse.objects.filter(survey=survey).count() == 1 and Answer.objects.get().score == 5


@pytest.mark.django_db
def test_an_invalid_reply_gets_the_how_to_reply_sms_and_records_nothing():
    who = customer()
    survey = _send(who, _version())
    sms_inbound_accept(phone=who.mobile, text="很好吧", apply=False)
    assert sms_inbox_apply() == 1
    row = InboundSms.objects.get()
    assert (row.status, row.outcome) == (InboundStatus.APPLIED, "invalid") and row.reply
    assert OutboundMessage.objects.filter(recipient=who.mobile).latest("id").body == row.reply
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.SENT and not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_a_failing_handler_fails_its_row_only(monkeypatch):
    version = _version()
    people = [customer(name="甲", mobile="13900000001"), customer(name="乙", mobile="13900000002")]
    for who in people:
        _send(who, version)

    def boom(*, phone, text, now):
        if phone == people[0].mobile:
            raise ValueError("a bug")
        return None

    monkeypatch.setattr(inbound, "_handlers", [("boom", boom), *inbound._handlers])
    for who in people:
        sms_inbound_accept(phone=who.mobile, text="5", apply=False)
    assert sms_inbox_apply() == 2
    rows = {row.phone: row for row in InboundSms.objects.all()}
    assert rows[people[0].mobile].status == InboundStatus.FAILED and "a bug" in rows[people[0].mobile].error
    assert (rows[people[1].mobile].status, rows[people[1].mobile].outcome) == (InboundStatus.APPLIED, "recorded")
    assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db
def test_a_reply_is_judged_at_the_time_it_was_received():
    who = customer()
    with time_machine.travel(NOW, tick=False):
        survey = _send(who, _version())
    expiry = survey.expires_at
    sms_inbound_accept(phone=who.mobile, text="4", now=expiry - dt.timedelta(minutes=1), apply=False)
    with time_machine.travel(expiry + dt.timedelta(hours=1), tick=False):
        assert sms_inbox_apply() == 1  # applied after the expiry, received before it: recorded
    assert InboundSms.objects.get().outcome == "recorded" and Answer.objects.get().score == 4
    late = customer(name="王五", mobile="13800138009")
    with time_machine.travel(NOW, tick=False):
        _send(late, _version("inbox-2"))
    sms_inbound_accept(phone=late.mobile, text="4", now=expiry + dt.timedelta(minutes=1), apply=False)
    assert sms_inbox_apply() == 1
    assert InboundSms.objects.get(phone=late.mobile).outcome == "ignored" and SurveyResponse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent appliers need PostgreSQL")
def test_concurrent_appliers_apply_each_row_once():
    version = _version("inbox-race")
    people = [customer(name=f"客户{i}", mobile=f"1390013{i:04d}") for i in range(10)]
    surveys = [_send(who, version) for who in people]
    for who in people * 2:  # every reply twice, without a message id: two rows each
        sms_inbound_accept(phone=who.mobile, text="4", apply=False)
    barrier, taken = threading.Barrier(4), []

    def applier():
        try:
            barrier.wait()
            taken.append(sms_inbox_apply(batch_size=3))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=applier) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 20, taken
    rows = list(InboundSms.objects.values_list("status", "outcome", "attempts"))
    assert {status for status, _o, _a in rows} == {InboundStatus.APPLIED} and {a for _s, _o, a in rows} == {1}
    assert sorted(outcome for _s, outcome, _a in rows) == ["ignored"] * 10 + ["recorded"] * 10
    assert SurveyResponse.objects.filter(survey__in=surveys).count() == 10
    assert Answer.objects.filter(response__survey__in=surveys).count() == 10
    thanks = InboundSms.objects.filter(outcome="recorded").values_list("reply", flat=True).first()
    assert thanks and OutboundMessage.objects.filter(body=thanks).count() == 10  # one thank-you per survey
