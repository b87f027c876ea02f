"""Care on the customer 360 timeline: each greeting sent and care task made for the customer."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .enums import ActionKind, CareChannel
from .models import CareAction

CARE_EVENTS_IN = ((CareAction, "customer"),)


def care_events(customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    """The customer's newest care actions at or before `before`: one index range scan."""
    rows = CareAction.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(created_at__lte=before)
    rows = rows.order_by("-created_at", "-id").values_list(
        "created_at", "action", "channel", "occasion_label", "occasion_date", "rule_id", "rule__name")[:limit]
    actions, channels = dict(ActionKind.choices), dict(CareChannel.choices)
    return [TimelineEvent(
        at=at, kind="care", title=_("Care: %(action)s for %(occasion)s") % {
            "action": actions.get(action, action), "occasion": label},
        detail=f"{occasion_date.isoformat()} · {channels.get(channel, channel)} · {rule_name}",
        link=reverse("care:rule_detail", args=[rule_id]))
        for at, action, channel, label, occasion_date, rule_id, rule_name in rows]
