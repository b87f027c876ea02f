import datetime as dt
from typing import Literal

from ninja import Field, Schema

from guanxi.core.api import PageOut, PageParams

MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them


class DataRequestIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    note: str = Field("", max_length=500)


class ReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class DataRequestFilterIn(PageParams):
    kind: str = Field("", max_length=10)
    status: str = Field("", max_length=10)
    customer: int | None = Field(None, ge=1, le=MAX_ID)


class DataRequestOut(Schema):
    id: int
    kind: str
    status: str
    customer: int
    note: str
    requested_by: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str
    executed_by: str | None
    executed_at: dt.datetime | None
    result: dict
    created_at: dt.datetime


DataRequestPageOut = PageOut[DataRequestOut]


class AccessLogFilterIn(PageParams):
    staff: str = Field("", max_length=150, description="username or user id")
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: Literal["", "page", "api", "export"] = ""


class AccessLogOut(Schema):
    id: int
    at: dt.datetime
    user_id: int
    username: str
    user_name: str
    customer: int | None
    customer_count: int
    customer_ids: list[int] = Field(description="an export's customers (the first 100; customer_count has them all)")
    fields: list[str]
    channel: str
    path: str
    request_id: str


AccessLogPageOut = PageOut[AccessLogOut]
