"""What the CTI API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema


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
