"""Reads of business calendars: the clock engine's view of one, and its days as people plan with them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.core.errors import NotFound

from ..clock import WorkingCalendar, chinese_public_day_names, chinese_public_days
from ..models import BusinessCalendar

_CALENDARS: dict[int, tuple[dt.datetime, WorkingCalendar]] = {}

HOLIDAYS_SINCE = 1990


def working_calendar(calendar: BusinessCalendar) -> WorkingCalendar:
    """The clock engine's view of a calendar, built once per change and kept in the process."""
    cached = _CALENDARS.get(calendar.pk)
    if cached and cached[0] == calendar.updated_at:
        return cached[1]
    weekly = [[] for _ in range(7)]
    for period in calendar.periods.all():
        weekly[period.weekday].append((period.start_minute * 60, period.end_minute * 60))
    holidays, workdays = frozenset(), frozenset()
    if calendar.holiday_region == "CN":
        # From the oldest history a case can be imported with (clocks of backdated cases skip
        # the holidays of their own years) to a few years ahead.
        holidays, workdays = chinese_public_days(range(HOLIDAYS_SINCE, timezone.now().year + 3))
    exceptions = {e.date: tuple((a * 60, b * 60) for a, b in e.periods) for e in calendar.exceptions.all()}
    built = WorkingCalendar(calendar.timezone, tuple(tuple(day) for day in weekly), holidays, workdays,
                            exceptions, makeup_template=calendar.makeup_template)
    _CALENDARS[calendar.pk] = (calendar.updated_at, built)
    return built


@dataclass(frozen=True)
class CalendarDay:
    """One day of a business calendar as a person plans with it."""

    date: dt.date
    kind: str  # working, rest, holiday, makeup (调休 working day) or exception (set by hand)
    is_working: bool
    name: str  # the holiday's name, the make-up day's holiday, an exception's note
    periods: list[tuple[int, int]]  # working periods in minutes since midnight

MAKEUP_REACH = 14  # a make-up working day lies within two weeks of the holiday it makes up for


def calendar_days(*, calendar: BusinessCalendar, start: dt.date, end: dt.date, language: str) -> list[CalendarDay]:
    """Each day from `start` to `end` (inclusive): exception > holiday > make-up day > weekly pattern,
    as the service clocks count them; names from the calendar's holiday data (`language` zh_CN or en_US)."""
    weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for period in calendar.periods.all():
        weekly[period.weekday].append((period.start_minute, period.end_minute))
    exceptions = {e.date: e for e in calendar.exceptions.filter(date__gte=start, date__lte=end)}
    names: dict[dt.date, str] = {}
    makeup: frozenset[dt.date] = frozenset()
    if calendar.holiday_region == "CN":
        years = range(start.year - 1, end.year + 2)  # a make-up day may lie in the year next to its holiday
        names = chinese_public_day_names(years, language)
        makeup = chinese_public_days(years)[1]
    days, day = [], start
    while day <= end:
        days.append(_calendar_day(day, weekly, calendar.makeup_template, exceptions, names, makeup))
        day += dt.timedelta(days=1)
    return days


def _calendar_day(day, weekly, makeup_template, exceptions, names, makeup) -> CalendarDay:
    if day in exceptions:
        exception = exceptions[day]
        periods = [tuple(p) for p in exception.periods]
        return CalendarDay(day, "exception", bool(periods), exception.note, periods)
    if day in names:
        return CalendarDay(day, "holiday", False, names[day], [])
    if day in makeup:
        return CalendarDay(day, "makeup", True, _makeup_name(day, names), list(weekly[makeup_template]))
    periods = list(weekly[day.weekday()])
    return CalendarDay(day, "working" if periods else "rest", bool(periods), "", periods)


def _makeup_name(day: dt.date, names: dict[dt.date, str]) -> str:
    """「国庆节调休上班」: named after the nearest holiday."""
    near = [h for h in names if abs((h - day).days) <= MAKEUP_REACH]
    if not near:
        return gettext("Make-up working day")
    holiday = names[min(near, key=lambda h: (abs((h - day).days), h))]
    return gettext("%(holiday)s make-up working day") % {"holiday": holiday}


def calendar_list() -> QuerySet[BusinessCalendar]:
    """Every business calendar with its weekly periods and exceptions (configuration: every role reads it)."""
    return BusinessCalendar.objects.prefetch_related("periods", "exceptions")


def calendar_get(*, calendar_id: int) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound()
    return calendar
