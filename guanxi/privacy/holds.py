"""Legal holds: what keeps a customer's personal data from being erased for now. While a 三包
warranty repair or fault case is open, or money is owed, the person must stay reachable; the
request is refused with the reasons and can be executed once they are gone."""

from django.utils.translation import gettext_noop

from guanxi.orders.selectors import customer_receivable
from guanxi.servicedesk.enums import TicketStatus, TicketType
from guanxi.servicedesk.models import Ticket
from guanxi.warranty.models import RepairRecord

OPEN_CASE = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.PENDING_THIRD_PARTY)


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
