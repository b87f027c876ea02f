"""Writes of orders, contracts and payments. Every write checks the actor against `permissions.py`,
keeps the audit trail (simple_history) and runs in one transaction with its ledger entry: a confirmed
order, a payment and a refund each write one customers `Transaction` (external ids `order:<id>`,
`payment:<id>`, `refund:<id>`); cancelling a confirmed order writes its compensating entry
(`reversal`, `order:<id>:reversal`) — ledger rows are never deleted."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import SYSTEM, is_system, user_of
from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.catalog.models import Product
from guanxi.catalog.selectors import price_at
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.enums import TransactionKind
from guanxi.customers.models import Customer
from guanxi.customers.permissions import customer_in_scope
from guanxi.customers.services.history import transaction_record
from guanxi.sales.models import Opportunity
from guanxi.sales.selectors.configuration import sales_settings
from guanxi.sales.services.alerts import managers_alert
from guanxi.tasks.services import task_create

from . import permissions
from .models import Allocation, Contract, Installment, Order, OrderBigDealAlert, OrderLine, Payment, Refund
from .signals import order_delivered

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_LINES = 200
MAX_QUANTITY = 1_000_000
DEFAULT_TERMS_DAYS = 30
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)
Status = Order.Status


def _money(value, *, positive: bool = False) -> tuple[Decimal | None, str | None]:
    """The amount in yuan, or why it is not one (negative, zero where it must be positive, too large,
    finer than a fen)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or (positive and amount == 0):
        return None, _("an amount greater than 0") if positive else _("an amount of 0 or more")
    if amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        return None, _("at most 999,999,999,999.99, in fen")
    return amount.quantize(CENT), None


def _date(value, field: str, errors: dict) -> dt.date | None:
    if not isinstance(value, dt.date) or not EARLIEST <= value <= LATEST:
        errors[field] = _("a date from 2000 to 2999")
        return None
    return value


def _text(value, field: str, limit: int, errors: dict, *, required: bool = False) -> str:
    text = (value or "").strip()
    if len(text) > limit or (required and not text):
        errors[field] = _("required, at most %(n)s characters") % {"n": limit} if required else \
            _("at most %(n)s characters") % {"n": limit}
    return text


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(fields=errors)


def _owner(actor, owner: User | None) -> User:
    """The record's owner: the actor by default; another member of staff only for those who write
    beyond their own (a team's manager within the team)."""
    if owner is None:
        if not permissions.may_own(actor):
            raise ValidationFailed(fields={"owner": _("name the representative who owns it")})
        return actor
    if not owner.is_active or not permissions.may_own(owner):
        raise ValidationFailed(fields={"owner": _("not an active member of the sales force")})
    if owner.pk != getattr(actor, "pk", None) and not is_system(actor):
        reach = permissions.scope(actor, "order", "write")
        if not (reach is Scope.ALL or (reach is Scope.TEAM and actor.team_id and owner.team_id == actor.team_id)):
            raise PermissionDenied(_("You can give records only to people of your own team."))
    return owner


def _require_customer(actor, customer: Customer) -> None:
    if not is_system(actor) and not customer_in_scope(actor, customer, "read"):
        raise PermissionDenied(_("You cannot sell to a customer you cannot see."))
    if customer.deleted_at is not None:
        raise ValidationFailed(fields={"customer": _("this customer was deleted")})


def _save(instance, actor, **kwargs) -> None:
    instance._history_user = user_of(actor)
    instance.save(**kwargs)


def _numbered(instance, prefix: str, actor) -> None:
    """Save a new record, then give it its number (prefix, date, id): unique without a counter table."""
    instance.number = f"TMP-{timezone.now().timestamp()}-{id(instance)}"
    _save(instance, actor)
    instance.number = f"{prefix}{timezone.localdate():%Y%m%d}{instance.pk:07d}"
    _save(instance, actor, update_fields=["number"])


