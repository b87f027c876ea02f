import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema

from ..models import Commitment
from .tickets import RefOut

KINDS = ", ".join(Commitment.Kind.values)
MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them
STATUSES = ", ".join(Commitment.Status.values)


class CommitmentFilterIn(Schema):
    status: list[str] = Field(default_factory=list, description=f"repeat for several: {STATUSES}")
    kind: str = Field("", max_length=20, description=KINDS)
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    ticket: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="who made the promise")
    mine: bool = Field(False, description="promises I made")
    follow_up_mine: bool = Field(False, description="broken promises I must follow up")
    due_before: dt.datetime | None = Field(None, description="due strictly before this moment")
    due_after: dt.datetime | None = Field(None, description="due at or after this moment")


class CursorParams(Schema):
    cursor: str = Field("", max_length=200, description="next_cursor of the previous page; empty: the first")
    limit: int = Field(50, ge=1, le=200)


class TicketRefOut(Schema):
    id: int
    number: str


class CommitmentOut(Schema):
    id: int
    kind: str
    description: str
    status: str
    customer: RefOut | None
    ticket: TicketRefOut | None
    promised_by: RefOut
    team: RefOut | None
    promised_at: dt.datetime
    due_at: dt.datetime
    within_working_hours: int | None
    calendar: RefOut | None
    closed_at: dt.datetime | None
    closed_by: RefOut | None
    reason: str
    follow_up_to: RefOut | None
    follow_up_at: dt.datetime | None


class CommitmentPageOut(Schema):
    items: list[CommitmentOut]
    next_cursor: str | None = Field(description="pass it back as `cursor` for the next page; null at the end")


class CommitmentIn(Schema):
    kind: str = Field(..., max_length=20, description=KINDS)
    description: str = Field(..., max_length=500, description="what was promised")
    ticket: int | None = Field(None, ge=1, le=MAX_ID, description="the case it was promised on")
    customer: int | None = Field(None, ge=1, le=MAX_ID, description="the customer (the case's customer when omitted)")
    due_at: dt.datetime | None = Field(None, description="by this time (give either this or within_working_hours)")
    within_working_hours: int | None = Field(None, ge=1, le=1000,
                                             description="within N working hours on the business calendar")
    calendar: int | None = Field(None, ge=1, le=MAX_ID,
                                 description="the business calendar (default: the case's, or the first with "
                                             "China's public holidays)")


class CommitmentKeepIn(Schema):
    kept_at: dt.datetime | None = Field(None, description="when it was kept (default: now)")
    note: str = Field("", max_length=2000)


class CommitmentReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class KeptRowOut(Schema):
    team: str | None
    kind: str
    due: int
    kept: int
    broken: int
    rate: float = Field(description="kept / due, 0 to 1")


class KeptReportIn(Schema):
    since: dt.date = Field(..., description="first day (due dates, local time)")
    until: dt.date = Field(..., description="last day, included")
