"""Pool events on the customer 360 timeline: claimed, released, assigned, warned, returned by rule."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .enums import EventKind
from .models import PoolEvent

POOL_EVENTS_IN = ((PoolEvent, "customer"),)


def pool_events(customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    """The customer's newest pool events at or before `before`: one index range scan."""
    rows = PoolEvent.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(at__lte=before)
    rows = rows.order_by("-at", "-id").values_list(
        "at", "kind", "rule_name", "owner__display_name", "owner__username")[:limit]
    kinds = dict(EventKind.choices)
    link = reverse("pool:log")
    events = []
    for at, kind, rule_name, display, username in rows:
        detail = display or username or ""
        if rule_name:
            detail = _("%(owner)s · rule: %(rule)s") % {"owner": detail, "rule": rule_name}
        events.append(TimelineEvent(at=at, kind=f"pool_{kind}", title=_("Public pool: %(event)s") % {
            "event": kinds.get(kind, kind)}, detail=detail, link=link))
    return events