def _ledger(*, customer: Customer, kind: str, amount: Decimal, at: dt.datetime, external_id: str, description: str,
            actor, team=None) -> None:
    """The one ledger entry of an order, payment, refund or reversal (the orders module has already
    checked the actor; the ledger is written as the system on its behalf, `staff` the actor)."""
    transaction_record(actor=SYSTEM, customer=customer, kind=kind, amount=amount, occurred_at=at,
                       description=description[:200], external_id=external_id,
                       staff=user_of(actor), team=team)


def _moment(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """The ledger time of a day's event: now for today, noon for a day past."""
    now = now or timezone.now()
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


# ---------------------------------------------------------------- orders


def _lines(lines: list[dict], order_date: dt.date, errors: dict) -> list[OrderLine]:
    """Order lines from `{product, quantity, unit_price?, serial?}`; the unit price defaults to the list
    price on the order date (a lower one is a discount)."""
    if not lines:
        errors["lines"] = _("at least one line")
    if len(lines) > MAX_LINES:
        errors["lines"] = _("at most 200 lines")
    out = []
    for index, line in enumerate(lines[:MAX_LINES]):
        field = f"lines[{index}]"
        product, quantity = line.get("product"), line.get("quantity")
        if not isinstance(product, Product) or not product.is_active:
            errors[f"{field}.product"] = _("an active product of the catalogue")
            continue
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            errors[f"{field}.quantity"] = _("a whole number from 1 to 1,000,000")
            continue
        listed = price_at(product=product, on=order_date) if order_date else None
        list_price = listed.amount if listed else None
        if line.get("unit_price") is None:
            if list_price is None:
                errors[f"{field}.unit_price"] = _("the product has no list price on the order date: give one")
                continue
            unit_price = list_price
        else:
            unit_price, reason = _money(line["unit_price"])
            if reason:
                errors[f"{field}.unit_price"] = reason
                continue
        serial = _text(line.get("serial"), f"{field}.serial", 50, errors)
        if serial and quantity != 1:
            errors[f"{field}.serial"] = _("a line with a serial number has a quantity of 1")
        total = (unit_price * quantity).quantize(CENT)
        if total > MAX_AMOUNT:
            errors[f"{field}.quantity"] = _("the line total is too large")
        out.append(OrderLine(product=product, quantity=quantity, list_price=list_price, unit_price=unit_price,
                             line_total=total, serial=serial, order_date=order_date))
    serials = [line.serial for line in out if line.serial]
    if len(serials) != len(set(serials)):
        errors["lines"] = _("a serial number appears twice")
    return out


def _links(actor, customer: Customer, opportunity: Opportunity | None, contract: Contract | None,
           errors: dict) -> None:
    if opportunity is not None and opportunity.customer_id != customer.pk:
        errors["opportunity"] = _("an opportunity of the same customer")
    if contract is not None and contract.customer_id != customer.pk:
        errors["contract"] = _("a contract of the same customer")
    elif contract is not None and contract.status not in (Contract.Status.DRAFT, Contract.Status.ACTIVE):
        errors["contract"] = _("a draft or active contract")


@transaction.atomic
def order_create(*, actor, customer: Customer, order_date: dt.date, lines: list[dict], owner: User | None = None,
                 due_on: dt.date | None = None, opportunity: Opportunity | None = None,
                 contract: Contract | None = None, note: str = "") -> Order:
    """A draft order of a customer the actor may read, with its lines priced from the catalogue on the
    order date (or at the unit price given). Payment is due `due_on` (30 days after the order date by
    default)."""
    permissions.require(actor, "order", "write", message=_("Your role cannot create orders."))
    _require_customer(actor, customer)
    errors: dict = {}
    order_date = _date(order_date, "order_date", errors)
    due_on = _date(due_on, "due_on", errors) if due_on is not None else (
        order_date + dt.timedelta(days=DEFAULT_TERMS_DAYS) if order_date else None)
    if order_date and due_on and due_on < order_date:
        errors["due_on"] = _("on or after the order date")
    note = _text(note, "note", 500, errors)
    _links(actor, customer, opportunity, contract, errors)
    built = _lines(lines, order_date, errors)
    _raise(errors)
    owner = _owner(actor, owner)
    order = Order(customer=customer, owner=owner, team=owner.team, order_date=order_date, due_on=due_on,
                  opportunity=opportunity, contract=contract, note=note, created_by=user_of(actor),
                  total=sum((line.line_total for line in built), ZERO))
    _numbered(order, "SO", actor)
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    return order


def _locked_order(actor, order: Order) -> Order:
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    permissions.require_record(actor, "order", order)
    return order


@transaction.atomic
def order_update_lines(*, actor, order: Order, lines: list[dict]) -> Order:
    """Replace the lines of a draft order (priced as in `order_create`)."""
    order = _locked_order(actor, order)
    if order.status != Status.DRAFT:
        raise Conflict(_("Only a draft order's lines can change."), code="not_draft")
    errors: dict = {}
    built = _lines(lines, order.order_date, errors)
    _raise(errors)
    order.lines.all().delete()
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    order.total = sum((line.line_total for line in built), ZERO)
    _save(order, actor)
    return order


@transaction.atomic
def order_confirm(*, actor, order: Order, at: dt.datetime | None = None) -> Order:
    """Confirm a draft order: it becomes a sale (its ledger `order` entry) and money is due on it; a
    big-deal alert goes to the managers when its total reaches the big-deal amount."""
    order = _locked_order(actor, order)
    if order.status != Status.DRAFT:
        raise Conflict(_("Only a draft order can be confirmed."), code="not_draft")
    if order.total <= 0:
        raise ValidationFailed(_("An order of 0 cannot be confirmed."), fields={"lines": _("at least one paid line")})
    at = at or timezone.now()
    order.status, order.confirmed_at, order.outstanding = Status.CONFIRMED, at, order.total - order.received
    _save(order, actor)
    order.lines.update(is_sale=True)
    _ledger(customer=order.customer, kind=TransactionKind.ORDER, amount=order.total, at=at,
            external_id=f"order:{order.pk}", description=gettext("Order %(number)s") % {"number": order.number},
            actor=actor, team=order.team)
    order_big_deal_check(order)
    return order


@transaction.atomic
def order_deliver(*, actor, order: Order, at: dt.datetime | None = None) -> Order:
    """Mark a confirmed order delivered; the apps above hear of its lines with serials (warranty
    registers the sale of each unit) in the same transaction."""
    order = _locked_order(actor, order)
    if order.status != Status.CONFIRMED:
        raise Conflict(_("Only a confirmed order can be delivered."), code="not_confirmed")
    order.status, order.delivered_at = Status.DELIVERED, at or timezone.now()
    _save(order, actor)
    serials = [line for line in order.lines.select_related("product") if line.serial]
    order_delivered.send(sender=Order, order=order, lines_with_serial=serials, actor=actor)
    return order


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str, at: dt.datetime | None = None) -> Order:
    """Cancel a draft or confirmed order. A confirmed one must hold no money (refund it first); its
    ledger entry is compensated by a reversal entry, never deleted."""
    order = _locked_order(actor, order)
    errors: dict = {}
    reason = _text(reason, "reason", 200, errors, required=True)
    _raise(errors)
    if order.status not in (Status.DRAFT, Status.CONFIRMED):
        raise Conflict(_("A delivered or cancelled order cannot be cancelled."), code="not_cancellable")
    if order.received > 0:
        raise Conflict(_("Money was received on this order: refund it before cancelling."), code="has_payments")
    at = at or timezone.now()
    was_sale = order.status == Status.CONFIRMED
    order.status, order.cancelled_at, order.cancel_reason, order.outstanding = Status.CANCELLED, at, reason, ZERO
    _save(order, actor)
    order.lines.update(is_sale=False)
    if was_sale:
        _ledger(customer=order.customer, kind=TransactionKind.REVERSAL, amount=order.total, at=at,
                external_id=f"order:{order.pk}:reversal",
                description=gettext("Order %(number)s cancelled: %(reason)s") % {"number": order.number,
                                                                                   "reason": reason},
                actor=actor, team=order.team)
    return order


