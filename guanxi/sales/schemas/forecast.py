import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

from .opportunities import AMOUNT, MAX_ID, SalesRefOut


class ForecastIn(Schema):
    period: str = Field("month", description="month or quarter")
    start: dt.date | None = Field(None, description="a day in the first period (default: today)")
    periods: int = Field(6, ge=1, le=24)
    team: int | None = Field(None, ge=1, le=MAX_ID, description="one team")
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="one representative")


class ForecastRowOut(Schema):
    period: str
    start: dt.date
    end: dt.date = Field(description="the day after the period")
    pipeline: Decimal = Field(description="open deals expected to close in the period")
    weighted: Decimal = Field(description="Σ amount × probability / 100 of those deals")
    won: Decimal = Field(description="deals won in the period")
    expected: Decimal = Field(description="won + weighted")
    quota: Decimal | None
    attainment: float | None = Field(description="won / quota")


class RepForecastIn(Schema):
    period: str = Field("month", description="month or quarter")
    start: dt.date | None = Field(None, description="a day in the period (default: today)")
    team: int = Field(..., ge=1, le=MAX_ID)


class RepRowOut(Schema):
    representative: SalesRefOut
    weighted: Decimal
    won: Decimal
    quota: Decimal | None
    attainment: float | None


class FunnelIn(Schema):
    team: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)


class FunnelRowOut(Schema):
    stage: SalesRefOut
    probability: int
    count: int
    amount: Decimal
    weighted: Decimal


class QuotaFilterIn(Schema):
    period: str = Field("", description="month or quarter")
    start: dt.date | None = Field(None, description="the period's first day")
    cursor: str = Field("", max_length=1000)
    limit: int = Field(50, ge=1, le=200)


class QuotaIn(Schema):
    period: str = Field(..., description="month or quarter")
    period_start: dt.date = Field(..., description="the first day of the month or quarter")
    amount: Decimal = Field(..., **AMOUNT)
    user: int | None = Field(None, ge=1, le=MAX_ID, description="a representative (or give team)")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="a sales team (or give user)")


class QuotaOut(Schema):
    id: int
    period: str
    period_start: dt.date
    user: SalesRefOut | None
    team: SalesRefOut | None
    amount: Decimal


class QuotaPageOut(Schema):
    items: list[QuotaOut]
    next_cursor: str | None = None
