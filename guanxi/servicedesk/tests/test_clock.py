"""The SLA clock's rules, as properties over random calendars and as worked examples."""

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from guanxi.servicedesk.clock import (
    DAY,
    CalendarError,
    Pause,
    WorkingCalendar,
    chinese_public_days,
    due_at,
    validate_periods,
    working_time_between,
)

TZ = "Asia/Shanghai"
SH = dt.timezone(dt.timedelta(hours=8))
H = 3600
OFFICE = ((9 * H, 12 * H), (13 * H + 1800, 18 * H))  # lunch break 12:00–13:30
WEEK = (OFFICE,) * 5 + ((), ())


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


@st.composite
def day_periods(draw):
    cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))  # quarter-hour boundaries
    pairs = [(cuts[i] * 900, cuts[i + 1] * 900) for i in range(0, len(cuts) - 1, 2)]
    return tuple(p for p in pairs if p[0] < p[1])


dates = st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 31))


@st.composite
def calendars(draw):
    weekly = [draw(day_periods()) for _ in range(7)]
    assume(any(weekly))
    holidays = frozenset(draw(st.sets(dates, max_size=10)))
    makeup = frozenset(draw(st.sets(dates, max_size=4))) - holidays
    template = draw(st.sampled_from([i for i, day in enumerate(weekly) if day]))
    return WorkingCalendar(TZ, tuple(weekly), holidays, makeup, makeup_template=template)


moments = st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 3, 1)).map(lambda d: d.replace(tzinfo=SH))
targets = st.integers(60, 40 * H).map(lambda s: dt.timedelta(seconds=s))


@st.composite
def closed_pauses(draw, start):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + dt.timedelta(seconds=draw(st.integers(0, 20 * DAY)))
        pauses.append(Pause(begin, begin + dt.timedelta(seconds=draw(st.integers(1, 3 * DAY)))))
    return pauses


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, targets, targets)
def test_due_time_is_monotonic_in_the_target(calendar, start, a, b):
    low, high = sorted([a, b])
    assert due_at(calendar, start, low) <= due_at(calendar, start, high)


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, targets, st.data())
def test_pauses_never_shorten_the_due_time(calendar, start, target, data):
    pauses = data.draw(closed_pauses(start))
    assert due_at(calendar, start, target, pauses) >= due_at(calendar, start, target)


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, targets, st.data())
def test_working_time_until_due_equals_the_target(calendar, start, target, data):
    pauses = data.draw(closed_pauses(start))
    due = due_at(calendar, start, target, pauses)
    assert working_time_between(calendar, start, due, pauses) == target


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, targets)
def test_a_holiday_never_counts(calendar, start, target):
    for holiday in calendar.holidays:
        begin = dt.datetime.combine(holiday, dt.time(), tzinfo=SH)
        assert working_time_between(calendar, begin, begin + dt.timedelta(days=1)) == dt.timedelta(0)
    last_second = due_at(calendar, start, target) - dt.timedelta(seconds=1)
    assert last_second.astimezone(SH).date() not in calendar.holidays


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_a_makeup_working_day_always_counts(calendar):
    template = calendar.weekly[calendar.makeup_template]
    for day in calendar.makeup_workdays:
        begin = dt.datetime.combine(day, dt.time(), tzinfo=SH)
        counted = working_time_between(calendar, begin, begin + dt.timedelta(days=1))
        assert counted == dt.timedelta(seconds=sum(end - start for start, end in template)) > dt.timedelta(0)


def test_lunch_break_and_weekend_are_skipped():
    calendar = WorkingCalendar(TZ, WEEK)
    assert due_at(calendar, at(2026, 3, 2, 11), dt.timedelta(hours=2)) == at(2026, 3, 2, 14, 30)
    # Friday 17:00 + 2 working hours → Monday 10:00
    assert due_at(calendar, at(2026, 3, 6, 17), dt.timedelta(hours=2)) == at(2026, 3, 9, 10)
    # Out of hours: the clock starts at the next opening
    assert due_at(calendar, at(2026, 3, 2, 20), dt.timedelta(minutes=30)) == at(2026, 3, 3, 9, 30)


def test_split_shift_across_midnight():
    night = ((0, 6 * H), (22 * H, DAY))
    calendar = WorkingCalendar(TZ, (night,) * 7)
    assert due_at(calendar, at(2026, 3, 2, 23), dt.timedelta(hours=3)) == at(2026, 3, 3, 2)


def test_spring_festival_2026_and_its_makeup_saturday():
    holidays, workdays = chinese_public_days([2026])
    calendar = WorkingCalendar(TZ, WEEK, holidays, workdays)
    assert dt.date(2026, 2, 14) in workdays  # Saturday worked in exchange for the festival
    # Friday 13 Feb 17:00 + 3 h: one hour on Friday, then Saturday the 14th counts (make-up day)
    assert due_at(calendar, at(2026, 2, 13, 17), dt.timedelta(hours=3)) == at(2026, 2, 14, 11)
    # Sunday 15 Feb + 1 h: the festival runs 15–23 Feb, so work resumes on Tuesday 24 Feb
    assert due_at(calendar, at(2026, 2, 15, 10), dt.timedelta(hours=1)) == at(2026, 2, 24, 10)


def test_pause_moves_the_due_time_and_an_open_pause_stops_it():
    calendar = WorkingCalendar(TZ, WEEK)
    start = at(2026, 3, 2, 9)
    paused = [Pause(at(2026, 3, 2, 10), at(2026, 3, 2, 11))]
    assert due_at(calendar, start, dt.timedelta(hours=2), paused) == at(2026, 3, 2, 12)
    assert due_at(calendar, start, dt.timedelta(hours=2), [Pause(at(2026, 3, 2, 10))]) is None
    elapsed = working_time_between(calendar, start, at(2026, 3, 2, 15), [Pause(at(2026, 3, 2, 10))])
    assert elapsed == dt.timedelta(hours=1)


def test_manual_exception_replaces_the_day():
    calendar = WorkingCalendar(TZ, WEEK, exceptions={dt.date(2026, 3, 7): ((10 * H, 12 * H),)})
    assert due_at(calendar, at(2026, 3, 6, 18), dt.timedelta(hours=1)) == at(2026, 3, 7, 11)


@pytest.mark.parametrize(
    "periods", [[(9 * H, 12 * H), (11 * H, 14 * H)], [(10 * H, 10 * H)], [(-1, 100)], [(0, DAY + 1)]]
)
def test_bad_periods_are_refused(periods):
    with pytest.raises(CalendarError):
        validate_periods(periods)


def test_zero_target_and_calendar_without_working_time_are_refused():
    with pytest.raises(CalendarError):
        due_at(WorkingCalendar(TZ, WEEK), at(2026, 3, 2), dt.timedelta(0))
    with pytest.raises(CalendarError):
        due_at(WorkingCalendar(TZ, ((),) * 7), at(2026, 3, 2), dt.timedelta(hours=1))