def order_big_deal_check(order: Order) -> OrderBigDealAlert | None:
    """Alert the sales managers once when a confirmed order reaches the big-deal amount (sales'
    setting and messaging, shared with opportunities)."""
    threshold = sales_settings().big_deal_amount
    if order.total < threshold or OrderBigDealAlert.objects.filter(order=order, threshold=threshold).exists():
        return None
    try:
        with transaction.atomic():
            alert = OrderBigDealAlert.objects.create(order=order, threshold=threshold, amount=order.total,
                                                     alerted_at=timezone.now())
    except IntegrityError:
        return None
    with translation.override(settings.LANGUAGE_CODE):  # read by managers in the default language
        subject = gettext("Big order: %(number)s") % {"number": order.number}
        body = gettext("%(owner)s's order %(number)s (%(customer)s) is worth ¥%(amount)s, at or above the "
                       "big-deal amount of ¥%(threshold)s.") % {
            "owner": order.owner, "number": order.number, "customer": order.customer,
            "amount": f"{order.total:,.2f}", "threshold": f"{threshold:,.2f}"}
    alert.recipients = managers_alert(team_id=order.team_id, subject=subject, body=body)
    alert.save(update_fields=["recipients"])
    return alert


# ---------------------------------------------------------------- payment plans


@transaction.atomic
def plan_set(*, actor, order: Order | None = None, contract: Contract | None = None,
             installments: list[dict]) -> list[Installment]:
    """Replace the payment plan (installments `{due_on, amount}`) of an order or a contract; the plan
    adds up to the order's total (a contract's: at most its amount). Installments already paid into
    cannot be replaced."""
    if (order is None) == (contract is None):
        raise ValidationFailed(fields={"order": _("an order or a contract")})
    entity, record = ("order", order) if order is not None else ("contract", contract)
    permissions.require_record(actor, entity, record)
    errors: dict = {}
    rows = []
    for index, item in enumerate(installments):
        due_on = _date(item.get("due_on"), f"installments[{index}].due_on", errors)
        amount, reason = _money(item.get("amount"), positive=True)
        if reason:
            errors[f"installments[{index}].amount"] = reason
        rows.append((due_on, amount))
    if not installments or len(installments) > 60:
        errors["installments"] = _("from 1 to 60 installments")
    _raise(errors)
    total = sum(amount for _, amount in rows)
    if order is not None and total != order.total:
        errors["installments"] = _("the installments add up to the order's total")
    if contract is not None and total > contract.amount:
        errors["installments"] = _("the installments add up to at most the contract's amount")
    _raise(errors)
    existing = Installment.objects.filter(order=order) if order is not None else \
        Installment.objects.filter(contract=contract)
    if existing.filter(received__gt=0).exists():
        raise Conflict(_("Money was received against this plan; it can no longer be replaced."), code="plan_paid")
    existing.delete()
    return Installment.objects.bulk_create([Installment(order=order, contract=contract, due_on=due_on, amount=amount)
                                            for due_on, amount in sorted(rows, key=lambda r: r[0])])


