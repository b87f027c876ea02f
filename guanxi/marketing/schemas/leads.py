import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.api import RefOut
from guanxi.core.schema import Schema
from guanxi.core.validators import SingleLine

from ..enums import Authority, DisqualifyReason, LeadSource, LeadStatus, Timeline

MAX_ID = 2**63 - 1
STATUSES = ", ".join(LeadStatus.values)
SOURCES = ", ".join(LeadSource.values)


class LeadFilterIn(Schema):
    status: list[str] = Field(default_factory=list, description=f"repeat for several: {STATUSES}")
    source: list[str] = Field(default_factory=list, description=f"repeat for several: {SOURCES}")
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="the owner's user id")
    mine: bool = Field(False, description="leads I own")
    unowned: bool = Field(False, description="leads nobody owns (the pool)")
    q: str = Field("", max_length=100, description="a phone or e-mail exactly, or the start of a name or company")
    created_after: dt.datetime | None = Field(None, description="captured at or after this moment")
    created_before: dt.datetime | None = Field(None, description="captured strictly before this moment")


class LeadFieldsIn(Schema):
    """A lead's details; phones and e-mail are normalised as a customer's are."""

    person_name: SingleLine | None = Field(None, max_length=100, examples=["王芳"])
    company_name: SingleLine | None = Field(None, max_length=100, examples=["深圳华星科技有限公司"])
    mobile: SingleLine | None = Field(None, max_length=40, examples=["13800138000"])
    phone: SingleLine | None = Field(None, max_length=40, examples=["0755-88886666"])
    email: SingleLine | None = Field(None, max_length=254)
    province: SingleLine | None = Field(None, max_length=20, examples=["广东省"])
    city: SingleLine | None = Field(None, max_length=30)
    industry: SingleLine | None = Field(None, max_length=50)
    source_detail: SingleLine | None = Field(None, max_length=100)
    interest: str | None = Field(None, max_length=2000)
    budget: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    need: SingleLine | None = Field(None, max_length=500)
    timeline: str | None = Field(None, max_length=20, description=", ".join(Timeline.values))
    authority: str | None = Field(None, max_length=20, description=", ".join(Authority.values))


class LeadCreateIn(LeadFieldsIn):
    source: str = Field(LeadSource.API, max_length=20, description=SOURCES)
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="the owner's user id; default: the caller if "
                                                                  "they may own leads, else nobody (the pool)")
    to_pool: bool = Field(False, description="leave the lead unowned (in the pool)")


class LeadUpdateIn(LeadFieldsIn):
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="give the lead to this user (managers)")
    to_pool: bool = Field(False, description="return the lead to the pool (managers, or its owner)")


class LeadQualifyIn(Schema):
    budget: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    need: SingleLine | None = Field(None, max_length=500)
    timeline: str | None = Field(None, max_length=20, description=", ".join(Timeline.values))
    authority: str | None = Field(None, max_length=20, description=", ".join(Authority.values))
    note: SingleLine = Field("", max_length=500)


class LeadDisqualifyIn(Schema):
    reason: str = Field(..., max_length=20, description=", ".join(DisqualifyReason.values))
    note: SingleLine = Field("", max_length=500, description="required when the reason is other")


class LeadContactIn(Schema):
    note: SingleLine = Field("", max_length=500)



class LeadMatchOut(Schema):
    id: int
    name: str
    reasons: list[str]


class DuplicatesOut(Schema):
    leads: list[LeadMatchOut]
    customers: list[LeadMatchOut]
    hidden_leads: int = Field(description="matching leads the caller may not see")
    hidden_customers: int = Field(description="matching customers the caller may not see")


class LeadOut(Schema):
    id: int
    person_name: str
    company_name: str
    mobile: str
    phone: str
    email: str
    province: str
    city: str
    industry: str
    source: str
    source_detail: str
    interest: str
    status: str
    disqualify_reason: str
    status_note: str
    budget: Decimal | None
    need: str
    timeline: str
    authority: str
    owner: RefOut | None
    created_by: RefOut | None
    customer: RefOut | None
    contacted_at: dt.datetime | None
    qualified_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    personal_data_masked: bool


class LeadCreatedOut(LeadOut):
    duplicates: DuplicatesOut
