import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

from ..models import Opportunity

MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them
STATUSES = ", ".join(Opportunity.Status.values)
AMOUNT = {"max_digits": 14, "decimal_places": 2}


class SalesRefOut(Schema):
    id: int
    name: str



class OpportunityFilterIn(Schema):
    status: list[str] = Field(default_factory=list, description=f"repeat for several: {STATUSES}")
    stage: int | None = Field(None, ge=1, le=MAX_ID)
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    team: int | None = Field(None, ge=1, le=MAX_ID)
    channel: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="deals I own")
    close_after: dt.date | None = Field(None, description="expected to close on or after")
    close_before: dt.date | None = Field(None, description="expected to close on or before")
    min_amount: Decimal | None = Field(None, ge=0, **AMOUNT)
    q: str = Field("", max_length=100, description="words in the deal's or the customer's name")


class CompetitorIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=500)


class CompetitorOut(Schema):
    name: str
    note: str


class OpportunityIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=200)
    amount: Decimal = Field(..., **AMOUNT, description="0 or more, in yuan")
    expected_close_date: dt.date
    stage: int | None = Field(None, ge=1, le=MAX_ID, description="an open stage (default: the first)")
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="the representative (default: you)")
    probability: int | None = Field(None, description="0 to 100 (default: the stage's)")
    channel: int | None = Field(None, ge=1, le=MAX_ID, description="the sales channel (销售方式)")
    source: str = Field("", max_length=100)
    campaign: int | None = Field(None, ge=1, le=MAX_ID, description="the launched campaign the deal is attributed to")
    competitors: list[CompetitorIn] = Field(default_factory=list, max_length=20)


VERSION_HELP = "the version read (as If-Match); older than the deal's: 409 with what changed"


class OpportunityUpdateIn(Schema):
    """Only the fields given change; `probability: null` gives the probability back to the stage."""

    name: str | None = Field(None, min_length=1, max_length=200)
    amount: Decimal | None = Field(None, **AMOUNT)
    expected_close_date: dt.date | None = None
    probability: int | None = Field(None, description="0 to 100; null: the stage's default")
    channel: int | None = Field(None, ge=1, le=MAX_ID)
    source: str | None = Field(None, max_length=100)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    campaign: int | None = Field(None, ge=1, le=MAX_ID, description="a launched campaign; null: none")
    competitors: list[CompetitorIn] | None = Field(None, max_length=20)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)


class MoveIn(Schema):
    stage: int = Field(..., ge=1, le=MAX_ID, description="an open stage (win and lose have their own calls)")
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)


class WinIn(Schema):
    reason: int | None = Field(None, ge=1, le=MAX_ID, description="a won reason")
    note: str = Field("", max_length=500)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)


class LoseIn(Schema):
    reason: int = Field(..., ge=1, le=MAX_ID, description="a lost reason")
    note: str = Field("", max_length=500)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)


class StageMoveOut(Schema):
    from_stage: SalesRefOut | None
    to_stage: SalesRefOut
    changed_at: dt.datetime
    changed_by: SalesRefOut | None
    seconds_in_previous: int | None


class OpportunityOut(Schema):
    id: int
    name: str
    customer: SalesRefOut
    owner: SalesRefOut
    team: SalesRefOut | None
    amount: Decimal
    weighted_amount: Decimal
    expected_close_date: dt.date
    probability: int
    probability_overridden: bool
    stage: SalesRefOut
    stage_entered_at: dt.datetime
    status: str
    channel: SalesRefOut | None
    source: str = Field(description="a lead source's code (web_form, outlet…) or free text")
    source_label: str = Field(description="the source in words")
    campaign: SalesRefOut | None
    reason: SalesRefOut | None
    reason_note: str
    closed_at: dt.datetime | None
    created_at: dt.datetime
    version: int = Field(..., description="counts the deal's saves; also its ETag, for If-Match")
    competitors: list[CompetitorOut]


class OpportunityDetailOut(OpportunityOut):
    stage_history: list[StageMoveOut]


class OpportunityPageOut(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None = Field(None, description="pass it back as `cursor` for the next page; null at the end")


class StageIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    order: int = Field(..., ge=0, le=1000)
    probability: int = Field(..., description="default win probability, 0 to 100")
    is_won: bool = False
    is_lost: bool = False
    is_active: bool = True


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int
    is_won: bool
    is_lost: bool
    is_active: bool


class DealReasonOut(Schema):
    id: int
    kind: str
    name: str
    is_active: bool


class ChannelOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool


class StagePageOut(Schema):
    items: list[StageOut]
    next_cursor: str | None = None


class DealReasonPageOut(Schema):
    items: list[DealReasonOut]
    next_cursor: str | None = None


class ChannelPageOut(Schema):
    items: list[ChannelOut]
    next_cursor: str | None = None
