import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

from ..models import SalesExpense
from .opportunities import AMOUNT, MAX_ID, SalesRefOut

CATEGORIES = ", ".join(SalesExpense.Category.values)


class ExpenseFilterIn(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    rep: int | None = Field(None, ge=1, le=MAX_ID)
    team: int | None = Field(None, ge=1, le=MAX_ID)
    category: str = Field("", max_length=20, description=CATEGORIES)
    monthly: bool | None = Field(None, description="true: the teams' monthly figures; false: entries only")


class ExpenseIn(Schema):
    spent_on: dt.date = Field(description="the day (for a monthly figure: any day of its month)")
    amount: Decimal = Field(..., **AMOUNT, description="above 0, in yuan")
    rep: int | None = Field(None, ge=1, le=MAX_ID,
                            description="who spent it (default: you); null with `team`: the team's monthly figure")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="only for a team's monthly figure")
    category: str = Field("", max_length=20, description=f"required for a representative's entry: {CATEGORIES}")
    channel: int | None = Field(None, ge=1, le=MAX_ID, description="the sales method (default: the deal's)")
    opportunity: int | None = Field(None, ge=1, le=MAX_ID)
    customer: int | None = Field(None, ge=1, le=MAX_ID, description="default: the deal's customer")
    note: str = Field("", max_length=200)


class ExpenseUpdateIn(Schema):
    spent_on: dt.date
    amount: Decimal = Field(..., **AMOUNT)
    category: str = Field("", max_length=20)
    channel: int | None = Field(None, ge=1, le=MAX_ID)
    opportunity: int | None = Field(None, ge=1, le=MAX_ID)
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=200)


class ExpenseOut(Schema):
    id: int
    spent_on: dt.date | None
    month: dt.date
    amount: Decimal
    category: str
    category_label: str
    rep: SalesRefOut | None
    team: SalesRefOut
    channel: SalesRefOut | None
    opportunity: SalesRefOut | None
    customer: SalesRefOut | None
    note: str
    created_at: dt.datetime


class ExpensePageOut(Schema):
    items: list[ExpenseOut]
    next_cursor: str | None = Field(None, description="pass it back as `cursor`; null at the end")
