"""The period a scheduled report covers: the day before, the last complete week (Monday to Sunday)
or the last calendar month before the day it is sent."""

from __future__ import annotations

import datetime as dt


def report_period(cadence: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the last complete day, week or month before `today`."""
    if cadence == "daily":
        yesterday = today - dt.timedelta(days=1)
        return yesterday, yesterday
    if cadence == "weekly":
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return monday, monday + dt.timedelta(days=6)
    if cadence == "monthly":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    raise ValueError(cadence)
