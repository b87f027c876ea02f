"""What the callbacks API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema

from .tickets import RefOut


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
