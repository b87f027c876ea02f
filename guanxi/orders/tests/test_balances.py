"""The orders' maintained balances (`received`, `outstanding`) and the payments' (`unallocated`,
`refunded`) always agree with the allocations and refunds they summarise, whatever the sequence of
orders, confirmations, deliveries, cancellations, payments, allocations and refunds; and the ageing
report adds up the same open balances."""

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Q, Sum

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.orders import selectors, services
from guanxi.orders.models import Allocation, Order, Payment, Refund

from .factories import DAY, world

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
ZERO = Decimal("0.00")


def _sum(qs) -> Decimal:
    return qs.aggregate(s=Sum("amount", default=ZERO))["s"]


def _open(customer) -> list[Order]:
    return list(Order.objects.filter(customer=customer, outstanding__gt=0).order_by("id"))


def _step(rng: random.Random, w: dict) -> None:
    """One random operation of the representative on the customer's orders and payments."""
    rep, customer, product = w["rep"], w["customer"], w["product"]
    orders = list(Order.objects.filter(customer=customer).order_by("id"))
    payments = list(Payment.objects.filter(customer=customer).order_by("id"))
    kind = rng.choice(["order", "order", "confirm", "deliver", "cancel", "pay", "pay", "allocate", "refund_order",
                       "refund_credit"])
    if kind == "order" or not orders:
        price = f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}"
        made = services.order_create(actor=rep, customer=customer, order_date=DAY, lines=[
            {"product": product, "quantity": rng.randint(1, 3), "unit_price": price}])
        if rng.random() < 0.7:
            services.order_confirm(actor=rep, order=made)
    elif kind == "confirm":
        services.order_confirm(actor=rep, order=rng.choice(orders))
    elif kind == "deliver":
        services.order_deliver(actor=rep, order=rng.choice(orders))
    elif kind == "cancel":
        services.order_cancel(actor=rep, order=rng.choice(orders), reason="客户取消")
    elif kind == "pay":
        owed = _open(customer)
        chosen = rng.sample(owed, min(len(owed), rng.randint(0, 2)))
        rows = [{"order": o, "amount": (o.outstanding * Decimal(rng.choice(["0.5", "1"]))).quantize(Decimal("0.01"))}
                for o in chosen]
        extra = Decimal(rng.choice(["0", "0", "50.00"]))
        amount = sum((r["amount"] for r in rows), ZERO) + extra
        if amount > 0:
            services.payment_record(actor=rep, customer=customer, amount=amount, received_on=DAY, allocations=rows,
                                    is_overpayment=extra > 0)
    elif kind == "allocate" and payments and _open(customer):
        payment, owed = rng.choice(payments), rng.choice(_open(customer))
        services.payment_allocate(actor=rep, payment=payment, allocations=[
            {"order": owed, "amount": min(payment.unallocated, owed.outstanding, Decimal("120.00"))}])
    elif kind == "refund_order" and payments:
        allocation = Allocation.objects.filter(payment__customer=customer).order_by("?").first()
        if allocation is not None:
            services.refund_record(actor=rep, payment=allocation.payment, amount=rng.choice(["10", "30", "5000"]),
                                   refunded_on=DAY, reason="退货", order=allocation.order)
    elif kind == "refund_credit" and payments:
        services.refund_record(actor=rep, payment=rng.choice(payments), amount=rng.choice(["5", "20", "900"]),
                               refunded_on=DAY, reason="退回余额")


def _assert_balances_agree(customer) -> None:
    for order in Order.objects.filter(customer=customer):
        received = _sum(Allocation.objects.filter(order=order)) - _sum(Refund.objects.filter(order=order))
        assert order.received == received, order
        expected = order.total - received if order.counts_as_sale else ZERO
        assert order.outstanding == expected and order.outstanding >= 0, order
    for payment in Payment.objects.filter(customer=customer):
        assert payment.refunded == _sum(payment.refunds.all())
        assert payment.unallocated == (payment.amount - _sum(payment.allocations.all())
                                       - _sum(payment.refunds.filter(order__isnull=True))) >= 0


@pytest.mark.parametrize("seed", range(4))
def test_balances_agree_with_allocations_and_refunds_after_any_sequence(seed):
    with time_machine.travel(NOW, tick=False):
        w = world()
        rng = random.Random(seed)
        refused = 0
        for _ in range(30):
            try:
                _step(rng, w)
            except (Conflict, ValidationFailed):
                refused += 1  # refusals are part of the sequence: they must change nothing
            _assert_balances_agree(w["customer"])
        assert refused < 30
        owed = Order.objects.filter(customer=w["customer"]).filter(
            Q(status=Order.Status.CONFIRMED) | Q(status=Order.Status.DELIVERED)).aggregate(
            s=Sum("outstanding", default=ZERO))["s"]
        report = selectors.ageing_report(user=w["manager"], by="customer", today=NOW.date())
        assert report.total == owed
        assert [r.total for r in report.rows] == ([owed] if owed else [])
