"""Orders, payments, refunds and contracts through the services: the ledger written once, refusals
that change nothing, warranty registration, big-deal alerts and renewal reminders."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import assert_refused, rows_of
from guanxi.customers.models import Transaction
from guanxi.customers.selectors.history import billing_summary
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.orders import selectors, services
from guanxi.orders.models import Contract, Order, OrderBigDealAlert
from guanxi.sales.services.configuration import big_deal_amount_set
from guanxi.tasks.models import Task

from .factories import DAY, order, pay, world

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def w(db):
    return world()


def state():
    return {**rows_of("orders"), **rows_of(models=[Transaction])}


def ledger(customer):
    return {t.external_id: (t.kind, t.amount) for t in Transaction.objects.filter(customer=customer)}


def test_lines_are_priced_from_the_catalogue_on_the_order_date_or_discounted(w):
    listed = order(w["rep"], w["customer"], w["product"], quantity=3, confirm=False)
    line = listed.lines.get()
    assert (line.list_price, line.unit_price, line.line_total) == (Decimal("1000.00"), Decimal("1000.00"),
                                                                   Decimal("3000.00"))
    discounted = order(w["rep"], w["customer"], w["product"], quantity=2, unit_price="850.00", confirm=False)
    line = discounted.lines.get()
    assert line.discount == Decimal("150.00") and discounted.total == Decimal("1700.00")


def test_a_line_without_a_list_price_needs_one(w):
    with pytest.raises(ValidationFailed) as error:
        order(w["rep"], w["customer"], w["product"], day=dt.date(2025, 12, 1))
    assert "lines[0].unit_price" in error.value.fields


def test_confirming_writes_the_ledger_once_and_cancelling_compensates(w):
    made = order(w["rep"], w["customer"], w["product"])
    assert ledger(w["customer"]) == {f"order:{made.pk}": ("order", Decimal("2000.00"))}
    with pytest.raises(Conflict):
        services.order_confirm(actor=w["rep"], order=made)
    services.order_cancel(actor=w["rep"], order=made, reason="客户取消")
    assert ledger(w["customer"]) == {f"order:{made.pk}": ("order", Decimal("2000.00")),
                                     f"order:{made.pk}:reversal": ("reversal", Decimal("2000.00"))}
    assert billing_summary(customer=w["customer"]).net_ordered == 0
    made.refresh_from_db()
    assert made.status == Order.Status.CANCELLED and made.outstanding == 0


def test_an_order_with_money_on_it_is_refunded_before_it_is_cancelled(w):
    made = order(w["rep"], w["customer"], w["product"])
    pay(w["rep"], w["customer"], 500, orders=[(made, 500)])
    assert_refused(lambda: services.order_cancel(actor=w["rep"], order=made, reason="取消"), state, Conflict)


def test_payments_and_refunds_keep_ledger_and_receivables_in_agreement(w):
    rep, customer, product = w["rep"], w["customer"], w["product"]
    first = order(rep, customer, product)                                    # 2000
    second = order(rep, customer, product, quantity=1, unit_price="600.00")  # 600
    cancelled = order(rep, customer, product, quantity=1)                    # 1000, then cancelled
    services.order_cancel(actor=rep, order=cancelled, reason="重复下单")
    payment = pay(rep, customer, 2300, orders=[(first, 2000), (second, 300)])
    services.refund_record(actor=rep, payment=payment, amount=Decimal("100"), refunded_on=DAY, reason="多收",
                           order=second)
    credit = pay(rep, customer, 900, orders=[(second, 400)], overpayment=True)   # 500 kept as credit
    services.refund_record(actor=rep, payment=credit, amount=Decimal("200"), refunded_on=DAY, reason="退回部分余额")

    summary = billing_summary(customer=customer)
    ours = selectors.customer_receivable(customer_id=customer.pk)
    assert summary.net_ordered == ours.ordered == Decimal("2600.00")
    assert summary.paid - summary.refunded == ours.received + ours.credit == Decimal("2900.00")
    assert ours.outstanding == Decimal("0.00") and ours.credit == Decimal("300.00")
    # What the customer owes on the ledger is what the receivables say, less the credit.
    assert summary.net_ordered - (summary.paid - summary.refunded) == ours.outstanding - ours.credit
    assert sorted(ledger(customer)) == sorted([
        f"order:{first.pk}", f"order:{second.pk}", f"order:{cancelled.pk}", f"order:{cancelled.pk}:reversal",
        f"payment:{payment.pk}", f"payment:{credit.pk}",
        *[f"refund:{r.pk}" for r in payment.refunds.all()], *[f"refund:{r.pk}" for r in credit.refunds.all()]])


@pytest.mark.parametrize("amount", ["-5", "0", "0.001", "abc"])
def test_bad_payment_amounts_are_refused(w, amount):
    order(w["rep"], w["customer"], w["product"])
    assert_refused(lambda: services.payment_record(actor=w["rep"], customer=w["customer"], amount=amount,
                                                   received_on=DAY), state, ValidationFailed)


def test_a_payment_larger_than_what_is_owed_needs_the_overpayment_flag(w):
    made = order(w["rep"], w["customer"], w["product"])
    assert_refused(lambda: pay(w["rep"], w["customer"], 2500), state, ValidationFailed)
    assert_refused(lambda: pay(w["rep"], w["customer"], 2500, orders=[(made, 2500)]), state, ValidationFailed)
    payment = pay(w["rep"], w["customer"], 2500, orders=[(made, 2000)], overpayment=True)
    assert payment.unallocated == Decimal("500.00")
    made.refresh_from_db()
    assert made.outstanding == 0 and made.received == Decimal("2000.00")


def test_an_unapplied_payment_within_what_is_owed_is_kept_and_allocated_later(w):
    made = order(w["rep"], w["customer"], w["product"])
    payment = pay(w["rep"], w["customer"], 1500)
    services.payment_allocate(actor=w["rep"], payment=payment, allocations=[{"order": made, "amount": "1500"}])
    made.refresh_from_db()
    assert made.outstanding == Decimal("500.00")
    assert_refused(lambda: services.payment_allocate(actor=w["rep"], payment=payment,
                                                     allocations=[{"order": made, "amount": "1"}]),
                   state, ValidationFailed)


def test_refunds_beyond_what_was_paid_are_refused(w):
    made = order(w["rep"], w["customer"], w["product"])
    payment = pay(w["rep"], w["customer"], 1000, orders=[(made, 1000)])
    assert_refused(lambda: services.refund_record(actor=w["rep"], payment=payment, amount="1001", refunded_on=DAY,
                                                  reason="x", order=made), state, ValidationFailed)
    assert_refused(lambda: services.refund_record(actor=w["rep"], payment=payment, amount="1", refunded_on=DAY,
                                                  reason="x"), state, ValidationFailed)
    services.refund_record(actor=w["rep"], payment=payment, amount="1000", refunded_on=DAY, reason="退货", order=made)
    made.refresh_from_db()
    assert made.outstanding == Decimal("2000.00")


def test_another_reps_order_cannot_be_touched(w):
    made = order(w["rep"], w["customer"], w["product"])
    assert_refused(lambda: services.order_cancel(actor=w["other"], order=made, reason="x"), state, PermissionDenied)
    services.order_cancel(actor=w["manager"], order=made, reason="经理取消")


def test_a_serial_line_has_a_quantity_of_one(w):
    with pytest.raises(ValidationFailed):
        order(w["rep"], w["customer"], w["product"], quantity=2, serial="SN-1")


def test_a_big_order_alerts_the_team_managers_once(w):
    big_deal_amount_set(actor=SYSTEM, amount=Decimal("1500"))
    made = order(w["rep"], w["customer"], w["product"])
    alert = OrderBigDealAlert.objects.get(order=made)
    assert alert.recipients == 1
    assert OutboundMessage.objects.filter(recipient=w["manager"].email).count() == 1
    assert services.order_big_deal_check(made) is None


def test_ageing_buckets_by_days_overdue(w):
    rep, customer, product = w["rep"], w["customer"], w["product"]
    today = dt.date(2026, 6, 1)
    for days_over, price in ((-5, "100"), (10, "200"), (45, "300"), (75, "400"), (120, "500")):
        due = today - dt.timedelta(days=days_over)
        order(rep, customer, product, quantity=1, unit_price=price, day=min(due, DAY), due_on=due)
    report = selectors.ageing_report(user=w["manager"], by="owner", today=today)
    assert {k: int(v) for k, v in report.totals.items()} == {
        "current": 100, "d0_30": 200, "d31_60": 300, "d61_90": 400, "d90_plus": 500}
    assert [r.key for r in report.rows] == [rep.pk] and report.rows[0].total == Decimal("1500")
    assert selectors.ageing_report(user=w["other"], today=today).rows == []


def test_contracts_renew_and_remind_their_owner(w):
    rep, customer = w["rep"], w["customer"]
    first = services.contract_create(actor=rep, customer=customer, title="年度专线", amount="120000",
                                     starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2026, 6, 20))
    services.contract_activate(actor=rep, contract=first)
    assert services.contracts_sweep(today=dt.date(2026, 5, 1)) == {"expired": 0, "reminded": 0}
    assert services.contracts_sweep(today=dt.date(2026, 5, 25)) == {"expired": 0, "reminded": 1}
    assert services.contracts_sweep(today=dt.date(2026, 5, 26)) == {"expired": 0, "reminded": 0}
    task = Task.objects.get(kind="contract_renewal")
    assert task.assignee == rep and task.customer == customer
    renewal = services.contract_create(actor=rep, customer=customer, title="年度专线（续）", amount="130000",
                                       starts_on=dt.date(2026, 6, 21), ends_on=dt.date(2027, 6, 20), renews=first)
    services.contract_activate(actor=rep, contract=renewal)
    first.refresh_from_db()
    assert first.status == Contract.Status.RENEWED
    assert [c.pk for c in selectors.renewal_chain(contract=renewal)] == [first.pk, renewal.pk]
    with pytest.raises(ValidationFailed):
        services.contract_create(actor=rep, customer=customer, title="再续", amount="1", starts_on=dt.date(2026, 7, 1),
                                 ends_on=dt.date(2026, 8, 1), renews=first)


def test_an_active_contract_past_its_end_expires(w):
    contract = services.contract_create(actor=w["rep"], customer=w["customer"], title="短约", amount="1000",
                                        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 5, 1), reminder_days=0)
    services.contract_activate(actor=w["rep"], contract=contract)
    assert services.contracts_sweep(today=dt.date(2026, 6, 1))["expired"] == 1


def test_a_payment_plan_adds_up_to_the_order_and_takes_allocations(w):
    made = order(w["rep"], w["customer"], w["product"])
    with pytest.raises(ValidationFailed):
        services.plan_set(actor=w["rep"], order=made, installments=[{"due_on": DAY, "amount": "500"}])
    first, _second = services.plan_set(actor=w["rep"], order=made, installments=[
        {"due_on": DAY, "amount": "1000"}, {"due_on": dt.date(2026, 4, 2), "amount": "1000"}])
    services.payment_record(actor=w["rep"], customer=w["customer"], amount="1000", received_on=DAY,
                            allocations=[{"order": made, "amount": "1000", "installment": first}])
    assert [i.received for i in selectors.plan_of(order=made)] == [Decimal("1000.00"), Decimal("0.00")]
    with pytest.raises(Conflict):
        services.plan_set(actor=w["rep"], order=made, installments=[{"due_on": DAY, "amount": "2000"}])


def test_revenue_by_product_counts_confirmed_lines_only(w, admin):
    order(w["rep"], w["customer"], w["product"])
    draft = order(w["rep"], w["customer"], w["product"], confirm=False)
    assert draft.total == Decimal("2000.00")
    rows = selectors.revenue_by_product(user=admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert [(r["product_id"], r["revenue"]) for r in rows] == [(w["product"].pk, Decimal("2000.00"))]
    with pytest.raises(PermissionDenied):
        selectors.revenue_by_product(user=w["rep"], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
