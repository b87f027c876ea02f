"""Orders and contracts on the customer 360 timeline. The money itself (order, payment, refund,
reversal) is on the timeline through the ledger; these events link to the order and contract pages."""

import datetime as dt

from django.db.models import CharField, F, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .models import Contract, Order

COLUMNS = ("created_at", "pk", "number", "label", "amount", "status", "kind", "starts", "ends")


SALES_EVENTS_IN = ((Order, "customer"), (Contract, "customer"))


def sales_events(customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    """The customer's newest orders and contracts (by creation) at or before `before`: one query (a
    union of the two tables' customer ranges), so the 360 costs the same however much was sold."""
    orders, contracts = Order.objects.filter(customer=customer), Contract.objects.filter(customer=customer)
    if before is not None:
        orders, contracts = orders.filter(created_at__lte=before), contracts.filter(created_at__lte=before)
    text = CharField()
    orders = orders.annotate(label=Value("", output_field=text), amount=F("total"),
                             kind=Value("order", output_field=text), starts=F("order_date"), ends=F("due_on"))
    contracts = contracts.annotate(label=F("title"), kind=Value("contract", output_field=text),
                                   starts=F("starts_on"), ends=F("ends_on"))
    rows = orders.order_by().values_list(*COLUMNS).union(contracts.order_by().values_list(*COLUMNS), all=True).order_by(
        "-created_at", "-pk")[:limit]
    return [_event(*row) for row in rows]


def _event(at, pk, number, label, amount, status, kind, starts, ends) -> TimelineEvent:
    if kind == "order":
        return TimelineEvent(
            at=at, kind="order", title=_("Order %(number)s") % {"number": number},
            detail=_("¥%(amount)s, %(status)s") % {"amount": f"{amount:,.2f}", "status": Order.Status(status).label},
            link=reverse("orders:order", args=[pk]), extra={"amount": str(amount), "status": status})
    return TimelineEvent(
        at=at, kind="contract", title=_("Contract %(number)s: %(title)s") % {"number": number, "title": label},
        detail=_("¥%(amount)s, %(start)s to %(end)s, %(status)s") % {
            "amount": f"{amount:,.2f}", "start": starts.isoformat(), "end": ends.isoformat(),
            "status": Contract.Status(status).label},
        link=reverse("orders:contract", args=[pk]), extra={"amount": str(amount), "status": status})
