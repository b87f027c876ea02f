"""Reads of cases, scoped to the caller by `permissions.py`: lists, the queue, one case, its due
states, and how its free text is shown."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.core.pagination import Ordering
from guanxi.customers.permissions import can_see_personal_data, personal_data_scope

from .. import permissions
from ..models import Complaint, Ticket, TicketClock, TicketMessage
from ..models.tickets import OPEN_STATUSES

# Free text of a case shown by name in its audit trail, masked like the rest of its text.
CASE_TEXT_FIELDS = frozenset({"subject", "description"})

_REVEALING = re.compile(r"\d|@")


def case_text_unmasked(*, user: User, ticket: Ticket) -> bool:
    """Whether `user` reads a case's free text (subject, description, messages, hand-over notes) as
    written. The rule of the customer's personal data, so that a phone or ID number in a case is
    masked exactly where it is masked in the customer's own records and interactions; a case
    without a customer is read as written by roles that see everyone's personal data."""
    if ticket.customer_id is None:
        return personal_data_scope(user) is Scope.ALL
    return can_see_personal_data(user=user, customer=ticket.customer)


def case_text(text: str, *, unmasked: bool) -> str:
    """One piece of a case's free text as shown: as written, or with its numbers masked."""
    return text if unmasked else mask_free_text(text)


def ticket_list(*, user: User) -> QuerySet[Ticket]:
    """The cases `user` may read (permissions.py: every case, or their own and their customers')."""
    condition = permissions.ticket_read_condition(user)
    return Ticket.objects.all() if condition is None else Ticket.objects.filter(condition)


def ticket_get_for_user(*, user: User, ticket_id: int, action: str = "read") -> Ticket:
    ticket = ticket_list(user=user).select_related("customer", "owner", "team", "category").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Case not found.")
    if action == "write":
        permissions.require_ticket_write(user, ticket)
    return ticket


TICKET_ORDERING = Ordering(
    allowed=("next_due_at", "created_at", "updated_at", "priority", "number", "id"), default="next_due_at"
)


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[str, ...] = ()
    owner_id: int | None = None
    team_id: int | None = None
    type: str = ""
    priority: int | None = None
    customer_id: int | None = None
    breached: bool | None = None
    query: str = ""


def ticket_queue(*, user: User, filters: TicketFilter, ordering: str | None = None) -> QuerySet[Ticket]:
    """Filtered, ordered cases the user may read ("open" stands for every open status)."""
    qs = ticket_list(user=user)
    statuses = set(filters.statuses)
    if "open" in statuses:
        statuses = (statuses - {"open"}) | set(OPEN_STATUSES) if statuses != {"open"} else set(OPEN_STATUSES)
    if statuses:
        qs = qs.filter(status__in=statuses)
    simple = {"owner_id": filters.owner_id, "team_id": filters.team_id, "type": filters.type,
              "priority": filters.priority, "customer_id": filters.customer_id}
    qs = qs.filter(**{k: v for k, v in simple.items() if v not in (None, "")})
    if filters.breached is not None:
        qs = qs.filter(breached_at__isnull=not filters.breached)
    if filters.query.strip():
        query = filters.query.strip()
        qs = qs.filter(Q(number=query.upper()) | _subject_condition(user, query))
    order = TICKET_ORDERING.resolve(ordering)
    if order[0] == "next_due_at":
        order = [F("next_due_at").asc(nulls_last=True), "id"]
    return qs.select_related("customer", "owner", "team").order_by(*order)


def _subject_condition(user: User, query: str) -> Q:
    """Part of a subject. Numbers and e-mail addresses in subjects are masked for roles that do not
    see everyone's personal data, so for them a query with digits or "@" does not search subjects
    (else a masked phone number could be read back by searching its digits one by one)."""
    if personal_data_scope(user) is not Scope.ALL and _REVEALING.search(query):
        return Q(pk__in=[])
    return Q(subject__contains=query)


def ticket_clocks(*, ticket: Ticket) -> list:
    return list(ticket.clocks.select_related("standard").order_by("started_at", "id"))


