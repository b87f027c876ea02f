"""What the business calendars API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema


class CalendarIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    timezone: str = Field("Asia/Shanghai", max_length=50)
    holiday_region: str = Field("CN", max_length=10)
    makeup_template: int = Field(0, ge=0, le=6)
    periods: dict[int, list[tuple[int, int]]] = Field(
        ..., description="weekday (0 = Monday) → [[start_minute, end_minute], …]; 1440 = 24:00"
    )


class CalendarExceptionIn(Schema):
    date: dt.date
    periods: list[tuple[int, int]] = Field(default_factory=list, description="empty: closed")
    note: str = Field("", max_length=100)


class CalendarOut(Schema):
    id: int
    name: str
    timezone: str
    holiday_region: str
    makeup_template: int
    periods: dict[int, list[tuple[int, int]]]
    exceptions: list[CalendarExceptionIn]


class CalendarDaysIn(Schema):
    from_: dt.date = Field(..., alias="from", description="first day (inclusive)")
    to: dt.date = Field(..., description="last day (inclusive); at most 366 days from `from`")
    cursor: str = Field("", max_length=100, description="`next_cursor` of the previous page")
    limit: int = Field(100, ge=1, le=366)


class CalendarDayOut(Schema):
    date: dt.date
    weekday: int = Field(..., description="0 Monday … 6 Sunday")
    kind: str = Field(..., description="working, rest, holiday, makeup (调休 working day) or exception")
    is_working: bool
    name: str
    periods: list[tuple[int, int]] = Field(..., description="working periods, minutes since midnight")


class CalendarDaysOut(Schema):
    items: list[CalendarDayOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page")
