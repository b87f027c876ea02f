"""What the service standards API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema


class StandardIn(Schema):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=100)
    metric: str = Field(..., max_length=20)
    ticket_type: str = Field("", max_length=20)
    priority: int | None = Field(None, ge=1, le=4)
    customer_tier: str = Field("", max_length=10)
    target_minutes: int
    calendar: int
    warning_percent: int = 80
    breach_actions: list[str] = Field(default_factory=list, max_length=4)
    is_active: bool = True


class StandardOut(Schema):
    id: int
    code: str
    name: str
    metric: str
    ticket_type: str
    priority: int | None
    customer_tier: str
    target_minutes: int
    calendar_id: int
    warning_percent: int
    breach_actions: list[str]
    is_active: bool


class AttainmentFilterIn(Schema):
    since: dt.date
    until: dt.date
    group_by: list[str] = Field(default_factory=lambda: ["standard"],
                                description="any of: standard, metric, tier, team, type")
    period: str | None = Field("month", description="day, week, month, or empty for the whole range")


class AttainmentRowOut(Schema):
    period: dt.datetime | None
    group: dict[str, str | None]
    total: int
    met: int
    breached: int
    rate: float
