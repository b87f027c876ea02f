"""Green-channel step time limits on a business calendar (pure rules, no database).

A limit in working hours runs on the calendar's working time (the service desk's clock); a limit in
working days ends when the calendar's last working period of the n-th working day after the start
day ends: the start day never counts, holidays do not count, make-up working days (调休) do."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from guanxi.servicedesk.clock import DAY, MAX_DAYS, CalendarError, WorkingCalendar, chinese_public_days, due_at

HOURS, DAYS = "hours", "days"
OFFICE_HOURS = ((9 * 3600, 12 * 3600), (13 * 3600, 18 * 3600))


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    """Monday to Friday 9:00–12:00 and 13:00–18:00 in Shanghai, with mainland China's public holidays
    and make-up working days: the calendar of a template that names none."""
    holidays, workdays = chinese_public_days(range(2000, 2036))
    return WorkingCalendar("Asia/Shanghai", (OFFICE_HOURS,) * 5 + ((), ()), holidays, workdays)


def step_due_at(calendar: WorkingCalendar, started_at: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """When a step started at `started_at` with a limit of `amount` working hours or days is due."""
    if amount < 1:
        raise CalendarError("the limit must be positive")
    if unit == HOURS:
        return due_at(calendar, started_at, dt.timedelta(hours=amount))
    if unit != DAYS:
        raise CalendarError(f"unknown unit {unit!r}")
    ordinal, counted = calendar.to_local(started_at) // DAY, 0
    for _ in range(MAX_DAYS):
        ordinal += 1
        periods = calendar.periods_on(dt.date.fromordinal(ordinal))
        if periods:
            counted += 1
            if counted == amount:
                return calendar.from_local(ordinal * DAY + periods[-1][1])
    raise CalendarError("the calendar has no working time in the next ten years")
