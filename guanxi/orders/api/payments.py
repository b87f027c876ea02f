"""`/api/v1/payments`: payments received (回款单) the caller may read; record one (applied to orders,
an overpayment only when flagged), allocate its credit, refund; and the ageing of receivables."""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Status
from pydantic import Field

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import referenced
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from .. import selectors, services
from ..models import Payment
from ..schemas import (
    MAX_ID,
    OrdersAgeingOut,
    OrdersAllocateIn,
    OrdersPaymentDetailOut,
    OrdersPaymentIn,
    OrdersPaymentPageOut,
    OrdersRefundIn,
)
from . import common

router = Router(tags=["payments"], operation_prefix="guanxi_orders_api")


class OrdersPaymentFilterIn(Schema):
    customer: int | None = Field(None, ge=1, le=MAX_ID)


class OrdersAgeingIn(Schema):
    by: Literal["customer", "owner", "team"] = "customer"


def out(user, payment: Payment, *, detail: bool = False) -> dict:
    body = {"id": payment.pk, "number": payment.number, "customer": common.ref(payment.customer),
            "owner": common.ref(payment.owner), "received_on": payment.received_on, "amount": payment.amount,
            "method": payment.method, "is_overpayment": payment.is_overpayment, "unallocated": payment.unallocated,
            "refunded": payment.refunded, "note": common.text_for(user, payment.customer)(payment.note)}
    if detail:
        body["allocations"] = [{"order": common.ref(a.order, a.order.number), "installment": a.installment_id,
                                "amount": a.amount} for a in selectors.allocations_of(payment=payment)]
        body["refunds"] = [{"id": r.pk, "amount": r.amount, "refunded_on": r.refunded_on, "reason": r.reason,
                            "order": common.ref(r.order, r.order.number) if r.order_id else None}
                           for r in selectors.refunds_of(payment=payment)]
    return body


def _payment(request, payment_id: int) -> Payment:
    return selectors.payment_get_for_user(user=request.user, payment_id=payment_id)


def _detail(request, payment_id: int) -> dict:
    return out(request.user, _payment(request, payment_id), detail=True)


@router.get("/payments", response=OrdersPaymentPageOut)
def list_payments(request: HttpRequest, filters: Query[OrdersPaymentFilterIn], page: Query[CursorPageParams]):
    """Payments the caller may read, newest first: pass `next_cursor` back as `cursor` until it is null."""
    result = keyset_page(selectors.payment_search(user=request.user, customer_id=filters.customer),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [out(request.user, p) for p in result.rows], "next_cursor": result.next_cursor}


@router.post("/payments", response={201: OrdersPaymentDetailOut})
def record_payment(request: HttpRequest, payload: OrdersPaymentIn):
    """Record a payment received and apply it to orders; more than the customer owes is refused unless
    `is_overpayment` keeps the rest as credit."""
    user = request.user
    payment = services.payment_record(
        actor=user, customer=common.customer(user, payload.customer), amount=payload.amount,
        received_on=payload.received_on, allocations=common.allocations(user, payload.allocations),
        method=payload.method, is_overpayment=payload.is_overpayment, owner=common.owner(payload.owner),
        note=payload.note)
    return Status(201, _detail(request, payment.pk))


@router.get("/payments/ageing", response=OrdersAgeingOut)
def payments_ageing(request: HttpRequest, params: Query[OrdersAgeingIn]):
    """Receivables by days overdue (0–30, 31–60, 61–90, 90+), by customer, owner or team."""
    report = selectors.ageing_report(user=request.user, by=params.by)
    return {"by": report.by, "today": report.today, "totals": report.totals, "total": report.total,
            "rows": [{"id": r.key, "name": str(r.label), "buckets": r.buckets, "total": r.total} for r in report.rows]}


@router.get("/payments/{payment_id}", response=OrdersPaymentDetailOut)
def get_payment(request: HttpRequest, payment_id: int):
    return _detail(request, payment_id)


@router.post("/payments/{payment_id}/allocate", response=OrdersPaymentDetailOut)
def allocate_payment(request: HttpRequest, payment_id: int, payload: OrdersAllocateIn):
    """Apply the payment's credit to orders of the same customer."""
    services.payment_allocate(actor=request.user, payment=_payment(request, payment_id),
                              allocations=common.allocations(request.user, payload.allocations))
    return _detail(request, payment_id)


@router.post("/payments/{payment_id}/refunds", response={201: OrdersPaymentDetailOut})
def refund_payment(request: HttpRequest, payment_id: int, payload: OrdersRefundIn):
    """Pay money back from the payment: from its credit, or from what it paid on `order`."""
    user = request.user
    order = referenced(selectors.order_get_for_user, field="order", reason=common.UNKNOWN, user=user,
                       order_id=payload.order) if payload.order else None
    services.refund_record(actor=user, payment=_payment(request, payment_id), amount=payload.amount,
                           refunded_on=payload.refunded_on, reason=payload.reason, order=order)
    return Status(201, _detail(request, payment_id))
