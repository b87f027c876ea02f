"""The service desk's events on the customer's timeline: cases, pauses, breaches, callbacks, and
promises (made, kept, broken or withdrawn)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .events import system_text
from .models import Callback, ClockPause, Commitment, Ticket, TicketClock

SERVICE_EVENTS_IN = ((Ticket, "customer"),)  # pauses, breaches and callbacks are of its cases


def service_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    """The customer's newest events at or before `before` (all when None), at most `limit`."""

    def upto(qs, field):
        return qs.filter(**{f"{field}__lte": before}) if before is not None else qs

    tickets = upto(Ticket.objects.filter(customer=customer), "created_at")
    events = []
    for ticket in tickets.order_by("-created_at", "-id")[:limit]:
        link = reverse("servicedesk:detail", args=[ticket.pk])
        events.append(TimelineEvent(ticket.created_at, "ticket_opened", f"{ticket.number} {ticket.subject}",
                                    ticket.get_type_display(), link, {"status": ticket.status}))
        if ticket.resolved_at and (before is None or ticket.resolved_at <= before):
            events.append(TimelineEvent(ticket.resolved_at, "ticket_resolved", f"{ticket.number} {_('resolved')}",
                                        ticket.subject, link))
    pauses = upto(ClockPause.objects.filter(ticket__customer=customer), "started_at").select_related("ticket")
    pauses = pauses.order_by("-started_at", "-id")
    for pause in pauses[:limit]:
        events.append(TimelineEvent(pause.started_at, "clock_paused", f"{pause.ticket.number} {_('paused')}",
                                    system_text(pause.reason), reverse("servicedesk:detail", args=[pause.ticket_id])))
    breaches = (upto(TicketClock.objects.filter(ticket__customer=customer, breached_at__isnull=False), "breached_at")
                .select_related("ticket", "standard").order_by("-breached_at", "-id"))
    for clock in breaches[:limit]:
        events.append(TimelineEvent(clock.breached_at, "clock_breached",
                                    f"{clock.ticket.number} {_('service standard breached')}", clock.standard.name,
                                    reverse("servicedesk:detail", args=[clock.ticket_id])))
    callbacks = (upto(Callback.objects.filter(ticket__customer=customer, done_at__isnull=False), "done_at")
                 .select_related("ticket").order_by("-done_at", "-id"))
    for callback in callbacks[:limit]:
        events.append(TimelineEvent(callback.done_at, "callback", f"{callback.ticket.number} {_('callback')}",
                                    f"{callback.get_outcome_display()} {callback.note}".strip(),
                                    reverse("servicedesk:detail", args=[callback.ticket_id]),
                                    {"outcome": callback.outcome}))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]

OUTCOME_KINDS = {Commitment.Status.KEPT: "commitment_kept", Commitment.Status.BROKEN: "commitment_broken",
                 Commitment.Status.WITHDRAWN: "commitment_withdrawn"}


def _link(commitment: Commitment) -> str:
    return reverse("servicedesk:detail", args=[commitment.ticket_id]) if commitment.ticket_id else ""


COMMITMENT_EVENTS_IN = ((Commitment, "customer"),)


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