# ---------------------------------------------------------------- payments (回款)


def _allocations(customer: Customer, allocations: list[dict], errors: dict) -> list[tuple[Order, Installment | None,
                                                                                          Decimal]]:
    """`{order, amount, installment?}` rows checked against the locked orders' outstanding amounts. The
    orders are locked in id order, so that two payments on the same orders wait for each other instead
    of deadlocking."""
    wanted: dict[int, Decimal] = {}
    rows = []
    named = {item["order"].pk for item in allocations if isinstance(item.get("order"), Order)}
    locked = {order.pk: order for order in Order.objects.select_for_update().filter(pk__in=named).order_by("pk")}
    for index, item in enumerate(allocations):
        field = f"allocations[{index}]"
        order, installment = item.get("order"), item.get("installment")
        amount, reason = _money(item.get("amount"), positive=True)
        if reason:
            errors[f"{field}.amount"] = reason
            continue
        if not isinstance(order, Order) or order.customer_id != customer.pk:
            errors[f"{field}.order"] = _("an order of the same customer")
            continue
        order = locked[order.pk]
        if not order.counts_as_sale:
            errors[f"{field}.order"] = _("a confirmed or delivered order")
            continue
        if installment is not None and not _installment_of(installment, order):
            errors[f"{field}.installment"] = _("an installment of this order or of its contract")
            continue
        wanted[order.pk] = wanted.get(order.pk, ZERO) + amount
        if wanted[order.pk] > order.outstanding:
            errors[f"{field}.amount"] = _("more than the ¥%(amount)s outstanding on order %(number)s") % {
                "amount": f"{order.outstanding:,.2f}", "number": order.number}
            continue
        rows.append((order, installment, amount))
    return rows


