"""Orders and contracts on the customer 360 timeline. The money itself (order, payment, refund,
reversal) is on the timeline through the ledger; these events link to the order and contract pages."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .models import Contract, Order


def order_events(customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    """The customer's newest orders (by creation) at or before `before`: one index range scan."""
    rows = Order.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(created_at__lte=before)
    columns = ("created_at", "pk", "number", "total", "status")
    events = []
    for at, pk, number, total, status in rows.order_by("-created_at", "-id").values_list(*columns)[:limit]:
        events.append(TimelineEvent(
            at=at, kind="order", title=_("Order %(number)s") % {"number": number},
            detail=_("¥%(amount)s, %(status)s") % {"amount": f"{total:,.2f}",
                                                     "status": Order.Status(status).label},
            link=reverse("orders:order", args=[pk]), extra={"amount": str(total), "status": status}))
    return events


def contract_events(customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    """The customer's newest contracts (by creation) at or before `before`."""
    rows = Contract.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(created_at__lte=before)
    columns = ("created_at", "pk", "number", "title", "amount", "status", "starts_on", "ends_on")
    events = []
    for at, pk, number, title, amount, status, starts, ends in rows.order_by(
            "-created_at", "-id").values_list(*columns)[:limit]:
        events.append(TimelineEvent(
            at=at, kind="contract", title=_("Contract %(number)s: %(title)s") % {"number": number, "title": title},
            detail=_("¥%(amount)s, %(start)s to %(end)s, %(status)s") % {
                "amount": f"{amount:,.2f}", "start": starts.isoformat(), "end": ends.isoformat(),
                "status": Contract.Status(status).label},
            link=reverse("orders:contract", args=[pk]), extra={"amount": str(amount), "status": status}))
    return events
