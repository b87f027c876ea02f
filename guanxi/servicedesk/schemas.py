import datetime as dt

from ninja import Schema
from pydantic import Field

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


class RefOut(Schema):
    id: int
    name: str


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
    clocks: list[ClockOut]
    pauses: list[PauseOut]
    messages: list[MessageOut]
    assignments: list[AssignmentOut]


class MessageIn(Schema):
    kind: str = Field("reply", max_length=10, description="reply, note or recorded (what the customer said, taken "
                      "down by staff); customer messages come from the customer's channels only")
    body: str = Field(..., min_length=1, max_length=20_000)


class TransitionIn(Schema):
    status: str = Field(..., max_length=20)
    reason: str = Field("", max_length=200)
    occurred_at: dt.datetime | None = Field(
        None, description="when the move happened (imports of history); default now; never in the future, "
                          "before the case opened, or (a resume) before its pause")


class AssignIn(Schema):
    assignee: int
    note: str = Field("", max_length=5000)


class MergeIn(Schema):
    into: int


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


class ComplaintOpenIn(Schema):
    severity: str = Field("normal", max_length=10)
    note: str = Field("", max_length=5000)


class ComplaintStepIn(Schema):
    stage: str = Field(..., max_length=20)
    note: str = Field("", max_length=5000)
    classification: str = Field("", max_length=100)
    responsible_team: int | None = None
    severity: str | None = Field(None, max_length=10)
    outcome: str = Field("satisfied", max_length=20,
                         description="verifying: the callback's outcome, satisfied or neutral")


class ComplaintReopenIn(Schema):
    note: str = Field(..., min_length=1, max_length=5000)


class ComplaintStepOut(Schema):
    stage: str
    actor: str | None
    note: str
    at: dt.datetime


class ComplaintOut(Schema):
    id: int
    ticket_id: int
    stage: str
    severity: str
    classification: str
    responsible_team: RefOut | None
    repeat_count: int
    reopen_count: int
    steps: list[ComplaintStepOut]
    next_stage: str | None = Field(None, description="the step to take next; none once verified")
    callbacks: list["CallbackOut"] = Field(default_factory=list, description="the case's callbacks (回访)")


class CallbackOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    assignee: RefOut | None
    due_at: dt.datetime
    outcome: str
    note: str
    done_at: dt.datetime | None


class CallbackIn(Schema):
    outcome: str = Field(..., max_length=20)
    note: str = Field("", max_length=5000)


class ArticleIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=100_000)
    category: int | None = None


class ArticleReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class ArticleUseIn(Schema):
    ticket: int | None = None


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: RefOut | None
    status: str
    version: int
    published_at: dt.datetime | None
    usage_count: int
    score: float | None = None


class CtiEventIn(Schema):
    event_id: str = Field(..., min_length=1, max_length=100)
    type: str = Field(..., max_length=20)
    call_id: str = Field(..., min_length=1, max_length=100)
    at: dt.datetime | None = None
    caller: str = Field("", max_length=40)
    agent: str | None = Field(None, max_length=150, description="the answering agent's username")
    key: str = Field("", max_length=5, description="IVR key pressed")


class CtiAckOut(Schema):
    accepted: bool
    duplicate: bool


class CallPopOut(Schema):
    call_id: str
    caller: str
    status: str
    started_at: dt.datetime
    customer: dict | None


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


class CategoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    parent: int | None = Field(None, description="the parent category's id; empty for a top-level category")


class CategoryOut(Schema):
    id: int
    name: str
    parent: int | None
    path: str
    depth: int
    is_used: bool


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


ComplaintOut.model_rebuild()  # its callbacks are CallbackOut, defined after it