def _installment_of(installment: Installment, order: Order) -> bool:
    return installment.order_id == order.pk or (installment.contract_id is not None
                                                and installment.contract_id == order.contract_id)


@transaction.atomic
def payment_record(*, actor, customer: Customer, amount, received_on: dt.date, allocations: list[dict] | None = None,
                   method: str = Payment.Method.BANK_TRANSFER, is_overpayment: bool = False,
                   owner: User | None = None, note: str = "") -> Payment:
    """Record a payment received (回款单) and apply it to the customer's orders. What is not applied must
    be covered by open orders of the customer (applied later) unless the payment is explicitly recorded
    as an overpayment (the rest kept as the customer's credit); more than the customer owes is refused
    otherwise. Writes the ledger `payment` entry."""
    permissions.require(actor, "payment", "write", message=_("Your role cannot record payments."))
    _require_customer(actor, customer)
    errors: dict = {}
    amount, reason = _money(amount, positive=True)
    if reason:
        errors["amount"] = reason
    received_on = _date(received_on, "received_on", errors)
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = _("not in the future")
    if method not in Payment.Method.values:
        errors["method"] = _("one of: %(values)s") % {"values": ", ".join(Payment.Method.values)}
    note = _text(note, "note", 500, errors)
    _raise(errors)
    rows = _allocations(customer, allocations or [], errors)
    _raise(errors)
    applied = sum((row[2] for row in rows), ZERO)
    if applied > amount:
        raise ValidationFailed(fields={"allocations": _("more than the payment's amount")})
    rest = amount - applied
    if rest > 0 and not is_overpayment:
        owed = _owed(customer) - applied
        if rest > owed:
            raise ValidationFailed(
                _("The payment is larger than what the customer owes; record it as an overpayment to keep the "
                  "rest as credit."),
                fields={"amount": _("more than the ¥%(amount)s outstanding") % {"amount": f"{max(owed, ZERO):,.2f}"}},
                code="overpayment")
    owner = _owner(actor, owner)
    payment = Payment(customer=customer, owner=owner, team=owner.team, received_on=received_on, amount=amount,
                      method=method, is_overpayment=is_overpayment, unallocated=amount, note=note)
    _numbered(payment, "HK", actor)
    _apply(payment, rows, actor)
    _ledger(customer=customer, kind=TransactionKind.PAYMENT, amount=amount, at=_moment(received_on),
            external_id=f"payment:{payment.pk}",
            description=gettext("Payment received %(number)s") % {"number": payment.number}, actor=actor,
            team=owner.team)
    return payment


def _owed(customer: Customer) -> Decimal:
    from django.db.models import Sum

    return Order.objects.filter(customer=customer, outstanding__gt=0).aggregate(
        s=Sum("outstanding", default=ZERO))["s"]


def _apply(payment: Payment, rows, actor) -> None:
    for order, installment, amount in rows:
        Allocation.objects.create(payment=payment, order=order, installment=installment, amount=amount)
        order.received += amount
        order.outstanding -= amount
        _save(order, actor, update_fields=["received", "outstanding", "updated_at"])
        if installment is not None:
            Installment.objects.filter(pk=installment.pk).update(received=F("received") + amount)
    payment.unallocated -= sum((row[2] for row in rows), ZERO)
    _save(payment, actor, update_fields=["unallocated", "updated_at"])


