"""The date dimension: one row per day with the calendar's levels (week, month, quarter, half-year,
year, and the first day of each — what a period's rows are grouped by) and mainland China's
working calendar — public holidays off, weekend make-up days (调休) on — from the `holidays`
library, the same source as the service desk's business calendars."""

from __future__ import annotations

import datetime as dt

import pandas as pd

DATE_COLUMNS = (("date", "date"), ("year", "int"), ("half_year", "int"), ("quarter", "int"), ("month", "int"),
                ("iso_year", "int"), ("iso_week", "int"), ("day_of_week", "int"), ("is_working_day", "bool"),
                ("is_holiday", "bool"), ("holiday_name", "str"), ("week_start", "date"), ("month_start", "date"),
                ("quarter_start", "date"), ("year_start", "date"))


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
                     calendar.get(day) or "", day - dt.timedelta(days=iso.weekday - 1), day.replace(day=1),
                     dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1), dt.date(day.year, 1, 1)))
        day += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=[name for name, _ in DATE_COLUMNS])


# The small conformed dimensions that are code lists of the product (not tables): code → label in
# Chinese and English, so that a query or an export names them without the application's catalogues.
LABEL_COLUMNS = (("code", "str"), ("name_zh", "str"), ("name_en", "str"))


def _choices() -> dict[str, list]:
    from guanxi.customers.enums import CustomerKind, InteractionChannel, LifecycleStage
    from guanxi.customers.regions import PROVINCES
    from guanxi.servicedesk.enums import Channel, TicketType

    return {"dim_segment": list(CustomerKind.choices), "dim_stage": list(LifecycleStage.choices),
            "dim_channel": list({**dict(InteractionChannel.choices), **dict(Channel.choices)}.items()),
            "dim_case_type": list(TicketType.choices),
            "dim_region": [(p, p) for p in PROVINCES]}


def label_frames() -> dict[str, pd.DataFrame]:
    from django.utils import translation

    frames = {}
    for name, choices in _choices().items():
        rows = []
        for code, label in choices:
            with translation.override("zh-hans"):
                chinese = str(label)
            with translation.override("en"):
                english = str(label)
            rows.append((str(code), chinese, english))
        frames[name] = pd.DataFrame(rows, columns=[column for column, _ in LABEL_COLUMNS])
    return frames
