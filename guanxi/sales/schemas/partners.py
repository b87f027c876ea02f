import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema


class PartnerOut(Schema):
    id: int
    name: str
    region: str
    members: int


class PartnerPageOut(Schema):
    items: list[PartnerOut]
    next_cursor: str | None


class PartnerPeriodIn(Schema):
    start: dt.date | None = Field(None, description="first day (default: a year before today)")
    end: dt.date | None = Field(None, description="the day after the last (default: tomorrow)")


class PartnerPerformanceOut(Schema):
    partner: PartnerOut
    start: dt.date
    end: dt.date
    closed: int = Field(description="deals won or lost in the period")
    won: int
    won_amount: Decimal
    win_rate: float | None
    average_deal: Decimal | None
    cycle_days: float | None = Field(description="mean days from creation to winning")
    open_count: int
    open_amount: Decimal
    leads: int = Field(description="leads submitted in the period")
    leads_converted: int
    lead_conversion: float | None


class PartnerForecastIn(Schema):
    months: int = Field(6, ge=1, le=12, description="months ahead")


class PartnerMonthOut(Schema):
    month: dt.date
    won: Decimal


class PartnerForecastPointOut(Schema):
    month: dt.date
    mean: Decimal
    lower: Decimal = Field(description="80 % prediction interval, lower bound")
    upper: Decimal = Field(description="80 % prediction interval, upper bound")


class PartnerForecastOut(Schema):
    partner: PartnerOut
    available: bool
    reason: str = Field(description="why there is no forecast, when there is none")
    history: list[PartnerMonthOut]
    forecast: list[PartnerForecastPointOut]
