import datetime as dt

from ninja import Field, Schema

from guanxi.core.api import PageOut, PageParams


class DataRequestIn(Schema):
    customer: int
    note: str = Field("", max_length=500)


class ReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class DataRequestFilterIn(PageParams):
    kind: str = Field("", max_length=10)
    status: str = Field("", max_length=10)
    customer: int | None = None


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
