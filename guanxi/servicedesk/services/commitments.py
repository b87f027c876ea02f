"""Service commitments (承诺管理): promises made to customers, kept, withdrawn or broken; a broken
promise raises a follow-up for the promiser's team lead (or the case owner)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.access import is_system, user_of
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get_for_user

from .. import permissions
from ..clock import CalendarError, due_at
from ..enums import TicketStatus
from ..models import BusinessCalendar, Commitment, Ticket, TicketAssignment
from ..selectors.calendars import working_calendar
from ..selectors.commitments import default_calendar

Status = Commitment.Status
MAX_WORKING_HOURS = 1_000
MAX_AHEAD = dt.timedelta(days=366)
MAX_DESCRIPTION = 500
MAX_REASON = 2_000
SWEEP_BATCH = 500


def _check_can_promise(actor, ticket: Ticket | None, customer: Customer | None) -> None:
    """Staff who may change a customer promise to them; on a case, those who work on the case."""
    if is_system(actor):
        raise PermissionDenied(_("A promise is made by a member of staff."))
    permissions.require(actor, "commitment", "write", message=_("Your role cannot make promises to customers."))
    if ticket is not None:
        permissions.require(actor, "ticket", "write", allowed=permissions.can_work_on(user=actor, ticket=ticket),
                            message=_("Only the case's owner, assignees, team lead or a service manager can make "
                                      "promises on it."))
    elif customer is not None:
        customer_get_for_user(user=actor, customer_id=customer.pk, action="write")


def commitment_due(*, promised_at: dt.datetime, due_at_value: dt.datetime | None = None,
                   within_working_hours: int | None = None,
                   calendar: BusinessCalendar | None = None) -> dt.datetime:
    """The due time of a promise: a given moment (after the promise, within a year), or N working
    hours after the promise counted on the business calendar (holidays and 调休 included)."""
    if (due_at_value is None) == (within_working_hours is None):
        raise ValidationFailed(fields={"due_at": _("give either a due time or a number of working hours")})
    if due_at_value is not None:
        if timezone.is_naive(due_at_value):
            raise ValidationFailed(fields={"due_at": _("give the time zone")})
        if not promised_at < due_at_value <= promised_at + MAX_AHEAD:
            raise ValidationFailed(fields={"due_at": _("after the promise and within a year")})
        return due_at_value
    if not 1 <= within_working_hours <= MAX_WORKING_HOURS:
        raise ValidationFailed(fields={"within_working_hours": _("1 to 1000 working hours")})
    if calendar is None:
        raise ValidationFailed(fields={"calendar": _("no business calendar exists yet")})
    try:
        due = due_at(working_calendar(calendar), promised_at, dt.timedelta(hours=within_working_hours))
    except CalendarError as exc:
        raise ValidationFailed(fields={"calendar": _("this calendar has no working time")}) from exc
    if due > promised_at + MAX_AHEAD:
        raise ValidationFailed(fields={"within_working_hours": _("after the promise and within a year")})
    return due


@transaction.atomic
def commitment_create(
    *, actor, kind: str, description: str, ticket: Ticket | None = None, customer: Customer | None = None,
    due_at_value: dt.datetime | None = None, within_working_hours: int | None = None,
    calendar: BusinessCalendar | None = None, at: dt.datetime | None = None,
) -> Commitment:
    """Record a promise the actor made to a customer (on a case, whose customer it is, or on the
    customer alone), due at a given time or within working hours on a business calendar."""
    promised_at = at or timezone.now()
    errors = {}
    if kind not in Commitment.Kind.values:
        errors["kind"] = _("one of: %(values)s") % {"values": ", ".join(Commitment.Kind.values)}
    description = (description or "").strip()
    if not description or len(description) > MAX_DESCRIPTION:
        errors["description"] = _("required, at most 500 characters")
    if ticket is not None and customer is not None and ticket.customer_id != customer.pk:
        errors["customer"] = _("the case belongs to another customer")
    if ticket is None and customer is None:
        errors["customer"] = _("a promise is made to a customer or on a case")
    if ticket is not None and ticket.status == TicketStatus.MERGED:
        errors["ticket"] = _("this case was merged into another one")
    if errors:
        raise ValidationFailed(fields=errors)
    _check_can_promise(actor, ticket, customer)
    if within_working_hours is not None and calendar is None:
        calendar = default_calendar(ticket=ticket)
    due = commitment_due(promised_at=promised_at, due_at_value=due_at_value,
                         within_working_hours=within_working_hours, calendar=calendar)
    commitment = Commitment(
        kind=kind, description=description, ticket=ticket,
        customer=customer if customer is not None else ticket.customer, promised_by=actor, team=actor.team,
        promised_at=promised_at, due_at=due, calendar=calendar if within_working_hours is not None else None,
        working_minutes=within_working_hours * 60 if within_working_hours is not None else None,
    )
    commitment._history_user = actor
    commitment.save()
    return commitment


def _locked_open(actor, commitment: Commitment) -> Commitment:
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    permissions.require_commitment_write(actor, commitment)
    if not commitment.is_open:
        raise Conflict(_("This promise is already closed."), code="not_open")
    return commitment


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(fields={"reason": _("required, at most 2000 characters")})
    return reason


def _close(commitment: Commitment, *, status: str, actor, at: dt.datetime, reason: str) -> None:
    by = user_of(actor)
    commitment.status, commitment.closed_at, commitment.closed_by, commitment.reason = status, at, by, reason
    commitment._history_user = by
    commitment.save()


@transaction.atomic
def commitment_keep(*, actor, commitment: Commitment, note: str = "", at: dt.datetime | None = None
                    ) -> Commitment:
    """The promise was kept, at `at` (now by default): by its due time, else it was broken."""
    commitment = _locked_open(actor, commitment)
    now = timezone.now()
    at = at or now
    if not commitment.promised_at <= at <= now:
        raise ValidationFailed(fields={"kept_at": _("between the promise and now")})
    if at > commitment.due_at:
        raise ValidationFailed(fields={"kept_at": _("after the due time: the promise was not kept")})
    if len(note or "") > MAX_REASON:
        raise ValidationFailed(fields={"note": _("at most 2000 characters")})
    _close(commitment, status=Status.KEPT, actor=actor, at=at, reason=(note or "").strip())
    return commitment


@transaction.atomic
def commitment_withdraw(*, actor, commitment: Commitment, reason: str) -> Commitment:
    """The promise no longer applies (the customer cancelled, it was superseded): say why."""
    commitment = _locked_open(actor, commitment)
    _close(commitment, status=Status.WITHDRAWN, actor=actor, at=timezone.now(), reason=_reason(reason))
    return commitment


@transaction.atomic
def commitment_break(*, actor, commitment: Commitment, reason: str) -> Commitment:
    """Declare an open promise broken before the sweep does (it cannot be kept): say why; the
    follow-up is raised at once."""
    commitment = _locked_open(actor, commitment)
    now = timezone.now()
    reason = _reason(reason)
    _raise_follow_up(commitment, now=now)
    _close(commitment, status=Status.BROKEN, actor=actor, at=now, reason=reason)
    return commitment


def _follow_up_target(commitment: Commitment) -> User | None:
    """The promiser's team lead, else the case owner, else a service manager, else the promiser."""
    active = User.objects.filter(is_active=True).order_by("id")
    if commitment.team_id is not None:
        lead = active.filter(role=Role.TEAM_LEAD, team_id=commitment.team_id).first()
        if lead is not None:
            return lead
    if commitment.ticket_id is not None:
        owner = active.filter(pk=commitment.ticket.owner_id).first() if commitment.ticket.owner_id else None
        if owner is not None:
            return owner
    return active.filter(role=Role.SERVICE_MANAGER).first() or active.filter(pk=commitment.promised_by_id).first()


