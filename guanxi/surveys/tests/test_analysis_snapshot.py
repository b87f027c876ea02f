"""The analysis snapshot (monthly aggregate cells): every figure the pages show — CSAT, NPS, dimension means,
response rates, each with n, margin and the too-small flag — equals the same figure counted directly over
the raw answers, for every period, every group and windows that start or end inside a month; kept by the
answering services as answers arrive, unchanged by compaction and by a rebuild."""

import datetime as dt
import math

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.segments.tests.factories import make_snapshot

from .. import analysis_selectors as analysis
from ..analysis import snapshot
from ..models import AnswerCell, RateCell
from ..services.channels import survey_send
from ..services.surveys import survey_answer_by_phone, survey_answer_by_token, survey_token
from .factories import closed_case, customer, published_version, service_team

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 7, 15, 10, tzinfo=SH)
WINDOWS = [
    (None, None),
    (dt.datetime(2026, 1, 1, tzinfo=SH), dt.datetime(2026, 7, 16, tzinfo=SH)),  # the pages' default shape
    (dt.datetime(2026, 2, 14, 12, tzinfo=SH), dt.datetime(2026, 5, 9, tzinfo=SH)),  # both edges inside months
    (dt.datetime(2026, 3, 5, tzinfo=SH), dt.datetime(2026, 3, 20, tzinfo=SH)),  # inside one month
    (dt.datetime(2026, 4, 1, tzinfo=SH), dt.datetime(2026, 8, 1, tzinfo=SH)),  # ends in the future
    (None, dt.datetime(2026, 4, 17, tzinfo=SH)),
]


def _same(a, b) -> None:
    """Two figures equal up to float summation order."""
    assert (a.measure, a.n, a.reason, a.min_n) == (b.measure, b.n, b.reason, b.min_n)
    for name in ("value", "moe", "ci_low", "ci_high"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), (name, x, y)


def _same_cells(left, right) -> None:
    assert [(c.key, c.label) for c in left] == [(c.key, c.label) for c in right]
    for a, b in zip(left, right, strict=True):
        assert a.figures.keys() == b.figures.keys()
        for measure in a.figures:
            _same(a.figures[measure], b.figures[measure])
        assert a.changes.keys() == b.changes.keys()
        for measure in a.changes:
            assert a.changes[measure].significant == b.changes[measure].significant
            assert (a.changes[measure].delta is None) == (b.changes[measure].delta is None)


def _rows(model, key, sums) -> list:
    """A table's rows, comparable: floats rounded (summation order), NULLs sorted first."""
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in row)
            for row in model.objects.values_list(*key, *sums)]
    return sorted(rows, key=lambda row: tuple((v is not None, str(v)) for v in row))


def _every_figure(user, *, since, until, min_n):
    out = {}
    for period in analysis.PERIODS:
        out[f"trend-{period}"] = analysis.trend(user=user, period=period, since=since, until=until, min_n=min_n)
        out[f"rates-{period}"] = analysis.response_rates(user=user, period=period, since=since, until=until,
                                                         min_n=min_n)
    for by in analysis.GROUPS:
        out[f"by-{by}"] = analysis.breakdown(user=user, by=by, since=since, until=until, min_n=min_n)
    return out


def _assert_snapshot_equals_raw(user, django_settings, *, windows=WINDOWS, min_ns=(1, 3)):
    for since, until in windows:
        for min_n in min_ns:
            django_settings.SURVEY_ANALYSIS_SNAPSHOT = True
            cells = _every_figure(user, since=since, until=until, min_n=min_n)
            django_settings.SURVEY_ANALYSIS_SNAPSHOT = False
            raw = _every_figure(user, since=since, until=until, min_n=min_n)
            django_settings.SURVEY_ANALYSIS_SNAPSHOT = True
            for name in raw:
                _same_cells(cells[name], raw[name])


@pytest.fixture
def world(settings):
    settings.SURVEY_QUIET_DAYS = 0
    version = published_version()
    _team, agent, _manager = service_team()
    analyst = UserFactory(role=Role.ANALYST)
    admin = UserFactory(role=Role.ADMIN)
    people = [customer(f"客户{i}", mobile=f"1380013{i:04d}", email=f"c{i}@example.com") for i in range(4)]
    make_snapshot(people[0], value_level="high")
    make_snapshot(people[1], value_level="low")
    return {"version": version, "agent": agent, "analyst": analyst, "admin": admin, "people": people}


def _answer_case(world, who, at, scores):
    """A closed case's web survey answered through its link."""
    with time_machine.travel(at, tick=False):
        case = closed_case(world["agent"], who)
        survey = case.surveys.get()
        survey_answer_by_token(token=survey_token(survey), answers=scores)


def _answer_sent(world, who, at, scores, *, mode="email", by_phone=True):
    with time_machine.travel(at, tick=False):
        survey = survey_send(actor=world["admin"], customer=who, mode=mode)
        if by_phone:
            survey_answer_by_phone(actor=world["admin"], survey=survey, answers=scores)
        return survey


def _scores(overall, timeliness, nps):
    return {1: str(overall), 2: str(timeliness), 3: str(nps), 4: "web"}


