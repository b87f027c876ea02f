"""Service commitments on the customer's timeline: each promise when it was made, and when it was
kept, broken or withdrawn."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .models import Commitment

OUTCOME_KINDS = {Commitment.Status.KEPT: "commitment_kept", Commitment.Status.BROKEN: "commitment_broken",
                 Commitment.Status.WITHDRAWN: "commitment_withdrawn"}


def _link(commitment: Commitment) -> str:
    return reverse("servicedesk:detail", args=[commitment.ticket_id]) if commitment.ticket_id else ""


def commitment_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    """The customer's newest promise events at or before `before` (all when None), at most
    `limit`: two index range scans (made, closed)."""
    made = Commitment.objects.filter(customer=customer)
    closed = Commitment.objects.filter(customer=customer, closed_at__isnull=False)
    if before is not None:
        made, closed = made.filter(promised_at__lte=before), closed.filter(closed_at__lte=before)
    events = []
    for c in made.select_related("promised_by").order_by("-promised_at", "-id")[:limit]:
        title = _("Promised: %(kind)s by %(due)s") % {"kind": c.get_kind_display(),
                                                       "due": _local(c.due_at)}
        events.append(TimelineEvent(c.promised_at, "commitment_made", title, c.description, _link(c),
                                    {"status": c.status, "promised_by": str(c.promised_by)}))
    for c in closed.select_related("closed_by").order_by("-closed_at", "-id")[:limit]:
        title = _("Promise %(status)s: %(kind)s") % {"status": c.get_status_display(), "kind": c.get_kind_display()}
        detail = f"{c.description} — {c.reason}" if c.reason else c.description
        events.append(TimelineEvent(c.closed_at, OUTCOME_KINDS[c.status], title, detail, _link(c),
                                    {"status": c.status}))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
