"""API shapes of orders, contracts and payments (every name prefixed `Orders`: unique project-wide)."""

import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

MAX_ID = 2**63 - 1
AMOUNT = {"max_digits": 14, "decimal_places": 2}


class OrdersRefOut(Schema):
    id: int
    name: str


class OrdersLineIn(Schema):
    product: int = Field(..., ge=1, le=MAX_ID)
    quantity: int = Field(..., ge=1, le=1_000_000)
    unit_price: Decimal | None = Field(None, **AMOUNT, description="default: the list price on the order date")
    serial: str = Field("", max_length=50, description="the unit's serial number (quantity 1)")


class OrdersLineOut(Schema):
    id: int
    product: OrdersRefOut
    quantity: int
    list_price: Decimal | None
    unit_price: Decimal
    discount: Decimal | None
    line_total: Decimal
    serial: str


class OrdersOrderIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    order_date: dt.date
    due_on: dt.date | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    opportunity: int | None = Field(None, ge=1, le=MAX_ID)
    contract: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=500)
    lines: list[OrdersLineIn] = Field(..., min_length=1, max_length=200)


class OrdersLinesIn(Schema):
    lines: list[OrdersLineIn] = Field(..., min_length=1, max_length=200)


class OrdersCancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class OrdersOrderOut(Schema):
    id: int
    number: str
    customer: OrdersRefOut
    owner: OrdersRefOut
    status: str
    order_date: dt.date
    due_on: dt.date
    total: Decimal
    received: Decimal
    outstanding: Decimal
    opportunity: OrdersRefOut | None
    contract: OrdersRefOut | None
    note: str


class OrdersInstallmentOut(Schema):
    id: int
    due_on: dt.date
    amount: Decimal
    received: Decimal


class OrdersOrderDetailOut(OrdersOrderOut):
    lines: list[OrdersLineOut]
    installments: list[OrdersInstallmentOut]


class OrdersOrderPageOut(Schema):
    items: list[OrdersOrderOut]
    next_cursor: str | None


class OrdersInstallmentIn(Schema):
    due_on: dt.date
    amount: Decimal = Field(..., **AMOUNT)


class OrdersPlanIn(Schema):
    installments: list[OrdersInstallmentIn] = Field(..., min_length=1, max_length=60)


class OrdersContractIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., min_length=1, max_length=200)
    amount: Decimal = Field(..., **AMOUNT)
    starts_on: dt.date
    ends_on: dt.date
    signed_on: dt.date | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    reminder_days: int = Field(30, ge=0, le=365)
    renews: int | None = Field(None, ge=1, le=MAX_ID, description="the contract this one renews")


class OrdersContractOut(Schema):
    id: int
    number: str
    title: str
    customer: OrdersRefOut
    owner: OrdersRefOut
    status: str
    amount: Decimal
    signed_on: dt.date | None
    starts_on: dt.date
    ends_on: dt.date
    renews: OrdersRefOut | None
    reminder_days: int


class OrdersContractPageOut(Schema):
    items: list[OrdersContractOut]
    next_cursor: str | None


class OrdersAllocationIn(Schema):
    order: int = Field(..., ge=1, le=MAX_ID)
    amount: Decimal = Field(..., **AMOUNT)
    installment: int | None = Field(None, ge=1, le=MAX_ID)


class OrdersAllocateIn(Schema):
    allocations: list[OrdersAllocationIn] = Field(..., min_length=1, max_length=100)


class OrdersPaymentIn(Schema):
    customer: int = Field(..., ge=1, le=MAX_ID)
    amount: Decimal = Field(..., **AMOUNT)
    received_on: dt.date
    method: str = Field("bank", max_length=10)
    is_overpayment: bool = Field(False, description="keep what is not owed as the customer's credit")
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=500)
    allocations: list[OrdersAllocationIn] = Field(default_factory=list, max_length=100)


class OrdersRefundIn(Schema):
    amount: Decimal = Field(..., **AMOUNT)
    refunded_on: dt.date
    reason: str = Field(..., min_length=1, max_length=200)
    order: int | None = Field(None, ge=1, le=MAX_ID, description="the order whose payment is refunded")


class OrdersAllocationOut(Schema):
    order: OrdersRefOut
    installment: int | None
    amount: Decimal


class OrdersRefundOut(Schema):
    id: int
    amount: Decimal
    refunded_on: dt.date
    reason: str
    order: OrdersRefOut | None


class OrdersPaymentOut(Schema):
    id: int
    number: str
    customer: OrdersRefOut
    owner: OrdersRefOut
    received_on: dt.date
    amount: Decimal
    method: str
    is_overpayment: bool
    unallocated: Decimal
    refunded: Decimal
    note: str


class OrdersPaymentDetailOut(OrdersPaymentOut):
    allocations: list[OrdersAllocationOut]
    refunds: list[OrdersRefundOut]


class OrdersPaymentPageOut(Schema):
    items: list[OrdersPaymentOut]
    next_cursor: str | None


class OrdersAgeingRowOut(Schema):
    id: int | None
    name: str
    buckets: dict[str, Decimal]
    total: Decimal


class OrdersAgeingOut(Schema):
    by: str
    today: dt.date
    totals: dict[str, Decimal]
    total: Decimal
    rows: list[OrdersAgeingRowOut]