def _raise_follow_up(commitment: Commitment, *, now: dt.datetime) -> None:
    """Who must follow up the broken promise (saved by the caller with the rest of the promise); on
    a case, also through the existing escalation mechanism: an assignment of the case with a
    hand-over note."""
    target = _follow_up_target(commitment)
    if target is None:
        return
    commitment.follow_up_to, commitment.follow_up_at = target, now
    if commitment.ticket_id is not None:
        with translation.override(settings.LANGUAGE_CODE):  # stored text, read by staff in the default language
            note = _("Promise broken (%(kind)s, due %(due)s): %(what)s. Please follow up with the customer.") % {
                "kind": commitment.get_kind_display(), "what": commitment.description,
                "due": timezone.localtime(commitment.due_at).strftime("%Y-%m-%d %H:%M")}
        commitment.follow_up_assignment = TicketAssignment.objects.create(
            ticket_id=commitment.ticket_id, assignee=target, assigned_by=None, handover_note=note)


@transaction.atomic
def _break_batch(now: dt.datetime) -> int:
    # The row locks make a concurrent sweep wait, then skip the rows this one closed: each
    # promise is broken, and its follow-up raised, exactly once.
    rows = list(Commitment.objects.select_for_update().filter(status=Status.OPEN, due_at__lte=now)
                .order_by("due_at", "id")[:SWEEP_BATCH])
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Not kept by its due time.")
    for commitment in rows:
        _raise_follow_up(commitment, now=now)
        _close(commitment, status=Status.BROKEN, actor=None, at=commitment.due_at, reason=reason)
    return len(rows)


def commitments_sweep(*, actor, now: dt.datetime | None = None) -> dict[str, int]:
    """Break every open promise past its due time and raise its follow-up, in batches (each batch
    one transaction). Run every minute by Celery beat (inline without Redis) as the system."""
    permissions.require_sweep(actor, "commitment")
    now = now or timezone.now()
    broken = 0
    while (count := _break_batch(now)) > 0:
        broken += count
    return {"broken": broken}
