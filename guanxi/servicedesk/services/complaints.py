"""The complaint workflow (投诉处理): receive → record → classify → communicate and assess →
forward → follow up → reply → verify, one step at a time, each step recorded.

The reply schedules a callback (回访) by the service desk's callback rules; the result is verified
by that callback: a satisfied (or neutral) customer verifies it, a dissatisfied one reopens the
complaint, an unreachable one gets another callback. A complaint case is resolved only once the
customer has the reply, and closed only once the result is verified (see tickets.ticket_transition).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from guanxi.accounts.access import user_of
from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, ValidationFailed

from .. import events, permissions
from ..enums import CallbackOutcome, ComplaintSeverity, ComplaintStage, TicketType
from ..models import Callback, Complaint, ComplaintStep, Ticket
from . import clocks
from .tickets import _assign, _locked

C = ComplaintStage
NEXT_STAGE = {C.RECEIVED: C.RECORDED, C.RECORDED: C.CLASSIFIED, C.CLASSIFIED: C.ASSESSED, C.ASSESSED: C.FORWARDED,
              C.FORWARDED: C.FOLLOWING_UP, C.FOLLOWING_UP: C.REPLIED, C.REPLIED: C.VERIFIED}
REPEAT_WINDOW = dt.timedelta(days=90)
# Callback outcomes that verify the result; DISSATISFIED reopens, UNREACHABLE calls again.
VERIFYING_OUTCOMES = (CallbackOutcome.SATISFIED, CallbackOutcome.NEUTRAL)


def _step(complaint: Complaint, stage: str, actor: User | None, note: str, now) -> None:
    ComplaintStep.objects.create(complaint=complaint, stage=stage, actor=actor, note=note[:5000], at=now)


@transaction.atomic
def complaint_open(
    *, actor, ticket: Ticket, severity: str = ComplaintSeverity.NORMAL, note: str = ""
) -> Complaint:
    """Start the workflow on a complaint case, counting the customer's earlier complaints; a major
    complaint goes to the service manager at once."""
    permissions.require_ticket_write(actor, ticket)
    actor = user_of(actor)  # recorded as who did it from here on (None for the system)
    if ticket.type != TicketType.COMPLAINT:
        raise ValidationFailed(fields={"ticket": "only complaint cases have a complaint workflow"})
    if severity not in ComplaintSeverity.values:
        raise ValidationFailed(fields={"severity": "normal or major"})
    if Complaint.objects.filter(ticket=ticket).exists():
        raise Conflict("This case already has a complaint workflow.", code="exists")
    now = timezone.now()
    repeats = 0
    if ticket.customer_id:
        repeats = Complaint.objects.filter(
            ticket__customer_id=ticket.customer_id, created_at__gte=now - REPEAT_WINDOW
        ).count()
    complaint = Complaint(ticket=ticket, severity=severity, repeat_count=repeats)
    complaint._history_user = actor
    complaint.save()
    _step(complaint, C.RECEIVED, actor, note, now)
    if severity == ComplaintSeverity.MAJOR:
        _escalate(actor, ticket)
    return complaint


def _escalate(actor: User, ticket: Ticket) -> None:
    manager = User.objects.filter(role=Role.SERVICE_MANAGER, is_active=True).order_by("id").first()
    if manager is not None:
        _assign(actor=actor, ticket=_locked(ticket), assignee=manager, note=events.MAJOR_COMPLAINT)


@transaction.atomic
def complaint_advance(
    *, actor, complaint: Complaint, stage: str, note: str = "", classification: str = "",
    responsible_team: Team | None = None, severity: str | None = None, outcome: str = CallbackOutcome.SATISFIED,
) -> Complaint:
    """Take the next step. Classifying needs a classification, forwarding a responsible
    department; raising the severity to major escalates. The reply schedules the callback (回访);
    verifying records that callback with `outcome` (satisfied or neutral; a dissatisfied customer
    reopens the complaint instead)."""
    complaint = Complaint.objects.select_for_update().select_related("ticket").get(pk=complaint.pk)
    permissions.require_ticket_write(actor, complaint.ticket)
    actor = user_of(actor)
    expected = NEXT_STAGE.get(complaint.stage)
    if stage == C.VERIFIED and outcome not in VERIFYING_OUTCOMES:
        raise ValidationFailed(fields={"outcome": _("satisfied or neutral; reopen the complaint otherwise")})
    if stage != expected:
        raise Conflict(
            gettext("The next step is %(value)s.") % {
                "value": C(expected).label if expected else gettext("none: the complaint is verified")},
            code="invalid_step",
        )
    if stage == C.CLASSIFIED:
        if not classification.strip():
            raise ValidationFailed(fields={"classification": "required to classify"})
        complaint.classification = classification.strip()[:100]
    if stage == C.FORWARDED:
        if responsible_team is None:
            raise ValidationFailed(fields={"responsible_team": "required to forward"})
        complaint.responsible_team = responsible_team
    if severity and severity != complaint.severity:
        if severity not in ComplaintSeverity.values:
            raise ValidationFailed(fields={"severity": "normal or major"})
        complaint.severity = severity
        if severity == ComplaintSeverity.MAJOR:
            _escalate(actor, complaint.ticket)
    now = timezone.now()
    if stage == C.VERIFIED:
        _verifying_callback(complaint.ticket, actor, outcome, note, now)
    complaint.stage = stage
    complaint._history_user = actor
    complaint.save()
    _step(complaint, stage, actor, note, now)
    if stage == C.REPLIED:
        callback_schedule(ticket=complaint.ticket, actor=actor, now=now)
    return complaint


def callback_schedule(*, ticket: Ticket, actor: User | None, now: dt.datetime) -> Callback:
    """The case's pending callback, or a new one due by the callback standard (a day by default),
    for the case's owner."""
    pending = ticket.callbacks.filter(done_at__isnull=True).order_by("due_at").first()
    if pending is not None:
        return pending
    callback = Callback(ticket=ticket, assignee=ticket.owner or actor, due_at=clocks.callback_due_at(ticket, now=now))
    callback._history_user = actor
    callback.save()
    return callback


