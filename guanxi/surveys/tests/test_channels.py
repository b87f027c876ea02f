"""Survey channels: SMS (questions sent, replies matched to the phone's outstanding survey, words and
full-width digits, bad replies answered and not recorded, TD opting out of surveys and marketing), the
signed inbound-SMS hook and the local backend's simulated reply, IVR key presses as signed CTI events
(unknown, finished, bad keys refused) and the e-mail invitation in Chinese and English."""

import datetime as dt
import json
import time

import pytest
import time_machine
from django.test import Client, override_settings

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, DomainError, ValidationFailed
from guanxi.integrations.messaging.backends import LocalBackend
from guanxi.integrations.messaging.inbound import sms_inbound_signature
from guanxi.integrations.messaging.models import InboundSms, OutboundMessage
from guanxi.marketing.models import MarketingOptOut
from guanxi.servicedesk.services.cti import cti_signature

from ..enums import QuestionType, SurveyMode, SurveyStatus
from ..models import Answer, Survey, SurveyOptOut, SurveyResponse
from ..services.channels import survey_send
from ..services.surveys import survey_by_token
from .factories import QUESTIONS, closed_case, customer, published_version, service_team

pytestmark = pytest.mark.django_db
SECRET = "test-secret"
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def sms_version():
    return published_version(code="sms-1", modes=["sms", "ivr"], questions=[QUESTIONS[0]])


@pytest.fixture
def two_questions():
    return published_version(code="sms-2", modes=["sms", "ivr"], questions=[QUESTIONS[0], QUESTIONS[2]])


def _send(who, version, mode=SurveyMode.SMS, **kwargs):
    return survey_send(actor=SYSTEM, customer=who, mode=mode, version=version, **kwargs)


def _reply(phone, text):
    return LocalBackend.simulate_reply(phone=phone, text=text)


def _last_to(recipient):
    return OutboundMessage.objects.filter(recipient=recipient).latest("id")


# ---------------------------------------------------------------- SMS


def test_sms_survey_carries_its_question_and_how_to_reply(sms_version):
    who = customer()
    _send(who, sms_version)
    body = _last_to(who.mobile).body
    assert "您对本次服务总体满意吗？" in body and "1–5" in body and "TD" in body
    assert "reply" not in body.lower()


def test_a_digit_reply_answers_once_and_thanks(sms_version, django_capture_on_commit_callbacks):
    who = customer()
    survey = _send(who, sms_version)
    with django_capture_on_commit_callbacks(execute=True):
        result = _reply("+86 138-0013-8000", "５分。")
    assert result.outcome == "recorded"
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED and survey.response.mode == SurveyMode.SMS
    assert Answer.objects.get(response__survey=survey).score == 5
    assert "感谢" in _last_to(who.mobile).body
    # The same reply again: nothing outstanding, nothing recorded twice, no reply.
    again = _reply(who.mobile, "5")
    assert again.outcome == "ignored" and SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(("word", "score"), [("满意", 4), ("不满意", 2), ("非常满意", 5), ("Dissatisfied", 2)])
def test_a_word_reply_is_scored_on_the_scale(sms_version, word, score):
    who = customer()
    _send(who, sms_version)
    assert _reply(who.mobile, word).outcome == "recorded"
    assert Answer.objects.get().score == score


@pytest.mark.parametrize("text", ["6", "0", "abc", "", "   ", "5 4", "很好吧", "1.5"])
def test_a_reply_that_answers_nothing_gets_a_clear_reply_and_records_nothing(sms_version, text):
    who = customer()
    survey = _send(who, sms_version)
    sent = OutboundMessage.objects.count()
    result = _reply(who.mobile, text)
    assert result.outcome == "invalid"
    assert "未能识别" in result.reply and "1–5" in result.reply
    assert OutboundMessage.objects.count() == sent + 1 and _last_to(who.mobile).body == result.reply
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT and not SurveyResponse.objects.exists()
    # …and the survey can still be answered afterwards.
    assert _reply(who.mobile, "3").outcome == "recorded"


