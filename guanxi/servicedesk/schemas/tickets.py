"""What the cases API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.api import RefOut
from guanxi.core.schema import Schema
from guanxi.core.validators import SingleLine


class TicketIn(Schema):
    subject: SingleLine = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    type: str = Field(..., max_length=20, examples=["fault"])
    channel: str = Field(..., max_length=20, examples=["hotline"])
    priority: int = Field(2, ge=1, le=4)
    category: int | None = None
    customer: int | None = None
    occurred_at: dt.datetime | None = Field(
        None, description="when the case was opened (imports of history); default now, never in the future")


class TicketFilterIn(Schema):
    status: list[str] = Field(default_factory=list, description="repeat for several; 'open' = every open status")
    mine: bool = False
    owner: int | None = None
    team: int | None = None
    type: str = Field("", max_length=20)
    priority: int | None = Field(None, ge=1, le=4)
    customer: int | None = None
    breached: bool | None = None
    q: str = Field("", max_length=100, description="case number or words of the subject")



class ClockOut(Schema):
    metric: str
    state: str
    target_minutes: int
    started_at: dt.datetime
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None
    standard: str


class PauseOut(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str


class MessageOut(Schema):
    id: int
    kind: str
    author: str | None
    body: str
    created_at: dt.datetime
    attachment: str | None = Field(None, description="download address of the attached file")


class AssignmentOut(Schema):
    id: int
    assignee: RefOut
    handover_note: str
    is_active: bool
    created_at: dt.datetime


class TicketRowOut(Schema):
    id: int
    number: str
    subject: str
    type: str
    channel: str
    priority: int
    status: str
    customer: RefOut | None
    owner: RefOut | None
    team: RefOut | None
    next_due_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TicketOut(TicketRowOut):
    description: str
    category: RefOut | None
    customer_tier: str
    merged_into: int | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    version: int = Field(..., description="counts the case's saves; also its ETag, for If-Match")
    clocks: list[ClockOut]
    pauses: list[PauseOut]
    messages: list[MessageOut]
    assignments: list[AssignmentOut]


class MessageIn(Schema):
    kind: str = Field("reply", max_length=10, description="reply, note or recorded (what the customer said, taken "
                      "down by staff); customer messages come from the customer's channels only")
    body: str = Field(..., min_length=1, max_length=20_000)


VERSION_HELP = "the version read (as If-Match); older than the case's: 409 with what changed"


class TransitionIn(Schema):
    status: str = Field(..., max_length=20)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)
    reason: str = Field("", max_length=200)
    occurred_at: dt.datetime | None = Field(
        None, description="when the move happened (imports of history); default now; never in the future, "
                          "before the case opened, or (a resume) before its pause")


class AssignIn(Schema):
    assignee: int
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)
    note: str = Field("", max_length=5000)


class TicketMergeIn(Schema):
    into: int



def ref_out(obj) -> dict | None:
    """A RefOut of a model instance (its id and its name as shown), or None."""
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None
