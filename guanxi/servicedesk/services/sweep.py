"""The escalation sweep: warnings before breach and the breach actions of each standard."""

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.core.parallel import map_batches
from guanxi.core.versioning import bumped

from .. import permissions
from ..enums import BreachAction, ClockState, Priority
from ..events import ESCALATED, SLA_BREACHED
from ..models import Ticket, TicketAssignment, TicketClock, TicketMessage

BATCH = 5_000


def _notes(rows: list[tuple[int, str, dict]]) -> None:
    """The system's own notes: no author, an event code and its parameters instead of text."""
    TicketMessage.objects.bulk_create(
        TicketMessage(ticket_id=ticket_id, kind=TicketMessage.Kind.NOTE, event=event, event_params=params)
        for ticket_id, event, params in rows
    )


@transaction.atomic
def _warn(now: dt.datetime) -> int:
    """Mark the clocks past their warning time; the queue shows them amber from then on. Those
    also past their due time are left to `_breach`, which warns them in the same write as it
    breaches them (one new row version, not two)."""
    return (TicketClock.objects.filter(state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now)
            .exclude(breached_at__isnull=True, due_at__lte=now).update(warned_at=now))


def _first_by_role(role: str, team_id: int | None = None) -> int | None:
    users = User.objects.filter(role=role, is_active=True)
    if team_id is not None:
        users = users.filter(team_id=team_id)
    return users.order_by("id").values_list("id", flat=True).first()


def _due_clock_batches(now: dt.datetime) -> list[list[int]]:
    """The running clocks past their due time and not yet acted on, read once (the batches do not
    read the clocks breached by the batches before them again), in batches of about `BATCH`
    clocks. A case's clocks share a batch: no case is written by two batches, so batches can run
    side by side, and a case whose two clocks breach at once is raised in priority once."""
    due = (TicketClock.objects.filter(state=ClockState.RUNNING, breached_at__isnull=True, due_at__lte=now)
           .order_by("ticket_id", "id").values_list("ticket_id", "id"))
    batches: list[list[int]] = [[]]
    last_ticket = None
    for ticket_id, clock_id in due.iterator(chunk_size=BATCH):
        if len(batches[-1]) >= BATCH and ticket_id != last_ticket:
            batches.append([])
        batches[-1].append(clock_id)
        last_ticket = ticket_id
    return [batch for batch in batches if batch]


@transaction.atomic
def _breach(now: dt.datetime, ids: list[int]) -> tuple[int, int]:
    """Act on the clocks `ids` that are still running, due and not breached (a clock stopped or
    breached since the list was read is left alone); those past their warning time and not warned
    yet are warned in the same UPDATE. (breached, warned)."""
    clocks = list(
        TicketClock.objects.filter(id__in=ids, state=ClockState.RUNNING, breached_at__isnull=True, due_at__lte=now)
        .values_list("id", "ticket_id", "metric", "standard__breach_actions", "ticket__team_id", "warn_at",
                     "warned_at")
    )
    if not clocks:
        return 0, 0
    warned = sum(1 for *_, warn_at, warned_at in clocks if warned_at is None and warn_at is not None and warn_at <= now)
    rows = [row[:5] for row in clocks]
    TicketClock.objects.filter(id__in=[row[0] for row in rows]).update(
        breached_at=now,
        warned_at=Case(When(warned_at__isnull=True, warn_at__lte=now, then=Value(now)), default=F("warned_at"),
                       output_field=TicketClock._meta.get_field("warned_at")),
    )
    by_action: dict[str, set[int]] = defaultdict(set)
    teams: dict[int, int | None] = {}
    for _, ticket_id, _, actions, team_id in rows:
        teams[ticket_id] = team_id
        for action in actions or []:
            by_action[action].add(ticket_id)
    _notes([(ticket_id, SLA_BREACHED, {"metric": metric}) for _, ticket_id, metric, actions, _ in rows
            if BreachAction.NOTIFY in (actions or [])])
    # One pass over the cases: the first breach time, and a higher priority where a standard asks.
    raise_priority = Q(id__in=by_action[BreachAction.RAISE_PRIORITY], priority__lt=Priority.URGENT)
    Ticket.objects.filter(id__in={row[1] for row in rows}).update(
        breached_at=Coalesce("breached_at", Value(now, output_field=Ticket._meta.get_field("breached_at"))),
        priority=Case(When(raise_priority, then=F("priority") + 1), default=F("priority"),
                      output_field=Ticket._meta.get_field("priority")),
        **bumped(Ticket),
    )
    to_reassign: dict[int, list[int]] = defaultdict(list)
    for ticket_id in by_action[BreachAction.REASSIGN]:
        if teams[ticket_id]:
            to_reassign[teams[ticket_id]].append(ticket_id)
    for team, ticket_ids in to_reassign.items():
        lead = _first_by_role(Role.TEAM_LEAD, team)
        if lead:
            Ticket.objects.filter(id__in=ticket_ids).update(owner_id=lead, **bumped(Ticket))
    manager = _first_by_role(Role.SERVICE_MANAGER)
    if manager and by_action[BreachAction.ESCALATE]:
        TicketAssignment.objects.bulk_create(
            TicketAssignment(ticket_id=t, assignee_id=manager, handover_note=ESCALATED)
            for t in by_action[BreachAction.ESCALATE]
        )
    return len(rows), warned


def clocks_sweep(*, actor, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn the clocks past their warning time and act on those past their due time, in batches
    (each batch one transaction, so a crash leaves no half-applied batch; on PostgreSQL several at
    once). Run by Celery beat as the system."""
    permissions.require_sweep(actor, "ticket")
    now = now or timezone.now()
    totals = {"warned": _warn(now), "breached": 0}
    for breached, warned in map_batches(partial(_breach, now), _due_clock_batches(now)):
        totals["breached"] += breached
        totals["warned"] += warned
    return totals
