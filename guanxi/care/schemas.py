import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

MAX_ID = 2**63 - 1


class CareRuleIn(Schema):
    name: str = Field(..., max_length=200)
    segment: int | None = Field(None, ge=1, le=MAX_ID, description="segment id; empty: every customer")
    occasion: str = Field(..., max_length=30, description="birthday, public_holiday, lunar_festival, "
                                                          "contract_anniversary, key_account")
    occasion_key: str = Field("", max_length=20, description="the festival (spring, lantern, dragon_boat, qixi, "
                                                             "mid_autumn, double_ninth, laba) or holiday "
                                                             "(new_year, labour_day, national_day) or "
                                                             "key-account celebration (account_anniversary, "
                                                             "key_person_birthday)")
    lead_days: int = Field(0, ge=0, le=60)
    action: str = Field(..., max_length=20)
    channel: str = Field(..., max_length=10, description="sms, email or task")
    template: str = Field("", max_length=2000, description="{name}: the customer's name")
    subject: str = Field("", max_length=300)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    cost_per_action: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    assignee: int | None = Field(None, ge=1, le=MAX_ID)
    is_enabled: bool = True


class CareRuleUpdateIn(Schema):
    name: str | None = Field(None, max_length=200)
    segment: int | None = Field(None, ge=1, le=MAX_ID)
    occasion: str | None = Field(None, max_length=30)
    occasion_key: str | None = Field(None, max_length=20)
    lead_days: int | None = Field(None, ge=0, le=60)
    action: str | None = Field(None, max_length=20)
    channel: str | None = Field(None, max_length=10)
    template: str | None = Field(None, max_length=2000)
    subject: str | None = Field(None, max_length=300)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    cost_per_action: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    assignee: int | None = Field(None, ge=1, le=MAX_ID)
    is_enabled: bool | None = None


class CareRuleOut(Schema):
    id: int
    name: str
    segment: int | None
    occasion: str
    occasion_key: str
    lead_days: int
    action: str
    channel: str
    template: str
    subject: str
    budget: Decimal | None
    cost_per_action: Decimal
    assignee: int | None
    is_enabled: bool
    spent_this_year: Decimal
    updated_at: dt.datetime


class CareRulePageOut(Schema):
    items: list[CareRuleOut]
    next_cursor: str | None


class CareTaskFilterIn(Schema):
    open: bool = Field(False, description="only tasks still open")


class CareTaskOut(Schema):
    id: int
    rule: int
    rule_name: str
    customer: int
    customer_name: str
    mobile: str
    occasion: str
    occasion_date: dt.date
    action: str
    cost: Decimal
    task: int
    status: str
    assignee: str
    due_at: dt.datetime
    outcome: str


class CareTaskPageOut(Schema):
    items: list[CareTaskOut]
    next_cursor: str | None


class CareTaskCompleteIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=5000)
