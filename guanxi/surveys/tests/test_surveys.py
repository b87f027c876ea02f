"""Surveys after cases and callbacks, the web link's single use, answers and their follow-up tasks."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict, DomainError, ValidationFailed
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.servicedesk.models import Callback
from guanxi.servicedesk.services.callbacks import callback_record
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition
from guanxi.tasks.models import Task

from ..enums import SurveyMode, SurveyStatus, SurveyTrigger, VersionStatus
from ..models import Answer, Survey, SurveyResponse
from ..services import surveys as services
from ..services.questionnaires import version_create, version_publish, version_update
from .factories import GOOD, closed_case, customer, published_version, service_team, version_data

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def world():
    _team, agent, manager = service_team()
    return {"version": published_version(), "agent": agent, "manager": manager, "customer": customer()}


def _token_of(survey) -> str:
    """The link's token, read back from the invitation the customer received."""
    body = OutboundMessage.objects.filter(recipient=survey.customer.mobile).latest("id").body
    return body.rsplit("/s/", 1)[1].strip("/")


def test_a_closed_case_gets_one_web_survey_by_sms(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = closed_case(world["agent"], world["customer"])
    survey = Survey.objects.get(ticket=case)
    assert (survey.mode, survey.trigger, survey.status) == (SurveyMode.WEB, SurveyTrigger.POST_CASE, SurveyStatus.SENT)
    assert survey.version == world["version"] and len(survey.token_hash) == 64
    message = OutboundMessage.objects.get(recipient=world["customer"].mobile)
    assert message.channel == "sms" and "/s/" in message.body and world["customer"].name in message.body
    ticket_transition(actor=world["agent"], ticket=case, status="open")
    ticket_transition(actor=world["agent"], ticket=case, status="resolved")
    ticket_transition(actor=world["agent"], ticket=case, status="closed")
    assert Survey.objects.filter(ticket=case).count() == 1


def test_no_survey_within_the_quiet_period_for_opted_out_or_unreachable_customers(world):
    with time_machine.travel(T0, tick=False):
        closed_case(world["agent"], world["customer"], "第一次")
        second = closed_case(world["agent"], world["customer"], "第二次")
    assert not Survey.objects.filter(ticket=second).exists()
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        assert Survey.objects.filter(ticket=closed_case(world["agent"], world["customer"], "第三次")).exists()
    quiet = customer("王五", mobile="13900139000")
    with override_settings(SURVEY_QUIET_DAYS=0):
        services.survey_opt_out(actor=world["agent"], customer=quiet, reason="不希望被打扰")
        assert not Survey.objects.filter(ticket=closed_case(world["agent"], quiet)).exists()
        unreachable = customer("赵六", mobile="")
        assert not Survey.objects.filter(ticket=closed_case(world["agent"], unreachable)).exists()


def test_no_survey_when_no_questionnaire_is_published():
    _team, agent, _manager = service_team()
    assert not Survey.objects.filter(ticket=closed_case(agent, customer())).exists()


def test_the_web_link_answers_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey = Survey.objects.get(ticket=closed_case(world["agent"], world["customer"]))
    token = _token_of(survey)
    response = services.survey_answer_by_token(token=token, answers=GOOD)
    assert response.survey == survey and response.mode == SurveyMode.WEB
    answers = {a.question.order: a for a in Answer.objects.filter(response=response)}
    assert answers[1].score == 5 and answers[1].score_pct == 100 and answers[1].dimension == "overall"
    assert answers[3].score == 9 and answers[3].score_pct == 90 and answers[4].raw == "phone"
    assert answers[4].score is None and answers[5].raw == "很好"
    with pytest.raises(services.LinkRefused) as used:
        services.survey_answer_by_token(token=token, answers=GOOD)
    assert used.value.code == "used" and SurveyResponse.objects.count() == 1 and Answer.objects.count() == 5
    with pytest.raises(services.LinkRefused) as forged:
        services.survey_answer_by_token(token=token[:-2] + "xx", answers=GOOD)
    assert forged.value.code == "forged"


def test_an_expired_link_records_nothing(world, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        survey = Survey.objects.get(ticket=closed_case(world["agent"], world["customer"]))
    with time_machine.travel(T0 + dt.timedelta(days=15), tick=False), pytest.raises(services.LinkRefused) as exc:
        services.survey_answer_by_token(token=_token_of(survey), answers=GOOD)
    assert exc.value.code == "expired" and not SurveyResponse.objects.exists()
    with time_machine.travel(T0 + dt.timedelta(days=15), tick=False):
        assert services.surveys_expire(actor=SYSTEM) == 1
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.EXPIRED


def test_the_link_is_judged_at_the_given_moment(world, django_capture_on_commit_callbacks):
    """`now` decides expiry, not the wall clock: the demo back-fills answers at past moments."""
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        survey = Survey.objects.get(ticket=closed_case(world["agent"], world["customer"]))
    token = _token_of(survey)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        with pytest.raises(services.LinkRefused) as exc:
            services.survey_answer_by_token(token=token, answers=GOOD, now=T0 + dt.timedelta(days=15))
        assert exc.value.code == "expired" and not SurveyResponse.objects.exists()
    with time_machine.travel(T0 + dt.timedelta(days=15), tick=False):
        response = services.survey_answer_by_token(token=token, answers=GOOD, now=T0 + dt.timedelta(days=1))
    assert response.answered_at == T0 + dt.timedelta(days=1)


@pytest.mark.parametrize(("answers", "field"), [
    ({**GOOD, 1: "6"}, "q1"), ({**GOOD, 3: "-1"}, "q3"), ({**GOOD, 4: "fax"}, "q4"), ({**GOOD, 2: ""}, "q2"),
    ({**GOOD, 1: "abc"}, "q1"), ({**GOOD, 5: "x" * 2001}, "q5"),
])
def test_bad_answers_are_refused_whole(world, answers, field, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey = Survey.objects.get(ticket=closed_case(world["agent"], world["customer"]))
    with pytest.raises(ValidationFailed) as exc:
        services.survey_answer_by_token(token=_token_of(survey), answers=answers)
    assert field in exc.value.fields and not SurveyResponse.objects.exists() and not Answer.objects.exists()
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.SENT


def test_a_dissatisfied_answer_gives_the_case_owner_a_follow_up_task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = closed_case(world["agent"], world["customer"])
    survey = Survey.objects.get(ticket=case)
    services.survey_answer_by_token(token=_token_of(survey), answers={**GOOD, 1: "2"})
    task = Task.objects.get(kind="survey_follow_up")
    assert task.assignee == world["agent"] and task.customer == world["customer"] and case.number in task.subject
    assert task.source_url == f"/surveys/{survey.pk}/"


def test_a_low_nps_alone_is_dissatisfied_and_a_good_answer_makes_no_task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = Survey.objects.get(ticket=closed_case(world["agent"], world["customer"]))
    services.survey_answer_by_token(token=_token_of(first), answers=GOOD)
    assert not Task.objects.exists()
    other = customer("钱七", mobile="13700137000")
    with django_capture_on_commit_callbacks(execute=True):
        second = Survey.objects.get(ticket=closed_case(world["agent"], other))
    services.survey_answer_by_token(token=_token_of(second), answers={**GOOD, 3: "6"})
    assert Task.objects.filter(kind="survey_follow_up").count() == 1


def _resolved_fault(world):
    case = ticket_create(actor=world["agent"], customer=world["customer"],
                         data={"subject": "宽带维修", "type": "fault", "channel": "hotline"})
    ticket_transition(actor=world["agent"], ticket=case, status="resolved")
    return case, Callback.objects.get(ticket=case)


def test_a_repair_callback_is_recorded_as_a_phone_survey(world):
    case, callback = _resolved_fault(world)
    callback_record(actor=world["agent"], callback=callback, outcome="satisfied")
    survey = Survey.objects.get(ticket=case)
    assert (survey.mode, survey.trigger, survey.status) == ("phone", "callback", "answered")
    answer = Answer.objects.get(response__survey=survey)
    assert answer.score == 5 and answer.dimension == "overall" and survey.response.recorded_by == world["agent"]
    ticket_transition(actor=world["agent"], ticket=case, status="closed")
    assert Survey.objects.filter(ticket=case).count() == 1


def test_a_dissatisfied_callback_scores_lowest_and_asks_for_follow_up(world):
    case, callback = _resolved_fault(world)
    callback_record(actor=world["agent"], callback=callback, outcome="dissatisfied", note="还是慢")
    assert Answer.objects.get(response__survey__ticket=case).score == 1
    assert Task.objects.filter(kind="survey_follow_up", assignee=world["agent"]).count() == 1


def test_an_unreached_customer_s_callback_records_no_survey(world):
    case, callback = _resolved_fault(world)
    callback_record(actor=world["agent"], callback=callback, outcome="unreachable")
    assert not Survey.objects.filter(ticket=case).exists()


def test_the_callback_answers_the_case_s_open_web_survey(world):
    case, callback = _resolved_fault(world)
    ticket_transition(actor=world["agent"], ticket=case, status="closed")
    survey = Survey.objects.get(ticket=case)
    callback_record(actor=world["agent"], callback=callback, outcome="neutral")
    survey.refresh_from_db()
    assert survey.status == "answered" and survey.mode == "phone"
    assert Answer.objects.get(response__survey=survey).score == 3


def test_an_agent_records_phone_answers_once_on_own_cases_only(world):
    case, _callback = _resolved_fault(world)
    ticket_transition(actor=world["agent"], ticket=case, status="closed")
    survey = Survey.objects.get(ticket=case)
    _other_team, stranger, _manager = service_team()
    with pytest.raises(DomainError):
        services.survey_answer_by_phone(actor=stranger, survey=survey, answers=GOOD)
    services.survey_answer_by_phone(actor=world["agent"], survey=survey, answers=GOOD)
    assert SurveyResponse.objects.get(survey=survey).recorded_by == world["agent"]
    with pytest.raises(Conflict):
        services.survey_answer_by_phone(actor=world["manager"], survey=survey, answers=GOOD)


def test_a_published_version_is_frozen_and_answers_keep_their_version(world, django_capture_on_commit_callbacks):
    v1 = world["version"]
    with pytest.raises(Conflict):
        version_update(actor=world["manager"], version=v1, data=version_data(title_zh="改"))
    with django_capture_on_commit_callbacks(execute=True):
        survey = Survey.objects.get(ticket=closed_case(world["agent"], world["customer"]))
    v2 = version_create(actor=world["manager"], questionnaire=v1.questionnaire, data=version_data(title_zh="第二版"))
    version_publish(actor=world["manager"], version=v2)
    v1.refresh_from_db()
    assert (v1.status, v2.number) == (VersionStatus.RETIRED, 2)
    services.survey_answer_by_token(token=_token_of(survey), answers=GOOD)
    assert Survey.objects.get(pk=survey.pk).version == v1
    assert set(Answer.objects.values_list("question__version", flat=True)) == {v1.pk}


def test_publishing_a_version_that_fails_its_checks_is_refused_with_reasons(world):
    leading = version_data(modes=["ivr"], questions=[
        {"type": "rating_5", "dimension": "overall", "text_zh": "您一定很满意吧？"},
        {"type": "text", "text_zh": "请说说理由"}])
    draft = version_create(actor=world["manager"], questionnaire=world["version"].questionnaire, data=leading)
    with pytest.raises(DomainError) as exc:
        version_publish(actor=world["manager"], version=draft)
    assert exc.value.status == 400 and exc.value.code == "design_check_failed"
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
