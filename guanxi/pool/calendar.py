"""Counting days for the recycling rules: calendar days, or working days on mainland China's
calendar (weekends off except the make-up working days 调休, public holidays off), from the
`holidays` library — the same source as the service desk's business calendars, which sit above
this app. Imported lazily: start-up stays light."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from .enums import DayKind


@lru_cache(maxsize=32)
def _public_days(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    import holidays

    calendar = holidays.China(years=[year])
    return frozenset(calendar), frozenset(calendar.weekend_workdays)


def is_working_day(day: dt.date) -> bool:
    off, make_up = _public_days(day.year)
    if day in make_up:
        return True
    return day.weekday() < 5 and day not in off


def nth_day_back(today: dt.date, days: int, kind: str) -> dt.date:
    """The `days`-th (working) day counting back from `today` inclusive: a record whose last
    follow-up was before it has gone `days` (working) days without one."""
    if days <= 0:
        return today + dt.timedelta(days=1)
    if kind != DayKind.WORKING:
        return today - dt.timedelta(days=days - 1)
    day, counted = today, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == days:
                return day
        day -= dt.timedelta(days=1)


def nth_day_after(start: dt.date, days: int, kind: str) -> dt.date:
    """The day on which `days` (working) days have passed since `start` (excluded)."""
    if kind != DayKind.WORKING:
        return start + dt.timedelta(days=days)
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day
