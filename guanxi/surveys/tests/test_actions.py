"""Improvement actions: owners, status to closure (a closure note required), rights, and the
before/after comparison of the targeted dimension (withheld when the sample is too small)."""

import datetime as dt

import pytest
import time_machine

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied, ValidationFailed

from ..models import Answer, ImprovementAction, Survey, SurveyResponse
from ..selectors import MIN_SAMPLE, action_comparison
from ..services.actions import action_create, action_delete, action_update
from .factories import customer, published_version

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SH)


@pytest.fixture
def manager():
    return UserFactory(role=Role.SERVICE_MANAGER)


def _action(actor, **data):
    data = {"title": "缩短上门时间", "dimension": "timeliness", "due_date": dt.date(2026, 8, 1), **data}
    return action_create(actor=actor, data=data)


def test_an_action_is_tracked_to_closure(manager):
    action = _action(manager)
    assert action.owner == manager and action.status == "open" and action.closed_at is None
    with pytest.raises(ValidationFailed) as exc:
        action_update(actor=manager, action=action, data={"status": "done"})
    assert "closure" in exc.value.fields and ImprovementAction.objects.get(pk=action.pk).status == "open"
    action_update(actor=manager, action=action, data={"status": "done", "closure": "夜间派工已上线"})
    action.refresh_from_db()
    assert action.status == "done" and action.closed_at is not None
    assert action.history.count() == 2  # created, closed; the refused change left nothing


def test_agents_change_their_own_actions_only_and_cannot_delete(manager):
    agent, other = UserFactory(role=Role.AGENT), UserFactory(role=Role.AGENT)
    mine = _action(agent)
    action_update(actor=agent, action=mine, data={"notes": "进行中"})
    with pytest.raises(PermissionDenied):
        action_update(actor=other, action=mine, data={"notes": "改"})
    with pytest.raises(PermissionDenied):
        _action(agent, owner=other)
    with pytest.raises(PermissionDenied):
        action_delete(actor=agent, action=mine)
    with pytest.raises(PermissionDenied):
        _action(UserFactory(role=Role.SALES_REP))
    assert ImprovementAction.objects.count() == 1
    action_delete(actor=manager, action=mine)
    assert not ImprovementAction.objects.exists()


@pytest.mark.parametrize("data", [{"title": ""}, {"dimension": "speed"}, {"due_date": "tomorrow"},
                                  {"status": "maybe"}, {"owner": None}])
def test_bad_actions_are_refused(manager, data):
    with pytest.raises(ValidationFailed):
        _action(manager, **data)
    assert not ImprovementAction.objects.exists()


def _answers(version, scores, first_at):
    question = version.questions.get(order=2)  # timeliness, 1–5
    who = customer("评分客户", mobile="13600136000")
    for i, score in enumerate(scores):
        at = first_at + dt.timedelta(hours=i)
        survey = Survey.objects.create(version=version, customer=who, mode="web", trigger="manual",
                                       status="answered", sent_at=at, expires_at=at, answered_at=at)
        response = SurveyResponse.objects.create(survey=survey, answered_at=at, mode="web")
        Answer.objects.create(response=response, question=question, raw=score, score=score,
                              score_pct=(score - 1) * 25, dimension="timeliness", answered_at=at)


def test_the_comparison_shows_the_dimension_before_and_after(manager):
    version = published_version()
    with time_machine.travel(START, tick=False):
        action = _action(manager)
    _answers(version, [3] * MIN_SAMPLE, START - dt.timedelta(days=30))
    _answers(version, [4] * MIN_SAMPLE, START + dt.timedelta(days=10))
    _answers(version, [1] * 5, START - dt.timedelta(days=200))  # outside the window
    result = action_comparison(action, now=START + dt.timedelta(days=40))
    assert (result.before.mean, result.before.count) == (50.0, MIN_SAMPLE)
    assert (result.after.mean, result.after.count) == (75.0, MIN_SAMPLE) and result.change == 25.0


def test_a_small_sample_shows_no_mean(manager):
    version = published_version()
    with time_machine.travel(START, tick=False):
        action = _action(manager)
    _answers(version, [5] * (MIN_SAMPLE - 1), START + dt.timedelta(days=1))
    result = action_comparison(action, now=START + dt.timedelta(days=40))
    assert result.after.count == MIN_SAMPLE - 1 and result.after.mean is None and result.change is None
