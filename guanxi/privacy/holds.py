"""Legal holds: what keeps a customer's personal data from being erased for now. While a 三包
warranty repair or fault case is open, or money is owed, the person must stay reachable; the
request is refused with the reasons and can be executed once they are gone.

The retention sweep asks the same of many customers at once, as SQL (`busy_customer`): a legal hold,
or open business — any open case, a draft or confirmed order, an open opportunity."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_noop

from guanxi.orders.models import Order
from guanxi.orders.selectors import customer_receivable
from guanxi.sales.models import Opportunity
from guanxi.servicedesk.enums import TicketStatus, TicketType
from guanxi.servicedesk.models import Ticket
from guanxi.warranty.models import RepairRecord

OPEN_CASE = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.PENDING_THIRD_PARTY)
OWED = (Order.Status.CONFIRMED, Order.Status.DELIVERED)  # the orders a receivable is summed over
OPEN_ORDER = (Order.Status.DRAFT, Order.Status.CONFIRMED)


def legal_holds(customer_ids: list[int]) -> dict[str, str]:
    """The holds on these customer records: {code: message id} (empty: none)."""
    holds = {}
    open_fault = Ticket.objects.filter(customer_id__in=customer_ids, type=TicketType.FAULT, status__in=OPEN_CASE)
    open_repair = RepairRecord.objects.filter(serial__sales__customer_id__in=customer_ids, finished_at__isnull=True)
    if open_fault.exists() or open_repair.exists():
        holds["warranty"] = gettext_noop("A warranty (三包) repair or fault case is still open.")
    if any(customer_receivable(customer_id=pk).outstanding > 0 for pk in customer_ids):
        holds["receivable"] = gettext_noop("The customer still owes money (unpaid receivable).")
    return holds


def busy_customer(customer: str) -> Q:
    """Rows whose customer (the lookup `customer`, e.g. "customer_id" or "pk") is under a legal hold
    or has open business, or one of the duplicates merged into it has: one SQL condition. An
    outstanding amount is never negative (total less received; cancelled orders zero), so "some order
    owes money" is the receivable hold's "the sum owed is above zero"."""
    busy = Q()
    for via in ("customer", "customer__merged_into"):
        of = {f"{via}_id": OuterRef(customer)}
        busy |= Q(Exists(Ticket.objects.filter(**of, status__in=OPEN_CASE)))
        busy |= Q(Exists(Order.objects.filter(**of, status__in=OPEN_ORDER)))
        busy |= Q(Exists(Order.objects.filter(**of, status__in=OWED, outstanding__gt=0)))
        busy |= Q(Exists(Opportunity.objects.filter(**of, status=Opportunity.Status.OPEN)))
        busy |= Q(Exists(RepairRecord.objects.filter(**{f"serial__sales__{via}_id": OuterRef(customer)},
                                                     finished_at__isnull=True)))
    return busy
