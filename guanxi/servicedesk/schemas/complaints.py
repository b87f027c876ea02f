"""What the complaint workflow API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema

from .callbacks import CallbackOut
from .tickets import RefOut


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
