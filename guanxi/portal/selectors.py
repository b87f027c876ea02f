"""Reads for the portal. Every query is filtered by the signed-in customer; another customer's
record is simply not found."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from guanxi.core.errors import NotFound
from guanxi.customers.enums import HoldingStatus
from guanxi.customers.models import Customer, Holding
from guanxi.servicedesk.models import Ticket, TicketMessage
from guanxi.servicedesk.models.tickets import OPEN_STATUSES
from guanxi.warranty.models import ProductSale
from guanxi.warranty.selectors import serial_status

from .models import PortalAccount

SESSION_ACCOUNT_KEY = "guanxi_portal_account_id"


def portal_account_for_session(*, account_id: int) -> PortalAccount | None:
    """The active account of a portal session, with its (not deleted) customer."""
    return (PortalAccount.objects.select_related("customer")
            .filter(pk=account_id, is_active=True, customer__deleted_at__isnull=True).first())


def portal_ticket_list(*, customer: Customer, open_only: bool = False) -> QuerySet[Ticket]:
    """The customer's own cases, newest first."""
    qs = Ticket.objects.filter(customer=customer).select_related("owner")
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("-created_at", "-id")


def portal_ticket_get(*, customer: Customer, ticket_id: int) -> Ticket:
    """One of the customer's own cases; NotFound (404) for a case of anyone else."""
    ticket = portal_ticket_list(customer=customer).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Case not found.")
    return ticket


def portal_ticket_messages(*, ticket: Ticket) -> list[dict]:
    """The conversation a customer may read: replies to them and their own messages, never internal
    notes. Staff appear by display name only."""
    messages = (TicketMessage.objects.filter(ticket=ticket)
                .filter(kind__in=(TicketMessage.Kind.REPLY, TicketMessage.Kind.CUSTOMER))
                .select_related("author").order_by("created_at", "id"))
    return [
        {"kind": m.kind, "body": m.body, "created_at": m.created_at, "is_mine": m.kind == TicketMessage.Kind.CUSTOMER,
         "author_name": staff_display_name(m.author) if m.kind == TicketMessage.Kind.REPLY else ""}
        for m in messages
    ]


def staff_display_name(user) -> str:
    """What a customer may know of a member of staff: the display name, nothing else ('' if none)."""
    return (getattr(user, "display_name", "") or "") if user is not None else ""


def portal_ticket_counts(*, customer: Customer) -> dict:
    tickets = Ticket.objects.filter(customer=customer)
    return {"open": tickets.filter(status__in=OPEN_STATUSES).count(),
            "waiting_for_me": tickets.filter(status="pending_customer").count(),
            "total": tickets.count()}


def portal_holding_list(*, customer: Customer) -> QuerySet[Holding]:
    """Products and services the customer holds with us (competitors' products are our notes, not theirs)."""
    return Holding.objects.filter(customer=customer, is_competitor=False).order_by("status", "-started_on", "id")


def portal_active_holding_count(*, customer: Customer) -> int:
    return portal_holding_list(customer=customer).filter(status=HoldingStatus.ACTIVE).count()


def portal_warranty_list(*, customer: Customer, as_of: dt.date | None = None) -> list[dict]:
    """Each unit sold to the customer with every part's warranty period (三包有效期) as of a day."""
    as_of = as_of or timezone.localdate()
    sales = ProductSale.objects.filter(customer=customer).select_related("serial__product").order_by("-sold_at", "-id")
    rows = []
    for sale in sales:
        parts = serial_status(sale=sale, unit=sale.serial, as_of=as_of)
        in_period = [p for p in parts if p["is_in_period"]]
        rows.append({
            "product": sale.serial.product.name, "brand": sale.serial.product.brand,
            "model_code": sale.serial.product.model_code, "serial": sale.serial.serial, "sold_at": sale.sold_at,
            "is_gift": sale.is_gift, "parts": parts, "is_in_period": bool(in_period),
            "ends_on": max((p["end_date"] for p in in_period if p["end_date"]), default=None),
        })
    return rows


def portal_warranty_summary(*, rows: list[dict]) -> dict:
    """Counts for the home page from portal_warranty_list's rows."""
    ends = [p["end_date"] for r in rows for p in r["parts"] if p["is_in_period"] and p["end_date"]]
    return {"units": len(rows), "in_period": sum(1 for r in rows if r["is_in_period"]),
            "next_end": min(ends, default=None)}
