"""The date dimension: one row per day with the calendar's levels (week, month, quarter, half-year,
year) and mainland China's working calendar — public holidays off, weekend make-up days (调休) on —
from the `holidays` library, the same source as the service desk's business calendars."""

from __future__ import annotations

import datetime as dt

import pandas as pd

DATE_COLUMNS = (("date", "date"), ("year", "int"), ("half_year", "int"), ("quarter", "int"), ("month", "int"),
                ("iso_year", "int"), ("iso_week", "int"), ("day_of_week", "int"), ("is_working_day", "bool"),
                ("is_holiday", "bool"), ("holiday_name", "str"))


def date_frame(first: dt.date, last: dt.date) -> pd.DataFrame:
    import holidays

    calendar = holidays.China(years=range(first.year, last.year + 1), language="zh_CN")
    make_up = set(calendar.weekend_workdays)
    rows = []
    day = first
    while day <= last:
        iso = day.isocalendar()
        is_holiday = day in calendar
        rows.append((day, day.year, 1 if day.month <= 6 else 2, (day.month - 1) // 3 + 1, day.month, iso.year,
                     iso.week, iso.weekday, day in make_up or (day.weekday() < 5 and not is_holiday), is_holiday,
                     calendar.get(day) or ""))
        day += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=[name for name, _ in DATE_COLUMNS])