def test_several_questions_are_answered_in_order(two_questions):
    who = customer()
    _send(who, two_questions)
    assert "1. " in _last_to(who.mobile).body and "0–10" in _last_to(who.mobile).body
    assert _reply(who.mobile, "5").outcome == "invalid"
    assert _reply(who.mobile, "4，9").outcome == "recorded"
    assert sorted(Answer.objects.values_list("score", flat=True)) == [4, 9]


CHANNELS = {"type": QuestionType.MULTIPLE, "text_zh": "您用过哪些渠道？", "text_en": "Which channels did you use?",
            "options": [{"value": "hotline", "zh": "热线", "en": "Hotline"}, {"value": "app", "zh": "App", "en": "App"},
                        {"value": "shop", "zh": "营业厅", "en": "Shop"}]}
REMARKS = {**QUESTIONS[4], "is_required": True}


@pytest.mark.parametrize(("text", "chosen"), [("1 3", ["hotline", "shop"]), ("1,3", ["hotline", "shop"]),
                                               ("３、1。", ["shop", "hotline"]), ("热线", ["hotline"])])
def test_an_sms_reply_answers_a_multiple_choice(text, chosen):
    version = published_version(code="sms-multi", modes=["sms", "ivr"], questions=[CHANNELS])
    who = customer()
    _send(who, version)
    assert "1=热线" in _last_to(who.mobile).body and "1 3" in _last_to(who.mobile).body
    assert _reply(who.mobile, text).outcome == "recorded"
    assert Answer.objects.get().raw == chosen


def test_an_sms_reply_answers_ratings_choices_and_free_text_in_order():
    version = published_version(code="sms-mixed", modes=["sms"], questions=[QUESTIONS[0], CHANNELS, REMARKS])
    who = customer()
    _send(who, version)
    assert "；" in _last_to(who.mobile).body and "您用过哪些渠道？" in _last_to(who.mobile).body
    assert "其他意见" in _last_to(who.mobile).body
    assert _reply(who.mobile, "4；1 2；师傅 很耐心").outcome == "recorded"
    answers = {a.question.order: a.raw for a in Answer.objects.all()}
    assert answers == {1: 4, 2: ["hotline", "app"], 3: "师傅 很耐心"}


def test_a_free_text_word_reply_is_recorded_as_written():
    version = published_version(code="sms-text", modes=["sms"], questions=[QUESTIONS[0], REMARKS])
    who = customer()
    _send(who, version)
    assert _reply(who.mobile, "5 服务很好，谢谢！").outcome == "recorded"
    assert {a.question.order: a.raw for a in Answer.objects.all()} == {1: 5, 2: "服务很好，谢谢！"}


@pytest.mark.parametrize("text", ["4", "4；1 9；好", "4；；好", "9；1；好", "4；1；", "4；x；好", "4 1 好"])
def test_a_mixed_reply_that_answers_nothing_records_nothing(text):
    version = published_version(code="sms-bad", modes=["sms"], questions=[QUESTIONS[0], CHANNELS, REMARKS])
    who = customer()
    survey = _send(who, version)
    result = _reply(who.mobile, text)
    assert result.outcome == "invalid", text
    assert "未能识别" in result.reply and "；" in result.reply and _last_to(who.mobile).body == result.reply
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT and not SurveyResponse.objects.exists() and not Answer.objects.exists()


def test_the_reply_answers_the_latest_unexpired_survey_of_that_phone(sms_version):
    who = customer()
    with time_machine.travel(NOW - dt.timedelta(days=20), tick=False):
        old_expired = _send(who, sms_version)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        older = _send(who, sms_version)
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        latest = _send(who, sms_version)
    with time_machine.travel(NOW, tick=False):
        assert _reply(who.mobile, "4").outcome == "recorded"
        assert _reply(who.mobile, "2").outcome == "recorded"
        assert _reply(who.mobile, "1").outcome == "ignored"
    scores = {s.pk: s.response.answers.get().score for s in Survey.objects.filter(status=SurveyStatus.ANSWERED)}
    assert scores == {latest.pk: 4, older.pk: 2} and old_expired.pk not in scores


