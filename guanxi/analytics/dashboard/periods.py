"""Periods of the dashboard: a month, a quarter or a year, named by its first day; the figures of a
period are compared with the period before it, and charted over the last few periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHS = {"month": 1, "quarter": 3, "year": 12}
# How many periods a chart shows, the chosen one last.
SPAN = {"month": 12, "quarter": 8, "year": 5}
# The date dimension's column that names each kind of period.
START_COLUMN = {"month": "month_start", "quarter": "quarter_start", "year": "year_start"}
EARLIEST = dt.date(2000, 1, 1)


class ImpossiblePeriod(ValueError):
    """A period that does not start on its kind's boundary, is too early or lies in the future."""


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def start_of(kind: str, day: dt.date) -> dt.date:
    month = (day.month - 1) // MONTHS[kind] * MONTHS[kind] + 1
    return dt.date(day.year, month, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return add_months(self.start, MONTHS[self.kind])

    @property
    def months(self) -> int:
        return MONTHS[self.kind]

    def is_running(self, today: dt.date) -> bool:
        """Whether the period has not ended yet (its figures are a part of it, not the whole)."""
        return self.start <= today < self.end

    def shifted(self, steps: int) -> Period:
        return Period(self.kind, add_months(self.start, steps * MONTHS[self.kind]))

    @property
    def previous(self) -> Period:
        return self.shifted(-1)

    def window(self) -> list[Period]:
        """The periods a chart shows, oldest first, this one last."""
        return [self.shifted(-steps) for steps in range(SPAN[self.kind] - 1, -1, -1)]

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


def current_period(kind: str, today: dt.date) -> Period:
    """The period of `kind` holding today (still running)."""
    return Period(kind, start_of(kind, today))


def period_for(kind: str, start: dt.date | None, today: dt.date) -> Period:
    """The period of `kind` starting on `start` (default: the last whole one — the period holding today
    has only run part of its course, and compared with a whole one it would always look like a fall);
    refused when the kind is unknown, the start is not its first day, before 2000 or after the current period."""
    if kind not in MONTHS:
        raise ImpossiblePeriod("kind")
    current = start_of(kind, today)
    if start is None:
        return Period(kind, current).previous
    if start != start_of(kind, start) or start < EARLIEST or start > current:
        raise ImpossiblePeriod("start")
    return Period(kind, start)
