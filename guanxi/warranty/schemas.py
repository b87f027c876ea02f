import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them


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
    as_of: dt.date | None = Field(None, description="decide as of this day (default: today); never in the future")


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
    id: int
    serial: str
    product: str
    factory_date: dt.date | None
    sale: SaleOut | None
    parts: list[PartStatusOut]



class ProductIn(Schema):
    model_code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=100)
    brand: str = Field("", max_length=50)
    category: str = Field("", max_length=50)
    part_codes: list[str] | None = Field(None, max_length=50, description="warranty policy codes; default: all")


class ProductUpdateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    brand: str = Field("", max_length=50)
    category: str = Field("", max_length=50)


class ProductFilterIn(Schema):
    q: str = Field("", max_length=50, description="words of the model code or name")
    brand: str = Field("", max_length=50)
    category: str = Field("", max_length=50)


class PartOut(Schema):
    id: int
    product: int
    code: str
    name: str
    period_value: int
    period_unit: str
    is_main_unit: bool


class ProductOut(Schema):
    id: int
    model_code: str
    name: str
    brand: str
    category: str
    parts: list[PartOut]


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page")


class PartIn(Schema):
    product: int
    code: str = Field(..., min_length=1, max_length=30, description="a warranty policy code, e.g. battery")


class PartFilterIn(Schema):
    product: int | None = None
    code: str = Field("", max_length=30)


class PartPageOut(Schema):
    items: list[PartOut]
    next_cursor: str | None = None


class SerialIn(Schema):
    serial: str = Field(..., min_length=1, max_length=50)
    product: int
    factory_date: dt.date | None = None


class SerialUpdateIn(Schema):
    factory_date: dt.date | None = None


class SerialFilterIn(Schema):
    product: int | None = None
    q: str = Field("", max_length=50, description="start of the serial number")
    sold: bool | None = None


class SerialRowOut(Schema):
    id: int
    serial: str
    product: int
    product_name: str
    factory_date: dt.date | None


class SerialPageOut(Schema):
    items: list[SerialRowOut]
    next_cursor: str | None = None


class SaleIn(Schema):
    serial: str = Field(..., min_length=1, max_length=50)
    customer: int
    sold_at: dt.date
    price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    proof_kind: str = Field("invoice", max_length=20, examples=["invoice"])
    invoice_date: dt.date | None = None
    is_gift: bool = False


class SaleUpdateIn(Schema):
    price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    proof_kind: str = Field("invoice", max_length=20)
    invoice_date: dt.date | None = None
    is_gift: bool = False


class SaleFilterIn(Schema):
    customer: int | None = None
    serial: str = Field("", max_length=50)
    product: int | None = None
    sold_from: dt.date | None = None
    sold_to: dt.date | None = None


class SalePageOut(Schema):
    items: list[SaleOut]
    next_cursor: str | None = None


class RepairRecordIn(Schema):
    serial: str = Field(..., min_length=1, max_length=50)
    part: str = Field(..., min_length=1, max_length=30, examples=["main_unit"])
    started_at: dt.date
    ticket: int | None = None
    note: str = Field("", max_length=200)


class RepairUpdateIn(Schema):
    finished_at: dt.date | None = Field(None, description="finish the repair on this day")
    outcome: str = Field("repaired", max_length=20, examples=["repaired"])
    note: str | None = Field(None, max_length=200)


class RepairFilterIn(Schema):
    serial: str = Field("", max_length=50)
    part: str = Field("", max_length=30)
    open: bool | None = Field(None, description="true: still in repair")
    ticket: int | None = Field(None, ge=1, le=MAX_ID)
    started_from: dt.date | None = None
    started_to: dt.date | None = None


class RepairOut(Schema):
    id: int
    serial: str
    part: str
    started_at: dt.date
    finished_at: dt.date | None
    outcome: str
    ticket: int | None
    note: str
    created_at: dt.datetime


class RepairPageOut(Schema):
    items: list[RepairOut]
    next_cursor: str | None = None


class ExchangeIn(Schema):
    sale: int
    exchanged_on: dt.date
    part: str | None = Field(None, max_length=30, description="empty: the whole product")
    new_serial: str = Field("", max_length=50)
    decision: int | None = None
    note: str = Field("", max_length=200)


class ExchangeFilterIn(Schema):
    sale: int | None = None
    serial: str = Field("", max_length=50)
    exchanged_from: dt.date | None = None
    exchanged_to: dt.date | None = None


class ExchangeOut(Schema):
    id: int
    sale: int
    serial: str
    part: str | None
    exchanged_on: dt.date
    new_serial: str
    decision: int | None
    note: str
    created_at: dt.datetime


class ExchangePageOut(Schema):
    items: list[ExchangeOut]
    next_cursor: str | None = None


class DecisionPageOut(Schema):
    items: list[DecisionOut]
    next_cursor: str | None = None


class DecisionFilterIn(Schema):
    sale: int | None = None
    serial: str = Field("", max_length=50)
    remedy: str = Field("", max_length=30)