def test_unknown_phone_and_web_surveys_are_not_answered_by_sms(sms_version):
    who = customer()
    _send(who, sms_version, mode=SurveyMode.EMAIL) if who.email else None
    assert _reply("13900000000", "5").outcome == "ignored"
    assert _reply(who.mobile, "5").outcome == "ignored"
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("word", ["TD", "td", "退订", "STOP"])
def test_an_opt_out_word_opts_out_of_surveys_and_marketing(sms_version, word):
    who = customer()
    survey = _send(who, sms_version)
    result = _reply(who.mobile, word)
    assert result.outcome == "opted_out" and "不再" in result.reply
    assert SurveyOptOut.objects.filter(customer=who).exists()
    assert MarketingOptOut.objects.filter(customer=who, channel="sms").exists()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT and not SurveyResponse.objects.exists()
    with pytest.raises(Conflict):
        _send(who, sms_version)


def test_sending_needs_a_mobile_and_keyed_questions(sms_version):
    who = customer(mobile="", email="a@example.com")
    with pytest.raises(ValidationFailed):
        _send(who, sms_version)
    text_only = published_version(
        code="text-only",
        modes=["web"],
        questions=[{"type": QuestionType.TEXT, "text_zh": "意见", "text_en": "Comments"}],
    )
    with pytest.raises(ValidationFailed):  # free text cannot be keyed on the IVR (SMS carries it)
        _send(customer(name="王五", mobile="13800138009"), text_only, mode=SurveyMode.IVR)
    assert not Survey.objects.exists()


# ---------------------------------------------------------------- the signed hook


def _signed_post(url, body: dict, *, secret=SECRET, timestamp=None, signature=None):
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = signature or "sha256=" + sms_inbound_signature(secret=secret, timestamp=timestamp, body=raw)
    return Client().post(
        url,
        data=raw,
        content_type="application/json",
        HTTP_X_GUANXI_TIMESTAMP=timestamp,
        HTTP_X_GUANXI_SIGNATURE=signature,
    )


@override_settings(SMS_INBOUND_SECRET=SECRET)
def test_the_inbound_hook_records_a_signed_reply(sms_version, django_capture_on_commit_callbacks):
    who = customer()
    _send(who, sms_version)
    # The hook stores the reply and answers; the apply after its commit records it (see test_sms_inbox).
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_post("/api/v1/sms/inbound", {"phone": who.mobile, "text": "4"})
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "queued" and Answer.objects.get().score == 4
    with django_capture_on_commit_callbacks(execute=True):
        bad = _signed_post("/api/v1/sms/inbound", {"phone": who.mobile, "text": "x"})
    assert bad.json()["outcome"] == "queued" and Answer.objects.count() == 1
    assert list(InboundSms.objects.order_by("id").values_list("outcome", flat=True)) == ["recorded", "ignored"]


