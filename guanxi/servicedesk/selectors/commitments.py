"""Reads of service commitments (服务承诺), scoped like the cases they belong to."""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.errors import NotFound, ValidationFailed

from .. import permissions
from ..models import BusinessCalendar, Commitment, Ticket

Status = Commitment.Status


def commitment_list(*, user: User) -> QuerySet[Commitment]:
    """Service roles read every promise; others the ones they made, on customers they see or on
    cases they may read."""
    condition = permissions.commitment_read_condition(user)
    return Commitment.objects.all() if condition is None else Commitment.objects.filter(condition)


def commitment_get_for_user(*, user: User, commitment_id: int, action: str = "read") -> Commitment:
    """One promise; 404 outside the user's read scope, 403 when they may read but not change it."""
    commitment = (commitment_list(user=user).filter(pk=commitment_id)
                  .select_related("customer", "ticket", "promised_by", "team", "calendar", "closed_by",
                                  "follow_up_to").first())
    if commitment is None:
        raise NotFound(_("Promise not found."))
    if action == "write":
        permissions.require_commitment_write(user, commitment)
    return commitment


@dataclass(frozen=True)
class CommitmentFilter:
    statuses: tuple[str, ...] = ()
    kind: str = ""
    customer_id: int | None = None
    ticket_id: int | None = None
    owner_id: int | None = None
    follow_up_to_id: int | None = None
    due_before: dt.datetime | None = None
    due_after: dt.datetime | None = None


def commitment_search(*, user: User, filters: CommitmentFilter) -> QuerySet[Commitment]:
    """Filtered promises the user may read, soonest due first (a stable keyset order)."""
    qs = commitment_list(user=user)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    simple = {"kind": filters.kind, "customer_id": filters.customer_id, "ticket_id": filters.ticket_id,
              "promised_by_id": filters.owner_id, "follow_up_to_id": filters.follow_up_to_id}
    qs = qs.filter(**{k: v for k, v in simple.items() if v not in (None, "")})
    if filters.due_before is not None:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.due_after is not None:
        qs = qs.filter(due_at__gte=filters.due_after)
    return qs.select_related("customer", "ticket", "promised_by", "team", "closed_by", "follow_up_to",
                             "calendar").order_by("due_at", "id")


@dataclass(frozen=True)
class CommitmentCursor:
    """Where the next page starts: after the promise due at `due_at` with id `id`."""

    due_at: dt.datetime
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.due_at.isoformat()}|{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "CommitmentCursor":
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            moment, pk = text.rsplit("|", 1)
            due = dt.datetime.fromisoformat(moment)
            if due.tzinfo is None or not 1 <= int(pk) < 2**63 or not 1900 <= due.year <= 2999:
                raise ValueError(text)
            return cls(due, int(pk))
        except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
            raise ValidationFailed(_("Not a cursor of this list."), fields={"cursor": _("not a cursor of this list")}) \
                from exc


def commitment_page(queryset: QuerySet[Commitment], *, cursor: CommitmentCursor | None,
                    limit: int) -> tuple[list[Commitment], CommitmentCursor | None]:
    """One keyset page of a list ordered by (due_at, id) and the cursor of the next (None at the end)."""
    if cursor is not None:
        queryset = queryset.filter(Q(due_at__gt=cursor.due_at) | Q(due_at=cursor.due_at, id__gt=cursor.id))
    rows = list(queryset[: limit + 1])
    page = rows[:limit]
    more = len(rows) > limit
    return page, (CommitmentCursor(page[-1].due_at, page[-1].pk) if more else None)


def commitments_of_ticket(*, ticket: Ticket) -> list[Commitment]:
    """The promises made on one case already read through a scoped selector."""
    return list(ticket.commitments.select_related("promised_by", "closed_by", "follow_up_to")
                .order_by("due_at", "id"))


def default_calendar(*, ticket: Ticket | None) -> BusinessCalendar | None:
    """The calendar a promise "within N working hours" counts on when none is named: the one of
    the case's resolution clock, else the first calendar with China's public holidays, else any."""
    if ticket is not None:
        clock = ticket.clocks.select_related("standard__calendar").order_by("id").first()
        if clock is not None:
            return clock.standard.calendar
    calendars = BusinessCalendar.objects.order_by("id")
    return calendars.filter(holiday_region="CN").first() or calendars.first()


@dataclass(frozen=True)
class KeptRow:
    team: str | None
    kind: str
    due: int
    kept: int

    @property
    def broken(self) -> int:
        return self.due - self.kept

    @property
    def rate(self) -> float:
        return round(self.kept / self.due, 4) if self.due else 0.0


def commitment_kept_report(*, since: dt.datetime, until: dt.datetime,
                           now: dt.datetime | None = None) -> list[KeptRow]:
    """Promises kept (承诺兑现率) per team and kind among those due in [since, until): kept or
    broken, and open ones already past their due time (not kept, the sweep has not come by yet).
    Withdrawn promises and those not due yet do not count. One GROUP BY query."""
    now = now or timezone.now()
    counted = Q(status__in=(Status.KEPT, Status.BROKEN)) | Q(status=Status.OPEN, due_at__lte=now)
    rows = (Commitment.objects.filter(counted, due_at__gte=since, due_at__lt=until)
            .values("team__name", "kind").annotate(due=Count("id"), kept=Count("id", filter=Q(status=Status.KEPT)))
            .order_by("team__name", "kind"))
    return [KeptRow(row["team__name"], row["kind"], row["due"], row["kept"]) for row in rows]