@transaction.atomic
def payment_allocate(*, actor, payment: Payment, allocations: list[dict]) -> Payment:
    """Apply more of a payment's credit to the customer's orders."""
    payment = Payment.objects.select_for_update().select_related("customer").get(pk=payment.pk)
    permissions.require_record(actor, "payment", payment)
    errors: dict = {}
    rows = _allocations(payment.customer, allocations, errors)
    _raise(errors)
    if not rows:
        raise ValidationFailed(fields={"allocations": _("at least one")})
    if sum(row[2] for row in rows) > payment.unallocated:
        raise ValidationFailed(fields={"allocations": _("more than the ¥%(amount)s left on this payment") % {
            "amount": f"{payment.unallocated:,.2f}"}})
    _apply(payment, rows, actor)
    return payment


@transaction.atomic
def refund_record(*, actor, payment: Payment, amount, refunded_on: dt.date, reason: str,
                  order: Order | None = None) -> Refund:
    """Pay money back from a payment: from its credit, or (with `order`) from what it paid on that order,
    which is then owed again. Writes the ledger `refund` entry."""
    payment = Payment.objects.select_for_update().select_related("customer").get(pk=payment.pk)
    permissions.require_record(actor, "payment", payment)
    errors: dict = {}
    amount, why = _money(amount, positive=True)
    if why:
        errors["amount"] = why
    refunded_on = _date(refunded_on, "refunded_on", errors)
    if refunded_on and refunded_on > timezone.localdate():
        errors["refunded_on"] = _("not in the future")
    reason = _text(reason, "reason", 200, errors, required=True)
    _raise(errors)
    if order is not None:
        order = Order.objects.select_for_update().get(pk=order.pk)
        paid_here = _paid_on(payment, order)
        if amount > paid_here:
            raise ValidationFailed(fields={"amount": _("more than the ¥%(amount)s this payment paid on the order") % {
                "amount": f"{paid_here:,.2f}"}})
        order.received -= amount
        order.outstanding = (order.total - order.received) if order.counts_as_sale else ZERO
        _save(order, actor, update_fields=["received", "outstanding", "updated_at"])
    elif amount > payment.unallocated:
        raise ValidationFailed(fields={"amount": _("more than the ¥%(amount)s of credit left on this payment") % {
            "amount": f"{payment.unallocated:,.2f}"}})
    else:
        payment.unallocated -= amount
    payment.refunded += amount
    _save(payment, actor, update_fields=["unallocated", "refunded", "updated_at"])
    refund = Refund.objects.create(payment=payment, order=order, amount=amount, refunded_on=refunded_on,
                                   reason=reason, created_by=user_of(actor))
    _ledger(customer=payment.customer, kind=TransactionKind.REFUND, amount=amount, at=_moment(refunded_on),
            external_id=f"refund:{refund.pk}",
            description=gettext("Refund of %(number)s: %(reason)s") % {"number": payment.number, "reason": reason},
            actor=actor, team=payment.team)
    return refund


def _paid_on(payment: Payment, order: Order) -> Decimal:
    from django.db.models import Sum

    paid = payment.allocations.filter(order=order).aggregate(s=Sum("amount", default=ZERO))["s"]
    back = payment.refunds.filter(order=order).aggregate(s=Sum("amount", default=ZERO))["s"]
    return paid - back


# ---------------------------------------------------------------- contracts (销售合同)


def _contract_fields(data: dict, errors: dict) -> dict:
    clean = {"title": _text(data.get("title"), "title", 200, errors, required=True)}
    clean["amount"], reason = _money(data.get("amount"))
    if reason:
        errors["amount"] = reason
    for field in ("starts_on", "ends_on"):
        clean[field] = _date(data.get(field), field, errors)
    clean["signed_on"] = _date(data["signed_on"], "signed_on", errors) if data.get("signed_on") else None
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        errors["ends_on"] = _("on or after the start")
    days = data.get("reminder_days", 30)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365:
        errors["reminder_days"] = _("from 0 to 365 days")
    clean["reminder_days"] = days
    return clean


