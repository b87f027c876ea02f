"""Service-level clocks on business calendars (工作日历): the pure rules, no database.

A calendar says which wall-clock periods of a day are working time: weekly periods (several a
day, so lunch breaks and split shifts work), public holidays that remove a day, make-up working
days (调休) that add one, and manual exceptions that replace a day's periods. A clock counts
only working time that is not paused. Instants are handled as "local seconds" (day ordinal ×
86400 + seconds since local midnight) so the day walk is integer arithmetic.
"""

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = 86_400
MAX_DAYS = 3_660  # a calendar with no working time in ten years is a configuration error

Period = tuple[int, int]  # [start, end) in seconds since local midnight, end ≤ 86400


class CalendarError(ValueError):
    """The calendar cannot produce a due time (for example it has no working time at all)."""


def validate_periods(periods: Iterable[Period]) -> tuple[Period, ...]:
    """Sorted periods, each non-empty, inside one day, none overlapping; else CalendarError."""
    ordered = tuple(sorted(periods))
    for start, end in ordered:
        if not 0 <= start < end <= DAY:
            raise CalendarError(f"period {start}-{end} is empty or outside the day")
    for (_, end), (next_start, _) in itertools.pairwise(ordered):
        if next_start < end:
            raise CalendarError("periods overlap")
    return ordered


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: str
    weekly: tuple[tuple[Period, ...], ...]  # Monday … Sunday
    holidays: frozenset[dt.date] = frozenset()
    makeup_workdays: frozenset[dt.date] = frozenset()
    exceptions: dict[dt.date, tuple[Period, ...]] = field(default_factory=dict)
    makeup_template: int = 0  # the weekday whose periods a make-up working day follows
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise CalendarError("weekly needs seven days, Monday first")
        object.__setattr__(self, "weekly", tuple(validate_periods(day) for day in self.weekly))
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))

    def periods_on(self, day: dt.date) -> tuple[Period, ...]:
        """Exception > holiday > make-up working day > weekly pattern."""
        cached = self._cache.get(day)
        if cached is None:
            if day in self.exceptions:
                cached = self.exceptions[day]
            elif day in self.holidays:
                cached = ()
            elif day in self.makeup_workdays:
                cached = self.weekly[self.makeup_template]
            else:
                cached = self.weekly[day.weekday()]
            self._cache[day] = cached
        return cached

    def to_local(self, moment: dt.datetime) -> int:
        local = moment.astimezone(self._zone)
        return local.toordinal() * DAY + local.hour * 3600 + local.minute * 60 + local.second

    def from_local(self, seconds: int) -> dt.datetime:
        day, rest = divmod(seconds, DAY)
        naive = dt.datetime.fromordinal(day) + dt.timedelta(seconds=rest)
        return naive.replace(tzinfo=self._zone)

    def working_intervals(self, start: int, stop: int | None = None) -> Iterable[Period]:
        """Working intervals in local seconds from `start` on (up to `stop`), in order."""
        first_day = start // DAY
        last_day = stop // DAY + 1 if stop is not None else first_day + MAX_DAYS
        for ordinal in range(first_day, last_day):
            base = ordinal * DAY
            for begin, end in self.periods_on(dt.date.fromordinal(ordinal)):
                begin, end = max(base + begin, start), base + end
                if begin < end:
                    yield begin, end
        if stop is None:
            raise CalendarError("the calendar has no working time in the next ten years")


@dataclass(frozen=True)
class Pause:
    """A stretch during which the clock does not run (pending on the customer, …)."""

    started_at: dt.datetime
    ended_at: dt.datetime | None = None


def _merged_pauses(calendar: WorkingCalendar, pauses: Sequence[Pause], until: dt.datetime | None) -> list[Period]:
    spans = []
    for pause in pauses:
        end = pause.ended_at or until
        if end is None:
            continue
        start_s, end_s = calendar.to_local(pause.started_at), calendar.to_local(end)
        if start_s < end_s:
            spans.append((start_s, end_s))
    spans.sort()
    merged: list[list[int]] = []
    for start_s, end_s in spans:
        if merged and start_s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end_s)
        else:
            merged.append([start_s, end_s])
    return [(a, b) for a, b in merged]


def _running_segments(
    calendar: WorkingCalendar, start: int, pauses: list[Period], stop: int | None = None
) -> Iterable[Period]:
    """Working intervals from `start` (to `stop`) with the paused spans cut out."""
    index = 0
    for begin, end in calendar.working_intervals(start, stop):
        while index < len(pauses) and pauses[index][1] <= begin:
            index += 1
        cursor, probe = begin, index
        while probe < len(pauses) and pauses[probe][0] < end:
            pause_start, pause_end = pauses[probe]
            if pause_start > cursor:
                yield cursor, pause_start
            cursor = max(cursor, pause_end)
            probe += 1
        if cursor < end:
            yield cursor, end


def due_at(
    calendar: WorkingCalendar, started_at: dt.datetime, target: dt.timedelta, pauses: Sequence[Pause] = ()
) -> dt.datetime | None:
    """When `target` of working, unpaused time will have passed since `started_at`.

    None while a pause is open: the clock is stopped and its due time is not known yet.
    """
    if any(p.ended_at is None for p in pauses):
        return None
    remaining = int(target.total_seconds())
    if remaining <= 0:
        raise CalendarError("the target must be positive")
    start = calendar.to_local(started_at)
    for begin, end in _running_segments(calendar, start, _merged_pauses(calendar, pauses, None)):
        if end - begin >= remaining:
            return calendar.from_local(begin + remaining)
        remaining -= end - begin
    raise CalendarError("unreachable")  # pragma: no cover - working_intervals raises first


def working_time_between(
    calendar: WorkingCalendar, started_at: dt.datetime, until: dt.datetime, pauses: Sequence[Pause] = ()
) -> dt.timedelta:
    """Working, unpaused time from `started_at` to `until` (an open pause runs to `until`)."""
    start, stop = calendar.to_local(started_at), calendar.to_local(until)
    if stop <= start:
        return dt.timedelta(0)
    total = 0
    for begin, end in _running_segments(calendar, start, _merged_pauses(calendar, pauses, until), stop):
        if begin >= stop:
            break
        total += min(end, stop) - begin
    return dt.timedelta(seconds=total)


def chinese_public_days(years: Iterable[int]) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Mainland China's public holidays and make-up working days (调休) from python-holidays."""
    return _chinese_public_days(tuple(sorted(set(years))))


@lru_cache(maxsize=16)
def _chinese_public_days(years: tuple[int, ...]) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    import holidays

    calendar = holidays.China(years=list(years))
    return frozenset(calendar), frozenset(calendar.weekend_workdays)


def chinese_public_day_names(years: Iterable[int], language: str = "zh_CN") -> dict[dt.date, str]:
    """The names of mainland China's public holidays (国庆节, 春节 …) in `language` (zh_CN or en_US)."""
    return dict(_chinese_public_day_names(tuple(sorted(set(years))), language))


@lru_cache(maxsize=16)
def _chinese_public_day_names(years: tuple[int, ...], language: str) -> tuple[tuple[dt.date, str], ...]:
    import holidays

    return tuple(holidays.China(years=list(years), language=language).items())
