import datetime as dt
from typing import Literal

from ninja import Field

from guanxi.core.api import PageOut, PageParams
from guanxi.core.schema import Schema

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


class RetentionRuleUpdateIn(Schema):
    period_days: int | None = Field(None, description="days the data is kept; each kind has its own bounds")
    action: Literal["delete", "anonymise"] | None = None
    is_enabled: bool | None = None


class RetentionRunOut(Schema):
    id: int | None = Field(description="null for a dry run (not recorded)")
    kind: str
    action: str
    period_days: int
    cutoff: dt.datetime
    status: str
    run_by: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    expired: int = Field(description="rows past the period when the run started")
    processed: int = Field(description="rows deleted or anonymised")
    kept: int = Field(description="rows kept: a legal hold or open business of their customer")
    changed: dict[str, int] = Field(description="rows changed or deleted per table")
    error: str


class RetentionRuleOut(Schema):
    id: int
    kind: str
    kind_label: str
    period_days: int
    min_days: int
    max_days: int
    action: str
    allowed_actions: list[str]
    is_enabled: bool
    updated_by: str | None
    updated_at: dt.datetime
    last_run: RetentionRunOut | None


class RetentionRuleListOut(Schema):
    items: list[RetentionRuleOut]


class RetentionRunFilterIn(PageParams):
    kind: Literal["", "calls", "outbound_messages", "inbound_sms", "leads", "import_files", "access_log",
                  "portal_accounts", "closed_customers"] = ""
    status: Literal["", "running", "done", "partial", "failed", "interrupted"] = ""


RetentionRunPageOut = PageOut[RetentionRunOut]
