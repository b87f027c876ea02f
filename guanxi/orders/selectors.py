"""Reads of orders, contracts and payments, scoped by `permissions.py`; receivables, their ageing and
revenue by product."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Team, User
from guanxi.catalog.models import Product
from guanxi.core.errors import NotFound
from guanxi.customers.models import Customer

from . import permissions
from .models import Allocation, Contract, Installment, Order, OrderLine, Payment, Refund

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Ageing buckets by days overdue; "current" is not due yet.
BUCKETS = (("current", None, 0), ("d0_30", 1, 30), ("d31_60", 31, 60), ("d61_90", 61, 90), ("d90_plus", 91, None))
BUCKET_LABELS = {"current": _("Not due"), "d0_30": _("0–30 days"), "d31_60": _("31–60 days"),
                 "d61_90": _("61–90 days"), "d90_plus": _("Over 90 days")}
GROUPS = {"customer": "customer_id", "owner": "owner_id", "team": "team_id"}


def _scoped(model, user, entity: str, action: str = "read") -> QuerySet:
    condition = permissions.record_condition(user, entity, action)
    return model.objects.all() if condition is None else model.objects.filter(condition)


def order_list(*, user) -> QuerySet[Order]:
    return _scoped(Order, user, "order")


def contract_list(*, user) -> QuerySet[Contract]:
    return _scoped(Contract, user, "contract")


def payment_list(*, user) -> QuerySet[Payment]:
    return _scoped(Payment, user, "payment")


def _get(qs: QuerySet, pk: int, message):
    record = qs.filter(pk=pk).select_related("customer", "owner", "team").first()
    if record is None:
        raise NotFound(message)
    return record


def order_get_for_user(*, user, order_id: int) -> Order:
    """One order; 404 outside the user's read scope."""
    return _get(order_list(user=user).select_related("opportunity", "contract"), order_id, _("Order not found."))


def contract_get_for_user(*, user, contract_id: int) -> Contract:
    return _get(contract_list(user=user).select_related("renews"), contract_id, _("Contract not found."))


def payment_get_for_user(*, user, payment_id: int) -> Payment:
    return _get(payment_list(user=user), payment_id, _("Payment not found."))


def installment_get(*, installment_id: int) -> Installment | None:
    return Installment.objects.filter(pk=installment_id).first()


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    customer_id: int | None = None
    owner_id: int | None = None
    contract_id: int | None = None
    open_only: bool = False


def order_search(*, user, filters: OrderFilter = OrderFilter()) -> QuerySet[Order]:
    """The orders the user may read that match, newest first."""
    qs = order_list(user=user)
    simple = {"status": filters.status or None, "customer_id": filters.customer_id, "owner_id": filters.owner_id,
              "contract_id": filters.contract_id}
    qs = qs.filter(**{k: v for k, v in simple.items() if v is not None})
    if filters.open_only:
        qs = qs.filter(outstanding__gt=0)
    return qs.select_related("customer", "owner", "team").order_by("-order_date", "-id")


def contract_search(*, user, status: str = "", customer_id: int | None = None) -> QuerySet[Contract]:
    qs = contract_list(user=user)
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.select_related("customer", "owner", "renews").order_by("-starts_on", "-id")


def payment_search(*, user, customer_id: int | None = None) -> QuerySet[Payment]:
    qs = payment_list(user=user)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.select_related("customer", "owner").order_by("-received_on", "-id")


def order_lines(*, order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("id"))


def plan_of(*, order: Order | None = None, contract: Contract | None = None) -> list[Installment]:
    qs = Installment.objects.filter(order=order) if order is not None else Installment.objects.filter(
        contract=contract)
    return list(qs.order_by("due_on", "id"))


def allocations_of(*, order: Order | None = None, payment: Payment | None = None) -> list[Allocation]:
    qs = Allocation.objects.filter(order=order) if order is not None else Allocation.objects.filter(payment=payment)
    return list(qs.select_related("payment", "order").order_by("id"))


def refunds_of(*, payment: Payment) -> list[Refund]:
    return list(payment.refunds.select_related("order").order_by("id"))


def renewal_chain(*, contract: Contract) -> list[Contract]:
    """The contract's predecessors and successors, oldest first (one query per link; chains are short)."""
    chain, current = [contract], contract
    while current.renews_id:
        current = Contract.objects.get(pk=current.renews_id)
        chain.insert(0, current)
    current = contract
    while (following := Contract.objects.filter(renews=current).first()) is not None:
        chain.append(following)
        current = following
    return chain


def orders_of_customer(*, user, customer_id: int, limit: int = 20) -> list[Order]:
    """The customer's newest orders the user may read (the 360's panel): one index range scan."""
    return list(order_list(user=user).filter(customer_id=customer_id).select_related("owner")
                .order_by("-order_date", "-id")[:limit])


# ---------------------------------------------------------------- receivables and ageing


def _receivables(user) -> QuerySet[Order]:
    condition = permissions.receivable_condition(user)
    qs = Order.objects.filter(outstanding__gt=0)
    return qs if condition is None else qs.filter(condition)