def ticket_detail(*, ticket: Ticket) -> dict:
    return {
        "clocks": list(ticket.clocks.select_related("standard").order_by("started_at", "id")),
        "pauses": list(ticket.pauses.all()),
        "messages": list(ticket.messages.select_related("author")),
        "assignments": list(ticket.assignments.select_related("assignee")),
    }


def ticket_get_by_number(*, user: User, number: str, action: str = "read") -> Ticket:
    """A case by its number, scoped like ticket_get_for_user."""
    ticket_id = ticket_list(user=user).filter(number=number.strip().upper()).values_list("pk", flat=True).first()
    if ticket_id is None:
        raise NotFound("Case not found.")
    return ticket_get_for_user(user=user, ticket_id=ticket_id, action=action)


def ticket_due_states(*, ticket_ids: list[int], now: dt.datetime | None = None) -> dict[int, str]:
    """Per case: "breached" when a clock is past its due time, "warned" past its warning time."""
    return {ticket_id: state for ticket_id, (state, _) in ticket_due_details(ticket_ids=ticket_ids, now=now).items()}


def ticket_due_details(*, ticket_ids: list[int], now: dt.datetime | None = None
                       ) -> dict[int, tuple[str, dt.datetime | None]]:
    """Per case: ("breached", since when it is overdue) when a clock is past its due time,
    ("warned", None) past its warning time; one query."""
    now = now or timezone.now()
    states: dict[int, tuple[str, dt.datetime | None]] = {}
    clocks = TicketClock.objects.filter(ticket_id__in=ticket_ids).filter(
        Q(breached_at__isnull=False) | Q(stopped_at__isnull=True, due_at__lt=now)
        | Q(stopped_at__isnull=True, warn_at__lte=now) | Q(stopped_at__isnull=True, warned_at__isnull=False)
    ).values_list("ticket_id", "breached_at", "due_at", "stopped_at")
    for ticket_id, breached_at, due, stopped_at in clocks:
        if breached_at is not None or (stopped_at is None and due is not None and due < now):
            since = min(filter(None, (due, breached_at)))
            state, earlier = states.get(ticket_id, ("", None))
            states[ticket_id] = ("breached", min(since, earlier) if state == "breached" else since)
        else:
            states.setdefault(ticket_id, ("warned", None))
    return states


def ticket_counts_by_status(*, user: User) -> list[tuple[str, int]]:
    """Open cases the user may read, counted by status (home page chart)."""
    from django.db.models import Count

    rows = (ticket_list(user=user).filter(status__in=OPEN_STATUSES).values_list("status")
            .annotate(n=Count("id")).order_by("status"))
    counts = dict(rows)
    return [(status, counts[status]) for status in OPEN_STATUSES if status in counts]


def ticket_case_extras(*, ticket: Ticket) -> dict:
    """The complaint (with its steps) and the callbacks of one case already read through a scoped selector."""
    complaint = Complaint.objects.filter(ticket=ticket).select_related("responsible_team").first()
    return {
        "complaint": complaint,
        "complaint_steps": list(complaint.steps.select_related("actor")) if complaint else [],
        "callbacks": list(ticket.callbacks.select_related("assignee", "done_by").order_by("due_at", "id")),
    }


def attachment_get_for_user(*, user: User, message_id: int) -> TicketMessage:
    """A message with an attachment on a case the user may read; NotFound otherwise."""
    message = TicketMessage.objects.filter(pk=message_id).exclude(attachment="").first()
    if message is None:
        raise NotFound("Attachment not found.")
    ticket_get_for_user(user=user, ticket_id=message.ticket_id)
    return message


def assignee_get(*, user_id: int) -> User:
    """An active user to hand a case to; ValidationFailed for anyone else."""
    assignee = User.objects.filter(pk=user_id, is_active=True).first()
    if assignee is None:
        raise ValidationFailed(fields={"assignee": "unknown or inactive user"})
    return assignee
