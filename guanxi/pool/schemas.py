import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema

MAX_ID = 2**63 - 1


class PoolRefOut(Schema):
    id: int
    name: str


class PoolFilterIn(Schema):
    q: str = Field("", max_length=100, description="the start of the name")
    province: str = Field("", max_length=20, description="leads: the province")
    tier: str = Field("", max_length=10, description="customers: value tier (vip, large, medium, small)")


class PoolLeadOut(Schema):
    id: int
    name: str
    company_name: str
    mobile: str
    email: str
    province: str
    city: str
    source: str
    status: str
    created_at: dt.datetime


class PoolLeadPageOut(Schema):
    items: list[PoolLeadOut]
    next_cursor: str | None


class PoolCustomerOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    mobile: str
    tier: str
    updated_at: dt.datetime


class PoolCustomerPageOut(Schema):
    items: list[PoolCustomerOut]
    next_cursor: str | None


class PoolRecordIn(Schema):
    record: str = Field(..., description="lead or customer")
    id: int = Field(..., ge=1, le=MAX_ID)


class PoolAssignIn(PoolRecordIn):
    owner: int = Field(..., ge=1, le=MAX_ID)


class PoolHoldingOut(Schema):
    record: str
    id: int
    name: str
    how: str
    since: dt.datetime
    last_activity: dt.datetime
    returns_on: dt.date | None
    days_left: int | None
    warned: bool


class PoolClaimOut(Schema):
    record: str
    id: int
    owner: PoolRefOut
    since: dt.datetime
    held: int
    limit: int


class PoolRuleIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str
    applies_to: str = "customer"
    days: int = Field(..., ge=1, le=3650)
    day_kind: str = "calendar"
    warn_days: int = Field(0, ge=0, le=3650)
    tiers: list[str] = Field(default_factory=list)
    is_enabled: bool = True


class PoolRuleUpdateIn(Schema):
    name: str | None = Field(None, max_length=100)
    days: int | None = Field(None, ge=1, le=3650)
    day_kind: str | None = None
    warn_days: int | None = Field(None, ge=0, le=3650)
    tiers: list[str] | None = None
    is_enabled: bool | None = None


class PoolRuleOut(Schema):
    id: int
    name: str
    kind: str
    applies_to: str
    days: int
    day_kind: str
    warn_days: int
    tiers: list[str]
    is_enabled: bool


class PoolRulePageOut(Schema):
    items: list[PoolRuleOut]
    next_cursor: str | None


class PoolEventFilterIn(Schema):
    kind: str = Field("", max_length=10)
    record: str = Field("", max_length=10)
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    lead: int | None = Field(None, ge=1, le=MAX_ID)


class PoolEventOut(Schema):
    id: int
    kind: str
    record: str
    record_id: int
    record_name: str
    owner: PoolRefOut | None
    actor: PoolRefOut | None
    rule: str
    at: dt.datetime


class PoolEventPageOut(Schema):
    items: list[PoolEventOut]
    next_cursor: str | None
