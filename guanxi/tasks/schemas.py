import datetime as dt

from pydantic import Field

from guanxi.core.api import RefOut
from guanxi.core.schema import Schema

from .kinds import KINDS
from .models import Task

MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them
STATUSES = ", ".join(Task.Status.values)
PRIORITIES = "1 low, 2 normal, 3 high, 4 urgent"


class TaskFilterIn(Schema):
    mine: bool = Field(False, description="tasks that are mine to do (assigned to me, or my team's untaken ones)")
    team: bool = Field(False, description="my team's tasks")
    status: list[str] = Field(default_factory=list, description=f"repeat for several: {STATUSES}")
    kind: str = Field("", max_length=30, description=", ".join(KINDS))
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    assignee: int | None = Field(None, ge=1, le=MAX_ID)
    due_after: dt.datetime | None = Field(None, description="due at or after this moment")
    due_before: dt.datetime | None = Field(None, description="due strictly before this moment")



class SourceOut(Schema):
    type: str = Field(description="app_label.model of the record that asked for the task")
    id: int
    label: str
    url: str


class HandOverOut(Schema):
    at: dt.datetime
    by: RefOut | None
    from_assignee: RefOut | None
    from_team: RefOut | None
    to_assignee: RefOut | None
    to_team: RefOut | None
    note: str


class TaskOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject: str
    notes: str
    status: str
    priority: int
    customer: RefOut | None
    assignee: RefOut | None
    team: RefOut | None
    created_by: RefOut | None
    start_at: dt.datetime | None
    due_at: dt.datetime
    all_day: bool
    reminders: list[dt.datetime] = Field(description="appointment reminders not sent yet")
    closed_at: dt.datetime | None
    closed_by: RefOut | None
    outcome: str
    source: SourceOut | None
    created_at: dt.datetime


class TaskDetailOut(TaskOut):
    hand_overs: list[HandOverOut]


class TaskIn(Schema):
    kind: str = Field(..., max_length=30, description=", ".join(KINDS))
    subject: str = Field(..., max_length=200)
    notes: str = Field("", max_length=5000)
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    assignee: int | None = Field(None, ge=1, le=MAX_ID, description="default: me (unless a team is given)")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="default: the assignee's team")
    start_at: dt.datetime | None = None
    due_at: dt.datetime
    all_day: bool = False
    priority: int = Field(2, ge=1, le=4, description=PRIORITIES)
    reminders: list[dt.datetime] = Field(default_factory=list, max_length=5,
                                         description="when to remind the assignee (before the due time)")


class TaskPatchIn(Schema):
    kind: str | None = Field(None, max_length=30)
    subject: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=5000)
    customer: int | None = Field(None, ge=0, le=MAX_ID, description="0 takes the customer off")
    start_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    all_day: bool | None = None
    priority: int | None = Field(None, ge=1, le=4)
    reminders: list[dt.datetime] | None = Field(None, max_length=5, description="replaces the unsent reminders")


class TaskCompleteIn(Schema):
    outcome: str = Field("", max_length=5000)


class TaskCancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000)


class TaskReassignIn(Schema):
    assignee: int | None = Field(None, ge=1, le=MAX_ID)
    team: int | None = Field(None, ge=1, le=MAX_ID, description="default: the new assignee's team")
    note: str = Field("", max_length=5000)