@dataclass(frozen=True)
class CustomerReceivable:
    ordered: Decimal  # confirmed and delivered orders
    received: Decimal  # applied to them, net of refunds against them
    outstanding: Decimal
    credit: Decimal  # overpayments not applied nor refunded


def customer_receivable(*, customer_id: int) -> CustomerReceivable:
    """A customer's figures from the orders side (unscoped: the caller has checked the customer)."""
    sums = Order.objects.filter(customer_id=customer_id, status__in=(Order.Status.CONFIRMED, Order.Status.DELIVERED)
                                ).aggregate(total=Sum("total", default=ZERO), received=Sum("received", default=ZERO),
                                            outstanding=Sum("outstanding", default=ZERO))
    credit = Payment.objects.filter(customer_id=customer_id).aggregate(s=Sum("unallocated", default=ZERO))["s"]
    return CustomerReceivable(ordered=sums["total"], received=sums["received"], outstanding=sums["outstanding"],
                              credit=credit)


def _bucket_expression(today: dt.date) -> Case:
    whens = [When(due_on__gte=today, then=Value(0))]
    for index, (_code, low, high) in enumerate(BUCKETS[1:], start=1):
        condition = Q(due_on__lte=today - dt.timedelta(days=low))
        if high is not None:
            condition &= Q(due_on__gte=today - dt.timedelta(days=high))
        whens.append(When(condition, then=Value(index)))
    return Case(*whens, output_field=IntegerField())


@dataclass(frozen=True)
class AgeingRow:
    key: int | None
    label: str
    buckets: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass(frozen=True)
class Ageing:
    by: str
    today: dt.date
    rows: list[AgeingRow]
    totals: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)


def _group_labels(by: str, keys: list) -> dict:
    """The names of the report's few rows, read apart so that the aggregates need no join."""
    ids = [k for k in keys if k is not None]
    if by == "owner":
        return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    model = Customer if by == "customer" else Team
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def ageing_report(*, user, by: str = "customer", today: dt.date | None = None, limit: int = 50) -> Ageing:
    """Outstanding amounts of the orders the user may see, in buckets of days past due (0–30, 31–60,
    61–90, 90+; not yet due apart), by customer, owner or team: the `limit` largest rows, and the totals.
    Three aggregates over the covering partial index of open orders (index-only scans, no join; the
    largest customers come from a sorted scan of it) and one read of the rows' names."""
    today = today or timezone.localdate()
    key = GROUPS[by]
    qs = _receivables(user).annotate(bucket=_bucket_expression(today))
    totals = {code: ZERO for code, _low, _high in BUCKETS}
    for row in qs.values("bucket").annotate(s=Sum("outstanding")).order_by():
        totals[BUCKETS[row["bucket"]][0]] = row["s"].quantize(CENT)
    top = list(qs.values(key).annotate(s=Sum("outstanding")).order_by("-s")[:limit].values_list(key, flat=True))
    cells = qs.filter(**{f"{key}__in": top}).values(key, "bucket").annotate(s=Sum("outstanding")).order_by()
    labels = _group_labels(by, top)
    rows: dict = {}
    for cell in cells:
        row = rows.setdefault(cell[key], AgeingRow(cell[key], labels.get(cell[key]) or "—",
                                                   {code: ZERO for code, _low, _high in BUCKETS}))
        row.buckets[BUCKETS[cell["bucket"]][0]] = cell["s"].quantize(CENT)
    ordered = sorted(rows.values(), key=lambda r: r.total, reverse=True)
    return Ageing(by=by, today=today, rows=ordered, totals=totals)


def revenue_by_product(*, user, start: dt.date, end: dt.date, limit: int = 50) -> list[dict]:
    """Sales (confirmed and delivered lines) between two days by product, largest first: an index-only
    scan of the lines' sale index. Company-wide figures: for roles that read every receivable."""
    permissions.require(user, "receivable", "read", allowed=permissions.scope(user, "receivable", "read")
                        is permissions.ALL)
    rows = (OrderLine.objects.filter(is_sale=True, order_date__gte=start, order_date__lte=end)
            .values("product_id").annotate(revenue=Sum("line_total"), lines=Count("id"))
            .order_by("-revenue")[:limit])
    rows = list(rows)
    names = dict(Product.objects.filter(pk__in=[r["product_id"] for r in rows]).values_list("pk", "name"))
    return [{**r, "name": names.get(r["product_id"], "")} for r in rows]


def sales_totals(*, user, start: dt.date, end: dt.date) -> dict:
    """Ordered, received and outstanding over the orders the user may see, dated between two days."""
    qs = order_list(user=user).filter(order_date__gte=start, order_date__lte=end,
                                      status__in=(Order.Status.CONFIRMED, Order.Status.DELIVERED))
    return qs.aggregate(ordered=Sum("total", default=ZERO), received=Sum("received", default=ZERO),
                        outstanding=Sum("outstanding", default=ZERO), orders=Count("id"))