def test_every_figure_from_the_snapshot_equals_the_raw_count(world, settings):
    people = world["people"]
    plan = [  # (month, day, who, overall, timeliness, nps)
        (1, 3, 0, 5, 4, 10), (1, 20, 1, 2, 3, 4), (2, 10, 2, 4, 4, 9), (2, 14, 0, 3, 5, 7), (2, 28, 3, 1, 1, 0),
        (3, 1, 1, 5, 5, 10), (3, 6, 2, 4, 2, 8), (3, 19, 3, 5, 4, 9), (4, 2, 0, 2, 2, 6), (4, 16, 1, 4, 5, 10),
        (4, 30, 2, 5, 3, 9), (5, 8, 3, 3, 3, 5), (5, 9, 0, 4, 4, 8), (6, 30, 1, 5, 5, 10), (7, 14, 2, 4, 4, 9),
    ]
    for i, (month, day, who, overall, timeliness, nps) in enumerate(plan):
        at = dt.datetime(2026, month, day, 9 + i % 8, tzinfo=SH)
        if i % 3 == 0:
            _answer_sent(world, people[who], at, _scores(overall, timeliness, nps))
        else:
            _answer_case(world, people[who], at, _scores(overall, timeliness, nps))
    for month in (2, 4, 6):  # sent, never answered
        _answer_sent(world, people[3], dt.datetime(2026, month, 11, tzinfo=SH), {}, by_phone=False)
    with time_machine.travel(NOW, tick=False):
        assert AnswerCell.objects.count() == 3 * len(plan)  # overall, timeliness and NPS per response
        _assert_snapshot_equals_raw(world["analyst"], settings)
        assert snapshot.compact()["answer_rows_folded"] > 0
        assert AnswerCell.objects.count() < 3 * len(plan)
        _assert_snapshot_equals_raw(world["analyst"], settings, windows=WINDOWS[:3], min_ns=(1,))
        before, rates = _rows(AnswerCell, snapshot.KEY, snapshot.SUMS), _rows(RateCell, snapshot.RATE_KEY,
                                                                               snapshot.RATE_SUMS)
        snapshot.rebuild()
        assert _rows(AnswerCell, snapshot.KEY, snapshot.SUMS) == before
        assert _rows(RateCell, snapshot.RATE_KEY, snapshot.RATE_SUMS) == rates
        _assert_snapshot_equals_raw(world["analyst"], settings, windows=WINDOWS[:3], min_ns=(1,))


def test_the_snapshot_serves_analysts_and_scoped_users_read_the_answers(world, settings, django_assert_max_num_queries):
    _answer_case(world, world["people"][0], dt.datetime(2026, 3, 3, 10, tzinfo=SH), _scores(5, 5, 10))
    with time_machine.travel(NOW, tick=False):
        settings.SURVEY_ANALYSIS_SNAPSHOT = True
        # whole months only: one query on the cells (and the permission look-ups)
        with django_assert_max_num_queries(3):
            cells = analysis.trend(user=world["analyst"], since=dt.datetime(2026, 1, 1, tzinfo=SH),
                                   until=dt.datetime(2026, 7, 16, tzinfo=SH), min_n=1)
        assert cells[0].figures["csat"].n == 1
        AnswerCell.objects.all().delete()  # a scoped reader never sees the cells
        agent_cells = analysis.trend(user=world["agent"], min_n=1)
        assert agent_cells[0].figures["csat"].n == 1


def test_a_rolled_back_answer_leaves_no_cell(world):
    survey = _answer_sent(world, world["people"][0], dt.datetime(2026, 3, 3, tzinfo=SH), {}, by_phone=False)
    cells = AnswerCell.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        survey_answer_by_phone(actor=world["admin"], survey=survey, answers=_scores(5, 5, 10))
        raise RuntimeError
    assert AnswerCell.objects.count() == cells


answers_strategy = st.lists(
    st.tuples(
        st.integers(1, 6),  # month
        st.integers(1, 28),  # day
        st.integers(0, 23),  # hour (local): the month boundary in Shanghai time, not UTC
        st.integers(0, 3),  # customer
        st.integers(1, 5),
        st.integers(1, 5),
        st.integers(0, 10),
        st.booleans(),  # by the case's web link or sent by e-mail and taken by phone
    ),
    min_size=1,
    max_size=5,
)
window_strategy = st.tuples(st.integers(0, 200), st.integers(0, 220))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(answers=answers_strategy, window=window_strategy)
def test_hypothesis_snapshot_equals_raw(world, settings, answers, window):
    with transaction.atomic():
        # in time order, one minute apart at the least (the quiet period refuses a survey sent "before")
        for i, (month, day, hour, who, overall, timeliness, nps, by_case) in enumerate(sorted(answers)):
            at = dt.datetime(2026, month, day, hour, 30, tzinfo=SH) + dt.timedelta(minutes=i)
            if by_case:
                _answer_case(world, world["people"][who], at, _scores(overall, timeliness, nps))
            else:
                _answer_sent(world, world["people"][who], at, _scores(overall, timeliness, nps))
        start = dt.datetime(2026, 1, 1, tzinfo=SH) + dt.timedelta(days=window[0], hours=window[0] % 24)
        end = start + dt.timedelta(days=window[1])
        with time_machine.travel(NOW, tick=False):
            _assert_snapshot_equals_raw(world["analyst"], settings, windows=[(None, None), (start, end)],
                                        min_ns=(1,))
        transaction.set_rollback(True)
    assert not AnswerCell.objects.exists()
