"""Opportunities on the customer 360 timeline: when a deal was opened, won or lost."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .models import Opportunity

OPPORTUNITY_EVENTS_IN = ((Opportunity, "customer"),)


def opportunity_events(customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    """The customer's newest deal events at or before `before`: each deal opened, and each deal won or
    lost; two index range scans (by creation, by closing)."""
    deals = Opportunity.objects.filter(customer=customer)
    opened_rows = deals if before is None else deals.filter(created_at__lte=before)
    closed_rows = deals.filter(Q(closed_at__isnull=False)) if before is None else deals.filter(closed_at__lte=before)
    columns = ("pk", "name", "amount", "status", "stage__name", "owner__display_name", "owner__username")
    opened = opened_rows.order_by("-created_at", "-id").values_list("created_at", *columns)[:limit]
    closed = closed_rows.order_by("-closed_at", "-id").values_list("closed_at", *columns)[:limit]
    events = []
    for at, pk, name, amount, _status, _stage, display, username in opened:
        events.append(TimelineEvent(
            at=at, kind="opportunity_opened", title=_("Opportunity opened: %(name)s") % {"name": name},
            detail=_("¥%(amount)s, owner %(owner)s") % {"amount": f"{amount:,.2f}", "owner": display or username},
            link=reverse("sales:opportunity", args=[pk]), extra={"amount": str(amount)}))
    for at, pk, name, amount, status, stage, display, username in closed:
        title = _("Deal won: %(name)s") if status == Opportunity.Status.WON else _("Deal lost: %(name)s")
        events.append(TimelineEvent(
            at=at, kind=f"opportunity_{status}", title=title % {"name": name},
            detail=_("¥%(amount)s, owner %(owner)s") % {"amount": f"{amount:,.2f}", "owner": display or username},
            link=reverse("sales:opportunity", args=[pk]), extra={"amount": str(amount), "stage": stage}))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
