"""Concurrent payments (回款) on PostgreSQL, threads on their own connections let go at once: payments
against one order never take more than it has outstanding (the order row is locked, the amount checked
under the lock); payments against the same two orders in opposite order wait for each other instead
of deadlocking; allocations of one payment's credit at once never spend more than it holds."""

from decimal import Decimal

import pytest
from django.db import connection

from guanxi.core.testing import race
from guanxi.orders import services
from guanxi.orders.models import Allocation, Order, Payment

from .factories import order, pay, world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
THREADS = 5


def test_payments_against_one_order_never_exceed_its_outstanding_amount():
    w = world()
    made = order(w["rep"], w["customer"], w["product"], quantity=1)  # ¥1,000 outstanding
    outcomes = race([lambda: pay(w["rep"], w["customer"], 400, orders=[(made, 400)])] * THREADS)
    assert sorted(outcomes) == ["validation_error"] * (THREADS - 2) + ["won"] * 2
    made = Order.objects.get(pk=made.pk)
    assert (made.received, made.outstanding) == (Decimal("800.00"), Decimal("200.00"))
    assert Allocation.objects.filter(order=made).count() == 2 and Payment.objects.count() == 2


def test_payments_on_the_same_orders_in_opposite_order_do_not_deadlock():
    w = world()
    first = order(w["rep"], w["customer"], w["product"], quantity=1)
    second = order(w["rep"], w["customer"], w["product"], quantity=1)
    calls = [lambda: pay(w["rep"], w["customer"], 200, orders=[(first, 100), (second, 100)]),
             lambda: pay(w["rep"], w["customer"], 200, orders=[(second, 100), (first, 100)])] * 3
    assert race(calls) == ["won"] * 6
    assert {o.outstanding for o in Order.objects.filter(pk__in=[first.pk, second.pk])} == {Decimal("400.00")}


def test_allocations_of_one_payment_at_once_never_spend_more_than_its_credit():
    w = world()
    made = order(w["rep"], w["customer"], w["product"], quantity=3)  # ¥3,000 outstanding
    payment = pay(w["rep"], w["customer"], 1000)
    outcomes = race([lambda: services.payment_allocate(actor=w["rep"], payment=payment,
                                                       allocations=[{"order": made, "amount": "300"}])] * THREADS)
    assert sorted(outcomes) == ["validation_error"] * (THREADS - 3) + ["won"] * 3
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.unallocated == Decimal("100.00")
    assert Order.objects.get(pk=made.pk).outstanding == Decimal("2100.00")