@transaction.atomic
def contract_create(*, actor, customer: Customer, title: str, amount, starts_on: dt.date, ends_on: dt.date,
                    signed_on: dt.date | None = None, owner: User | None = None, reminder_days: int = 30,
                    renews: Contract | None = None) -> Contract:
    """A draft sales contract; with `renews`, the renewal of an active or expired contract of the same
    customer (which becomes `renewed` when this one is activated)."""
    permissions.require(actor, "contract", "write", message=_("Your role cannot create contracts."))
    _require_customer(actor, customer)
    errors: dict = {}
    clean = _contract_fields({"title": title, "amount": amount, "starts_on": starts_on, "ends_on": ends_on,
                              "signed_on": signed_on, "reminder_days": reminder_days}, errors)
    if renews is not None:
        renews = Contract.objects.select_for_update().get(pk=renews.pk)
        if renews.customer_id != customer.pk:
            errors["renews"] = _("a contract of the same customer")
        elif renews.status not in (Contract.Status.ACTIVE, Contract.Status.EXPIRED) or \
                Contract.objects.filter(renews=renews).exists():
            errors["renews"] = _("an active or expired contract not renewed yet")
    _raise(errors)
    owner = _owner(actor, owner)
    contract = Contract(customer=customer, owner=owner, team=owner.team, renews=renews, **clean)
    _numbered(contract, "HT", actor)
    return contract


@transaction.atomic
def contract_activate(*, actor, contract: Contract) -> Contract:
    """A draft contract comes into force (signed today unless a date was given); the contract it renews
    becomes `renewed`."""
    contract = Contract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    permissions.require_record(actor, "contract", contract)
    if contract.status != Contract.Status.DRAFT:
        raise Conflict(_("Only a draft contract can be activated."), code="not_draft")
    contract.status = Contract.Status.ACTIVE
    contract.signed_on = contract.signed_on or timezone.localdate()
    _save(contract, actor)
    if contract.renews_id:
        previous = Contract.objects.select_for_update().get(pk=contract.renews_id)
        previous.status = Contract.Status.RENEWED
        _save(previous, actor)
    return contract


@transaction.atomic
def contract_terminate(*, actor, contract: Contract) -> Contract:
    """End an active contract early."""
    contract = Contract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    permissions.require_record(actor, "contract", contract)
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("Only an active contract can be terminated."), code="not_active")
    contract.status = Contract.Status.TERMINATED
    _save(contract, actor)
    return contract


def contracts_sweep(*, today: dt.date | None = None) -> dict:
    """The daily beat job: active contracts past their end expire; those within their reminder days
    of the end (and not renewed) get one renewal task for their owner. Returns the counts."""
    today = today or timezone.localdate()
    expired = 0
    for contract in Contract.objects.filter(status=Contract.Status.ACTIVE, ends_on__lt=today):
        with transaction.atomic():
            contract.status = Contract.Status.EXPIRED
            _save(contract, SYSTEM, update_fields=["status", "updated_at"])
            expired += 1
    reminded = 0
    due = Contract.objects.filter(status=Contract.Status.ACTIVE, reminded_at__isnull=True, renewal__isnull=True,
                                  ends_on__gte=today).select_related("customer", "owner")
    for contract in due.iterator():
        if contract.ends_on - dt.timedelta(days=contract.reminder_days) <= today:
            contract_remind(contract=contract, today=today)
            reminded += 1
    return {"expired": expired, "reminded": reminded}


@transaction.atomic
def contract_remind(*, contract: Contract, today: dt.date) -> None:
    """One renewal task (through guanxi.tasks) for the contract's owner, due on the contract's last day."""
    contract = Contract.objects.select_for_update().select_related("customer", "owner").get(pk=contract.pk)
    if contract.reminded_at is not None:
        return
    due_at = timezone.make_aware(dt.datetime.combine(max(contract.ends_on, today), dt.time(10)))
    task_create(actor=SYSTEM, kind="contract_renewal",
                subject=gettext("Renew contract %(number)s before %(date)s") % {
                    "number": contract.number, "date": contract.ends_on.isoformat()},
                due_at=due_at, customer=contract.customer, assignee=contract.owner, source=contract,
                source_url=reverse("orders:contract", args=[contract.pk]))
    contract.reminded_at = timezone.now()
    _save(contract, SYSTEM, update_fields=["reminded_at", "updated_at"])