@override_settings(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize("case", ["forged", "wrong_secret", "stale", "unsigned"])
def test_the_inbound_hook_refuses_unsigned_forged_or_stale_replies(sms_version, case):
    who = customer()
    _send(who, sms_version)
    body = {"phone": who.mobile, "text": "5"}
    if case == "unsigned":
        response = Client().post("/api/v1/sms/inbound", data=json.dumps(body), content_type="application/json")
        assert response.status_code in (401, 403)
    else:
        kwargs = {
            "forged": {"signature": "sha256=00"},
            "wrong_secret": {"secret": "other"},
            "stale": {"timestamp": int(time.time()) - 3600},
        }[case]
        response = _signed_post("/api/v1/sms/inbound", body, **kwargs)
        assert response.status_code == 403
        assert response.json()["code"] in ("bad_signature", "stale_event")
    assert not SurveyResponse.objects.exists()


@override_settings(SMS_INBOUND_SECRET="")
def test_the_inbound_hook_is_closed_without_a_secret(sms_version):
    response = _signed_post("/api/v1/sms/inbound", {"phone": "13800138000", "text": "5"}, secret="x")
    assert response.status_code == 403 and response.json()["code"] == "sms_inbound_disabled"


# ---------------------------------------------------------------- IVR


def _keys(body: dict, *, secret=SECRET, signature=None):
    raw = json.dumps(body).encode()
    timestamp = str(int(time.time()))
    signature = signature or "sha256=" + cti_signature(secret=secret, timestamp=timestamp, body=raw)
    return Client().post(
        "/api/v1/survey-channels/ivr/keys",
        data=raw,
        content_type="application/json",
        HTTP_X_GUANXI_TIMESTAMP=timestamp,
        HTTP_X_GUANXI_SIGNATURE=signature,
    )


@override_settings(CTI_SHARED_SECRET=SECRET)
def test_ivr_key_presses_are_recorded_once(two_questions):
    survey = _send(customer(), two_questions, mode=SurveyMode.IVR)
    assert not OutboundMessage.objects.exists()  # the call-center plays it
    response = _keys({"event_id": "e1", "survey_id": survey.pk, "keys": ["5", "10#"]})
    assert response.status_code == 200, response.content
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED and survey.response.mode == SurveyMode.IVR
    assert sorted(Answer.objects.values_list("score", flat=True)) == [5, 10]
    again = _keys({"event_id": "e2", "survey_id": survey.pk, "keys": ["1", "1"]})
    assert again.status_code == 409 and again.json()["code"] == "answered"
    assert "已" in again.json()["message"]
    assert Answer.objects.count() == 2


@override_settings(CTI_SHARED_SECRET=SECRET)
@pytest.mark.parametrize(("keys", "chosen"), [
    (["4", "13#"], ["hotline", "shop"]), (["4#", "2*1#"], ["app", "hotline"])])
def test_ivr_key_presses_answer_a_multiple_choice_and_leave_free_text_out(keys, chosen):
    version = published_version(code="ivr-multi", modes=["ivr", "web"], questions=[QUESTIONS[0], CHANNELS])
    version_with_text = published_version(code="ivr-text", modes=["web"], questions=[QUESTIONS[0], CHANNELS,
                                                                                      QUESTIONS[4]])
    for number, carried in enumerate((version, version_with_text)):
        survey = _send(customer(mobile=f"1380013800{number}"), carried, mode=SurveyMode.IVR)
        response = _keys({"event_id": f"e{number}", "survey_id": survey.pk, "keys": keys})
        assert response.status_code == 200, response.content
        assert {a.question.order: a.raw for a in Answer.objects.filter(response__survey=survey)} == {1: 4, 2: chosen}
    refused = _send(customer(mobile="13800138009"), version, mode=SurveyMode.IVR)
    for bad in (["4", "14#"], ["4", "#"], ["4", "1", "好"], ["4", "0"]):
        assert _keys({"event_id": "e9", "survey_id": refused.pk, "keys": bad}).status_code == 422, bad
    assert not SurveyResponse.objects.filter(survey=refused).exists()


def test_the_design_check_refuses_free_text_for_the_ivr_and_allows_it_by_sms():
    with pytest.raises(DomainError):
        published_version(code="ivr-text", modes=["ivr"], questions=[QUESTIONS[0], QUESTIONS[4]])
    assert published_version(code="sms-text", modes=["sms"], questions=[QUESTIONS[0], QUESTIONS[4]])


@override_settings(CTI_SHARED_SECRET=SECRET)
def test_ivr_refuses_unknown_expired_non_ivr_surveys_and_bad_keys(two_questions):
    who = customer()
    unknown = _keys({"event_id": "e1", "survey_id": 987654, "keys": ["5", "9"]})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_survey"
    sms = _send(who, two_questions)
    assert _keys({"event_id": "e2", "survey_id": sms.pk, "keys": ["5", "9"]}).status_code == 409
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        expired = _send(who, two_questions, mode=SurveyMode.IVR)
    gone = _keys({"event_id": "e3", "survey_id": expired.pk, "keys": ["5", "9"]})
    assert gone.status_code == 409 and gone.json()["code"] == "expired"
    live = _send(who, two_questions, mode=SurveyMode.IVR)
    for keys in (["6", "9"], ["5"], ["5", "11"], ["*", "9"], []):
        bad = _keys({"event_id": "e4", "survey_id": live.pk, "keys": keys})
        assert bad.status_code == 422, (keys, bad.content)
    forged = _keys({"event_id": "e5", "survey_id": live.pk, "keys": ["5", "9"]}, secret="other")
    assert forged.status_code == 403
    assert not SurveyResponse.objects.exists()


# ---------------------------------------------------------------- e-mail and the send endpoint


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "您好"), ("en", "Dear")])
def test_the_email_invitation_carries_a_working_link_in_the_survey_language(sms_version, language, expected):
    who = customer(email="li@example.com")
    survey = _send(who, sms_version, mode=SurveyMode.EMAIL, language=language)
    message = _last_to("li@example.com")
    assert message.channel == "email" and expected in message.body and who.name in message.body
    assert ("服务满意度调查" if language == "zh-hans" else "Service survey") in message.subject
    token = message.body.split("/s/", 1)[1].split()[0].strip("/")
    assert survey_by_token(token) == survey


