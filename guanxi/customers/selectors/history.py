"""Reads of one customer's history (interactions, transactions) and billing figures.

The caller has the customer from `selectors.customer_get_for_user`, which is where the scoping
happens; every read here is bounded by an index on (customer, occurred_at).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.core.pagination import Ordering

from .. import permissions
from ..enums import TransactionKind
from ..models import Customer, Interaction, Transaction

HISTORY_ORDERING = Ordering(allowed=("occurred_at", "id"), default="-occurred_at")
COUNT_CAP = 1_000  # "1000+" tells as much on a customer page as the exact figure
DEFAULT_DUE_DAYS = 30
CENT = Decimal("0.01")  # SQLite sums drop the scale of decimals


@dataclass(frozen=True)
class HistoryFilter:
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    kind: str = ""  # transactions: order, bill, payment or refund
    channel: str = ""


def _window(qs: QuerySet, filters: HistoryFilter) -> QuerySet:
    if filters.since:
        qs = qs.filter(occurred_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(occurred_at__lt=filters.until)
    return qs


def interaction_list(*, customer: Customer, filters: HistoryFilter | None = None,
                     ordering: str | None = None) -> QuerySet[Interaction]:
    filters = filters or HistoryFilter()
    qs = _window(Interaction.objects.filter(customer=customer), filters)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    return qs.select_related("staff", "team").order_by(*HISTORY_ORDERING.resolve(ordering))


def transaction_list(*, customer: Customer, filters: HistoryFilter | None = None,
                     ordering: str | None = None) -> QuerySet[Transaction]:
    filters = filters or HistoryFilter()
    qs = _window(Transaction.objects.filter(customer=customer), filters)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.select_related("staff").order_by(*HISTORY_ORDERING.resolve(ordering))


@dataclass(frozen=True)
class HistoryCounts:
    interactions: int
    transactions: int
    cap: int

    @property
    def interactions_capped(self) -> bool:
        return self.interactions >= self.cap

    @property
    def transactions_capped(self) -> bool:
        return self.transactions >= self.cap


def history_counts(*, customer: Customer, cap: int = COUNT_CAP) -> HistoryCounts:
    """How many contacts and transactions the customer has, counted up to `cap` (two index-only
    scans of at most `cap` entries, however long the history)."""
    return HistoryCounts(
        interactions=Interaction.objects.filter(customer=customer).order_by()[:cap].count(),
        transactions=Transaction.objects.filter(customer=customer).order_by()[:cap].count(),
        cap=cap,
    )


@dataclass(frozen=True)
class BillingSummary:
    """The account as the ledger tells it (计费帐务): billed − paid is what the customer owes (a
    negative figure is credit); bills older than the due period and not covered by the payments
    (paid first against the oldest bills) are overdue."""

    billed: Decimal
    paid: Decimal
    ordered: Decimal
    refunded: Decimal
    reversed: Decimal  # orders cancelled after they were confirmed (their compensating entries)
    billed_due: Decimal  # bills past their due date
    last_bill_at: dt.datetime | None
    last_payment_at: dt.datetime | None
    last_payment_amount: Decimal | None
    due_days: int

    @property
    def outstanding(self) -> Decimal:
        return self.billed - self.paid

    @property
    def net_ordered(self) -> Decimal:
        """Orders less the cancelled ones: what the orders module counts as sold."""
        return self.ordered - self.reversed

    @property
    def overdue_amount(self) -> Decimal:
        return max(Decimal("0.00"), self.billed_due - self.paid)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_amount > 0

    @property
    def has_ledger(self) -> bool:
        return self.last_bill_at is not None or self.last_payment_at is not None or bool(self.ordered or self.refunded)

    def as_dict(self) -> dict:
        return {"billed": self.billed, "paid": self.paid, "outstanding": self.outstanding, "ordered": self.ordered,
                "refunded": self.refunded, "reversed": self.reversed, "overdue_amount": self.overdue_amount,
                "is_overdue": self.is_overdue,
                "due_days": self.due_days, "last_bill_at": self.last_bill_at,
                "last_payment_at": self.last_payment_at, "last_payment_amount": self.last_payment_amount}


def billing_summary(*, customer: Customer, now: dt.datetime | None = None) -> BillingSummary:
    """Two queries over the customer's ledger: the sums per kind (an index-only scan of the
    covering customer index on PostgreSQL) and the last payment."""
    now = now or timezone.now()
    due_days = getattr(settings, "BILLING_DUE_DAYS", DEFAULT_DUE_DAYS)
    due_before = now - dt.timedelta(days=due_days)
    ledger = Transaction.objects.filter(customer=customer).order_by()

    def total(kind, extra=None):
        condition = Q(kind=kind) & (extra or Q())
        return Sum("amount", filter=condition, default=Decimal("0.00"))

    sums = ledger.aggregate(
        billed=total(TransactionKind.BILL), paid=total(TransactionKind.PAYMENT),
        ordered=total(TransactionKind.ORDER), refunded=total(TransactionKind.REFUND),
        reversed=total(TransactionKind.REVERSAL),
        billed_due=total(TransactionKind.BILL, Q(occurred_at__lte=due_before)),
        last_bill_at=Max("occurred_at", filter=Q(kind=TransactionKind.BILL)),
    )
    last_payment = (ledger.filter(kind=TransactionKind.PAYMENT).order_by("-occurred_at")
                    .values_list("occurred_at", "amount").first())
    cents = {k: Decimal(sums[k]).quantize(CENT) for k in ("billed", "paid", "ordered", "refunded", "reversed",
                                                     "billed_due")}
    return BillingSummary(
        **cents, last_bill_at=sums["last_bill_at"],
        last_payment_at=last_payment[0] if last_payment else None,
        last_payment_amount=last_payment[1] if last_payment else None, due_days=due_days,
    )


def customers_for_write(*, user: User, ids: set[int], codes: set[str]) -> dict:
    """The live customers among `ids` and customer numbers `codes` that `user` may write, keyed by
    id and by number (one query); the others are simply missing."""
    if not ids and not codes:
        return {}
    found: dict = {}
    for customer in Customer.objects.alive().filter(Q(pk__in=ids) | Q(code__in=codes)):
        if permissions.customer_in_scope(user, customer, "write", "history"):
            found[customer.pk] = found[customer.code] = customer
    return found
