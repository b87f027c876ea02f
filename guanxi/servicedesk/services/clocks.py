"""Starting, pausing, resuming and stopping a case's service clocks."""

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from ..clock import Pause, due_at
from ..enums import ClockState, Metric, TicketType
from ..models import ClockPause, ServiceStandard, Ticket, TicketClock
from ..routing import reserved_standard_ids
from ..selectors.calendars import working_calendar

# The business time limit that applies to each case type, besides first response and resolution.
TYPE_METRICS = {
    TicketType.FAULT: Metric.FAULT_REPAIR,
    TicketType.INSTALLATION: Metric.INSTALLATION,
    TicketType.MOVING: Metric.MOVING,
}
CALLBACK_DEFAULT_DELAY = dt.timedelta(days=1)
# Metrics that a resolution stops.
RESOLVING_METRICS = (Metric.RESOLUTION, Metric.FAULT_REPAIR, Metric.INSTALLATION, Metric.MOVING)


def applicable_standards(
    ticket: Ticket, metrics: set[str] | None = None, *, preferred: tuple[ServiceStandard, ...] = ()
) -> list[ServiceStandard]:
    """Per metric, the most specific active standard that matches the case (by default for the
    clocks a new case starts: first response, resolution and its type's time limit). `preferred`
    standards (a router's, see routing.py) come first for the metrics they cover; standards that
    routers reserve never match otherwise."""
    if metrics is None:
        metrics = {Metric.FIRST_RESPONSE, Metric.RESOLUTION}
        if ticket.type in TYPE_METRICS:
            metrics.add(TYPE_METRICS[ticket.type])
    chosen = _most_specific(ticket, metrics, preferred) if preferred else {}
    reserved = reserved_standard_ids()
    general = [s for s in _active_standards() if s.pk not in reserved]
    best = _most_specific(ticket, metrics - set(chosen), general)
    return list({**best, **chosen}.values())


def _most_specific(ticket: Ticket, metrics: set[str], standards) -> dict[str, ServiceStandard]:
    best: dict[str, ServiceStandard] = {}
    for standard in standards:
        if standard.metric not in metrics or not standard.matches(
            ticket_type=ticket.type, priority=ticket.priority, customer_tier=ticket.customer_tier
        ):
            continue
        current = best.get(standard.metric)
        if current is None or (standard.specificity, -standard.pk) > (current.specificity, -current.pk):
            best[standard.metric] = standard
    return best


STANDARDS_CACHE_KEY = "servicedesk:active-standards"
STANDARDS_CACHE_SECONDS = 60


def _active_standards() -> list[ServiceStandard]:
    """Every active standard with its calendar, cached: read on every new case, changed rarely
    (saving a standard or a calendar clears the entry)."""
    standards = cache.get(STANDARDS_CACHE_KEY)
    if standards is None:
        standards = list(ServiceStandard.objects.filter(is_active=True).select_related("calendar"))
        cache.set(STANDARDS_CACHE_KEY, standards, STANDARDS_CACHE_SECONDS)
    return standards


active_standards = _active_standards  # for routers (see routing.py): the same cached list


def standards_changed() -> None:
    cache.delete(STANDARDS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(STANDARDS_CACHE_KEY))


def callback_due_at(ticket: Ticket, *, now: dt.datetime) -> dt.datetime:
    """When the callback after a repair is due: by the matching callback standard, else a day later."""
    for standard in applicable_standards(ticket, {Metric.CALLBACK}):
        return due_at(working_calendar(standard.calendar), now, dt.timedelta(minutes=standard.target_minutes))
    return now + CALLBACK_DEFAULT_DELAY


def _pauses(ticket: Ticket) -> list[Pause]:
    return [Pause(p.started_at, p.ended_at) for p in ticket.pauses.all()]


def schedule(clock: TicketClock, pauses: list[Pause]) -> None:
    """Set due and warning times from the standard's calendar; both empty while paused."""
    calendar = working_calendar(clock.standard.calendar)
    target = dt.timedelta(minutes=clock.target_minutes)
    clock.due_at = due_at(calendar, clock.started_at, target, pauses)
    warn_after = target * clock.standard.warning_percent / 100
    clock.warn_at = due_at(calendar, clock.started_at, warn_after, pauses) if clock.due_at else None
    clock.state = ClockState.PAUSED if clock.due_at is None else ClockState.RUNNING


def clocks_start(ticket: Ticket, *, now: dt.datetime, preferred: tuple = ()) -> list[TicketClock]:
    clocks = []
    for standard in applicable_standards(ticket, preferred=preferred):
        clock = TicketClock(ticket=ticket, standard=standard, metric=standard.metric,
                            target_minutes=standard.target_minutes, started_at=now)
        schedule(clock, [])
        clocks.append(clock)
    TicketClock.objects.bulk_create(clocks)
    return clocks


def clocks_pause(ticket: Ticket, *, actor, reason: str, now: dt.datetime) -> None:
    ClockPause.objects.create(ticket=ticket, started_at=now, reason=reason[:200], paused_by=actor)
    ticket.clocks.filter(state=ClockState.RUNNING).update(
        state=ClockState.PAUSED, due_at=None, warn_at=None, updated_at=now
    )


def clocks_resume(ticket: Ticket, *, now: dt.datetime) -> None:
    ticket.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    pauses = _pauses(ticket)
    clocks = list(ticket.clocks.filter(state=ClockState.PAUSED).select_related("standard__calendar"))
    for clock in clocks:
        schedule(clock, pauses)
        clock.updated_at = now
    TicketClock.objects.bulk_update(clocks, ["state", "due_at", "warn_at", "updated_at"])


def clocks_stop(ticket: Ticket, *, metrics, now: dt.datetime) -> None:
    """Stop the clocks of `metrics`: met when stopped by the due time, breached after it."""
    clocks = list(ticket.clocks.filter(metric__in=metrics, stopped_at__isnull=True).select_related(
        "standard__calendar"))
    if any(c.state == ClockState.PAUSED for c in clocks):
        clocks_resume(ticket, now=now)  # a pause ends when the case moves on
        clocks = list(ticket.clocks.filter(metric__in=metrics, stopped_at__isnull=True))
    for clock in clocks:
        late = clock.breached_at is not None or (clock.due_at is not None and now > clock.due_at)
        clock.state = ClockState.BREACHED if late else ClockState.MET
        clock.breached_at = clock.breached_at or (now if late else None)
        if late and ticket.breached_at is None:
            ticket.breached_at = clock.breached_at  # saved by the caller with the rest of the case
        clock.stopped_at = now
        clock.updated_at = now
    TicketClock.objects.bulk_update(clocks, ["state", "breached_at", "stopped_at", "updated_at"])


def next_due(ticket: Ticket) -> dt.datetime | None:
    """What the queue sorts by: the earliest due time of a running clock or of a breached one.
    A clock stopped late (a first response a day late) keeps the case among the overdue, ordered
    by how long ago it fell due, instead of sorting it after every case still on time."""
    return (
        ticket.clocks.filter(Q(state=ClockState.RUNNING, stopped_at__isnull=True) | Q(breached_at__isnull=False))
        .exclude(due_at__isnull=True).order_by("due_at").values_list("due_at", flat=True).first()
    )


def refresh_next_due(ticket: Ticket) -> None:
    ticket.next_due_at = next_due(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(next_due_at=ticket.next_due_at)