def test_the_send_endpoint_is_for_managers_and_sends_nothing_when_refused(sms_version):
    from guanxi.core.testing import client_for, post_json

    who = customer()
    agent = UserFactory(role=Role.AGENT)
    refused = post_json(client_for(agent), "/api/v1/survey-channels/send", {"customer_id": who.pk, "mode": "sms"})
    assert refused.status_code == 403 and not Survey.objects.exists() and not OutboundMessage.objects.exists()
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    bad = post_json(client_for(manager), "/api/v1/survey-channels/send", {"customer_id": who.pk, "mode": "fax"})
    assert bad.status_code == 422 and not Survey.objects.exists()
    sent = post_json(
        client_for(manager),
        "/api/v1/survey-channels/send",
        {"customer_id": who.pk, "mode": "sms", "version_id": sms_version.pk},
    )
    assert sent.status_code == 201, sent.content
    assert Survey.objects.get().mode == "sms" and OutboundMessage.objects.filter(channel="sms").count() == 1


# ---------------------------------------------------------------- sending by hand from the survey pages


def test_a_manager_sends_a_survey_for_a_closed_case_or_a_mobile_from_the_survey_list():
    _team, agent, manager = service_team()
    case = closed_case(agent, customer())  # no questionnaire published yet: no survey after the case
    version = published_version(code="sms-1", modes=["sms", "ivr", "web"], questions=[QUESTIONS[0]])
    page = client_for_page(manager).get("/surveys/")
    assert 'id="gx-survey-send"' in page.content.decode() and "发送调查" in page.content.decode()
    assert 'id="gx-survey-send"' not in client_for_page(agent).get("/surveys/").content.decode()
    sent = client_for_page(manager).post("/surveys/send/", {"case_number": case.number, "mode": "sms"})
    survey = Survey.objects.get(ticket=case)
    assert sent.status_code == 302 and sent["Location"] == f"/surveys/{survey.pk}/"
    assert survey.mode == SurveyMode.SMS and survey.version == version
    assert "您对本次服务总体满意吗？" in _last_to(case.customer.mobile).body
    again = client_for_page(manager).post("/surveys/send/", {"case_number": case.number, "mode": "sms"}, follow=True)
    assert "已有" in again.content.decode() and Survey.objects.filter(ticket=case).count() == 1
    other = customer("王五", mobile="13900139000")
    by_mobile = client_for_page(manager).post("/surveys/send/", {"mobile": "139 0013 9000", "mode": "ivr"})
    assert by_mobile.status_code == 302 and Survey.objects.get(customer=other).mode == SurveyMode.IVR
    unknown = client_for_page(manager).post("/surveys/send/", {"case_number": "NOPE", "mode": "sms"}, follow=True)
    assert "没有此编号的工单" in unknown.content.decode()
    refused = client_for_page(agent).post("/surveys/send/", {"mobile": "13900139000", "mode": "sms"})
    assert refused.status_code == 403 and Survey.objects.count() == 2


def client_for_page(user):
    client = Client()
    client.force_login(user)
    return client
