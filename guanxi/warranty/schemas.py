import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class RepairIn(Schema):
    started_on: dt.date
    finished_on: dt.date | None = None


class DecisionIn(Schema):
    sale: int | None = Field(None, description="the sale's id; or give `serial`")
    serial: str | None = Field(None, max_length=50, description="the unit's serial number (its latest sale)")
    part: str = Field(..., min_length=1, max_length=30, examples=["main_unit"])
    fault_date: dt.date
    customer_wants: str | None = Field(None, max_length=30, examples=["refund"])
    stock_available: bool = Field(True, description="the same model is available for an exchange")
    repairs: list[RepairIn] | None = Field(
        None, max_length=50, description="the part's repair history; taken from the repair records when left out")


class RuleOut(Schema):
    code: str
    reason: str


class SaleOut(Schema):
    id: int
    serial: str
    product: str
    customer: int
    sold_at: dt.date
    proof_kind: str
    invoice_date: dt.date | None
    price: Decimal
    is_gift: bool


class DecisionOut(Schema):
    id: int
    sale: SaleOut
    part: str
    fault_date: dt.date
    decided_on: dt.date
    customer_wants: str | None
    stock_available: bool
    remedy: str
    allowed: list[str]
    amount: Decimal | None
    rules: list[RuleOut]
    start_date: dt.date
    end_date: dt.date
    is_in_period: bool
    asked_by: str
    created_at: dt.datetime


class PartStatusOut(Schema):
    code: str
    name: str
    start_date: dt.date | None
    end_date: dt.date | None
    is_in_period: bool | None


class SerialOut(Schema):
    serial: str
    product: str
    factory_date: dt.date | None
    sale: SaleOut | None
    parts: list[PartStatusOut]
