"""API shapes of a customer's history: interactions, transactions, the timeline and billing figures."""

import datetime
from decimal import Decimal

from pydantic import Field

from guanxi.core.masking import mask_free_text
from guanxi.core.schema import Schema

from ..models import Interaction, Transaction
from ..selectors.history import HistoryFilter


class StaffRefOut(Schema):
    id: int
    name: str


class InteractionIn(Schema):
    channel: str = Field(..., max_length=10, examples=["call"])
    direction: str = Field("inbound", max_length=10)
    occurred_at: datetime.datetime | None = Field(None, description="default: now; never in the future")
    subject: str = Field("", max_length=200)
    content: str = Field("", max_length=20_000)
    duration_seconds: int | None = Field(None, ge=0, le=86_400)
    external_id: str | None = Field(None, max_length=100, description="the source system's id; makes a replay "
                                                                      "return the row recorded first")


class InteractionOut(Schema):
    id: int
    customer_id: int
    channel: str
    direction: str
    occurred_at: datetime.datetime
    subject: str
    content: str
    duration_seconds: int | None
    staff: StaffRefOut | None
    external_id: str | None
    created_at: datetime.datetime


class TransactionIn(Schema):
    kind: str = Field(..., max_length=10, examples=["bill"], description="order, bill, payment or refund")
    amount: Decimal = Field(..., examples=["128.00"], description="positive, at most two decimals")
    occurred_at: datetime.datetime = Field(..., description="when it happened; never in the future")
    channel: str = Field("", max_length=10)
    description: str = Field("", max_length=200)
    external_id: str | None = Field(None, max_length=100, description="the source system's id (bill number…): "
                                                                      "a replay with the same content is accepted "
                                                                      "once, with other content refused (409)")


class TransactionOut(Schema):
    id: int
    customer_id: int
    kind: str
    amount: Decimal
    occurred_at: datetime.datetime
    channel: str
    description: str
    staff: StaffRefOut | None
    external_id: str | None
    created_at: datetime.datetime


class TransactionImportRowIn(TransactionIn):
    customer_id: int | None = Field(None, description="the customer's id, or")
    customer_code: str | None = Field(None, max_length=20, description="its customer number (C000000123)")


class TransactionImportIn(Schema):
    rows: list[TransactionImportRowIn] = Field(..., min_length=1, max_length=10_000)


class TransactionImportOut(Schema):
    created: int
    unchanged: int


class TimelineEventOut(Schema):
    at: datetime.datetime
    kind: str
    title: str
    detail: str
    link: str
    extra: dict


class TimelinePageOut(Schema):
    items: list[TimelineEventOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next (older) page")


class BillingSummaryOut(Schema):
    billed: Decimal
    paid: Decimal
    outstanding: Decimal = Field(..., description="billed − paid; negative is credit")
    ordered: Decimal
    refunded: Decimal
    overdue_amount: Decimal = Field(..., description="bills past due not covered by payments (oldest paid first)")
    is_overdue: bool
    due_days: int
    last_bill_at: datetime.datetime | None
    last_payment_at: datetime.datetime | None
    last_payment_amount: Decimal | None


class HistoryCountsOut(Schema):
    interactions: int
    transactions: int
    cap: int = Field(..., description="counts stop here: a count equal to cap means 'cap or more'")


def _staff(user) -> dict | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def interaction_out(row: Interaction, *, unmasked: bool) -> dict:
    text = (lambda v: v) if unmasked else mask_free_text
    return {"id": row.pk, "customer_id": row.customer_id, "channel": row.channel, "direction": row.direction,
            "occurred_at": row.occurred_at, "subject": text(row.subject), "content": text(row.content),
            "duration_seconds": row.duration_seconds, "staff": _staff(row.staff), "external_id": row.external_id,
            "created_at": row.created_at}


def transaction_out(row: Transaction, *, unmasked: bool) -> dict:
    return {"id": row.pk, "customer_id": row.customer_id, "kind": row.kind, "amount": row.amount,
            "occurred_at": row.occurred_at, "channel": row.channel,
            "description": row.description if unmasked else mask_free_text(row.description),
            "staff": _staff(row.staff), "external_id": row.external_id, "created_at": row.created_at}


class HistoryFilterIn(Schema):
    since: datetime.datetime | None = Field(None, description="from this moment on (inclusive)")
    until: datetime.datetime | None = Field(None, description="before this moment")
    kind: str = Field("", max_length=10, description="transactions: order, bill, payment or refund")
    channel: str = Field("", max_length=10, description="interactions: call, visit, outlet, email, sms, wechat, web")

    def to_filter(self) -> HistoryFilter:
        return HistoryFilter(since=self.since, until=self.until, kind=self.kind,
                                               channel=self.channel)


class TimelineParams(Schema):
    cursor: str = Field("", max_length=200, description="next_cursor of the previous page; empty: the newest")
    limit: int = Field(50, ge=1, le=200)