def _verifying_callback(ticket: Ticket, actor: User, outcome: str, note: str, now: dt.datetime) -> None:
    """Verifying on the case records the pending callback: the verification is that callback."""
    callback = callback_schedule(ticket=ticket, actor=actor, now=now)
    callback = Callback.objects.select_for_update().get(pk=callback.pk)
    callback.outcome, callback.note = outcome, note[:5000]
    callback.done_at, callback.done_by = now, actor
    callback._history_user = actor
    callback.save()


def complaint_callback_recorded(*, actor: User, ticket: Ticket, outcome: str, note: str, at: dt.datetime) -> None:
    """A callback of a replied complaint was recorded: a satisfied or neutral customer verifies the
    result, a dissatisfied one reopens the complaint, an unreachable one is called again."""
    complaint = Complaint.objects.select_for_update().filter(ticket=ticket).first()
    if complaint is None or complaint.stage != C.REPLIED:
        return
    if outcome in VERIFYING_OUTCOMES:
        complaint.stage = C.VERIFIED
        complaint._history_user = actor
        complaint.save()
        _step(complaint, C.VERIFIED, actor, note or _("Verified by the callback."), at)
    elif outcome == CallbackOutcome.DISSATISFIED:
        _reopen(complaint, actor, note or _("Customer dissatisfied at the callback."), at)
    else:
        callback_schedule(ticket=ticket, actor=actor, now=at)


def _reopen(complaint: Complaint, actor: User, note: str, at: dt.datetime) -> None:
    complaint.stage = C.ASSESSED
    complaint.reopen_count += 1
    complaint._history_user = actor
    complaint.save()
    _step(complaint, C.ASSESSED, actor, f"Reopened: {note}", at)


@transaction.atomic
def complaint_reopen(*, actor, complaint: Complaint, note: str) -> Complaint:
    """The customer is not satisfied with the result: back to communicating and assessing."""
    complaint = Complaint.objects.select_for_update().select_related("ticket").get(pk=complaint.pk)
    permissions.require_ticket_write(actor, complaint.ticket)
    actor = user_of(actor)
    if complaint.stage not in (C.REPLIED, C.VERIFIED):
        raise Conflict("Only a replied or verified complaint can be reopened.", code="invalid_step")
    if not note.strip():
        raise ValidationFailed(fields={"note": "say why it is reopened"})
    _reopen(complaint, actor, note, timezone.now())
    # The pending callback asked about the result the customer has just rejected.
    for callback in complaint.ticket.callbacks.filter(done_at__isnull=True):
        callback.outcome, callback.note = CallbackOutcome.DISSATISFIED, note[:5000]
        callback.done_at, callback.done_by = complaint.updated_at, actor
        callback._history_user = actor
        callback.save()
    return complaint
