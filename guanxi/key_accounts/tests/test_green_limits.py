"""Green-channel step limits on a business calendar: working days skip weekends and public holidays
(the National Day week) and count make-up working days (调休); working hours run on working time only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.servicedesk.clock import CalendarError, working_time_between

from ..limits import DAYS, HOURS, default_calendar, step_due_at

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = default_calendar()


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_the_2026_national_day_week_is_off_and_its_saturday_make_up_day_counts():
    # 2026-09-30 is a Wednesday; 1–7 October are off (4 October a Sunday), Saturday 10 October is worked.
    assert all(CAL.periods_on(dt.date(2026, 10, d)) == () for d in (1, 2, 3, 5, 6, 7))
    assert CAL.periods_on(dt.date(2026, 10, 10))  # 调休: a Saturday worked
    start = at(2026, 9, 30, 10)
    assert step_due_at(CAL, start, 1, DAYS) == at(2026, 10, 8, 18)
    assert step_due_at(CAL, start, 2, DAYS) == at(2026, 10, 9, 18)
    assert step_due_at(CAL, start, 3, DAYS) == at(2026, 10, 10, 18)  # the make-up Saturday
    assert step_due_at(CAL, start, 4, DAYS) == at(2026, 10, 12, 18)  # Sunday 11 is off again


def test_working_hours_stop_over_the_holiday_week():
    start = at(2026, 9, 30, 10)  # 7 working hours left that day (lunch 12–13 not counted)
    assert step_due_at(CAL, start, 7, HOURS) == at(2026, 9, 30, 18)
    assert step_due_at(CAL, start, 8, HOURS) == at(2026, 10, 8, 10)
    assert step_due_at(CAL, start, 16, HOURS) == at(2026, 10, 9, 10)


def test_a_make_up_sunday_before_spring_festival_counts_as_a_working_day():
    makeup = sorted(d for d in CAL.makeup_workdays if d.year == 2026 and d.month == 2)[0]  # 2026-02-14, a Saturday
    friday = makeup - dt.timedelta(days=1)
    assert step_due_at(CAL, at(friday.year, friday.month, friday.day, 17), 1, DAYS) == at(
        makeup.year, makeup.month, makeup.day, 18
    )


def test_a_limit_must_be_positive_and_in_a_known_unit():
    with pytest.raises(CalendarError):
        step_due_at(CAL, at(2026, 1, 5, 9), 0, DAYS)
    with pytest.raises(CalendarError):
        step_due_at(CAL, at(2026, 1, 5, 9), 1, "weeks")


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)


@settings(max_examples=150, deadline=None)
@given(start=moments, amount=st.integers(min_value=1, max_value=30))
def test_a_limit_in_days_ends_at_the_close_of_the_nth_working_day_after_the_start_day(start, amount):
    due = step_due_at(CAL, start, amount, DAYS)
    due_day, start_day = due.date(), start.date()
    periods = CAL.periods_on(due_day)
    assert periods and due.hour * 3600 + due.minute * 60 == periods[-1][1]
    between = [start_day + dt.timedelta(days=n) for n in range(1, (due_day - start_day).days + 1)]
    assert sum(1 for d in between if CAL.periods_on(d)) == amount
    assert step_due_at(CAL, start, amount + 1, DAYS) > due


@settings(max_examples=150, deadline=None)
@given(start=moments, amount=st.integers(min_value=1, max_value=80))
def test_a_limit_in_hours_is_exactly_that_much_working_time(start, amount):
    due = step_due_at(CAL, start, amount, HOURS)
    assert working_time_between(CAL, start, due) == dt.timedelta(hours=amount)
    assert CAL.periods_on(due.date())  # it falls due on a working day
