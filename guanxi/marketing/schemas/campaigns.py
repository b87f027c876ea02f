import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from guanxi.core.api import RefOut
from guanxi.core.schema import Schema
from guanxi.core.validators import SingleLine

MAX_ID = 2**63 - 1


class CampaignFieldsIn(Schema):
    """A campaign's details. The target group: `segments` (saved segments, any of them), `definition`
    (rules of the segments engine, e.g. province and value level), industries and occupations
    (comma-separated, any of them) and ages; the members are frozen at launch."""

    name: SingleLine | None = Field(None, max_length=100, examples=["春节宽带升级季"])
    objective: str | None = Field(None, max_length=2000)
    channels: list[str] | None = Field(None, max_length=3, description="sms, email, call", examples=[["sms"]])
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    send_time: str | None = Field(None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["10:00"],
                                  description="HH:MM, Beijing time")
    budget: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    message_subject: SingleLine | None = Field(None, max_length=200)
    message_text: str | None = Field(None, max_length=2000)
    definition: dict | None = Field(None, description='{"match": "all", "rules": [{"field": "province", …}]}')
    industries: SingleLine | None = Field(None, max_length=500)
    occupations: SingleLine | None = Field(None, max_length=500)
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    segments: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=50,
                                                                          description="saved segment ids")


class CampaignCreateIn(CampaignFieldsIn):
    name: SingleLine = Field(..., max_length=100, examples=["春节宽带升级季"])
    channels: list[str] = Field(..., max_length=3, examples=[["sms"]])
    starts_on: dt.date
    ends_on: dt.date


class CampaignFilterIn(Schema):
    status: str = Field("", max_length=20, description="draft, scheduled, running, completed, cancelled")


class CampaignOut(Schema):
    id: int
    name: str
    objective: str
    owner: RefOut
    status: str
    channels: list[str]
    starts_on: dt.date
    ends_on: dt.date
    send_time: str = Field(description="HH:MM")
    budget: Decimal
    message_subject: str
    message_text: str
    definition: dict
    industries: str
    occupations: str
    age_min: int | None
    age_max: int | None
    segments: list[RefOut]
    member_counts: dict[str, int]
    launched_at: dt.datetime | None
    sent_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime


class CampaignPageOut(Schema):
    items: list[CampaignOut]
    next_cursor: str | None


class CampaignLaunchOut(Schema):
    campaign: CampaignOut
    members: int


class CampaignMemberOut(Schema):
    id: int
    customer: RefOut
    status: str
    added_at: dt.datetime
    sent_at: dt.datetime | None
    responded_at: dt.datetime | None


class CampaignMemberPageOut(Schema):
    items: list[CampaignMemberOut]
    next_cursor: str | None


class CampaignMemberAddIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)


class CampaignResponseIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field(..., max_length=20, description="interested, question, not_interested, purchased, unsubscribe")
    channel: str = Field("", max_length=10)
    note: str = Field("", max_length=500)
    create_lead: bool = False


class CampaignResponseOut(Schema):
    id: int
    member: int
    customer: RefOut
    kind: str
    channel: str
    note: str
    responded_at: dt.datetime
    lead: int | None


class CampaignResponsePageOut(Schema):
    items: list[CampaignResponseOut]
    next_cursor: str | None


class CampaignExpenseIn(Schema):
    amount: Decimal = Field(..., max_digits=14, decimal_places=2)
    category: str = Field(..., max_length=20)
    spent_on: dt.date
    channel: str = Field("", max_length=10)
    description: str = Field("", max_length=200)


class CampaignExpenseDecisionIn(Schema):
    approve: bool


class CampaignExpenseOut(Schema):
    id: int
    amount: Decimal
    category: str
    channel: str
    spent_on: dt.date
    description: str
    status: str
    submitted_by: RefOut | None
    decided_by: RefOut | None
    decided_at: dt.datetime | None


class CampaignExpensePageOut(Schema):
    items: list[CampaignExpenseOut]
    next_cursor: str | None


class CampaignChannelRoiOut(Schema):
    channel: str
    revenue: Decimal
    expenses: Decimal
    roi: Decimal | None


class CampaignRoiOut(Schema):
    campaign: int
    revenue: Decimal
    expenses: Decimal
    roi: Decimal | None = Field(description="(attributed revenue − approved expenses) / approved expenses")
    revenue_by_source: dict[str, Decimal]
    sources: dict[str, str] = Field(description="what each source's money is")
    channels: list[CampaignChannelRoiOut]


class MarketingOptOutIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    channel: str = Field(..., max_length=10, description="all, sms, email, call")
    note: str = Field("", max_length=200)


class MarketingOptOutOut(Schema):
    id: int
    customer: RefOut
    channel: str
    source: str
    note: str
    created_at: dt.datetime


class MarketingOptOutPageOut(Schema):
    items: list[MarketingOptOutOut]
    next_cursor: str | None


class CampaignMemberTrackIn(Schema):
    status: str = Field(..., max_length=10, description="delivered or opened (a backend's delivery or open report)")
