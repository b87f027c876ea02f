"""The complaint workflow (投诉处理): receive → record → classify → communicate and assess →
forward → follow up → reply → verify, one step at a time, each step recorded."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, ValidationFailed

from .. import events
from ..enums import ComplaintSeverity, ComplaintStage, TicketType
from ..models import Complaint, ComplaintStep, Ticket
from .tickets import ticket_assign

C = ComplaintStage
NEXT_STAGE = {C.RECEIVED: C.RECORDED, C.RECORDED: C.CLASSIFIED, C.CLASSIFIED: C.ASSESSED, C.ASSESSED: C.FORWARDED,
              C.FORWARDED: C.FOLLOWING_UP, C.FOLLOWING_UP: C.REPLIED, C.REPLIED: C.VERIFIED}
REPEAT_WINDOW = dt.timedelta(days=90)


def _step(complaint: Complaint, stage: str, actor: User | None, note: str, now) -> None:
    ComplaintStep.objects.create(complaint=complaint, stage=stage, actor=actor, note=note[:5000], at=now)


@transaction.atomic
def complaint_open(
    *, actor: User, ticket: Ticket, severity: str = ComplaintSeverity.NORMAL, note: str = ""
) -> Complaint:
    """Start the workflow on a complaint case, counting the customer's earlier complaints; a major
    complaint goes to the service manager at once."""
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
        ticket_assign(actor=actor, ticket=ticket, assignee=manager, note=events.MAJOR_COMPLAINT)


@transaction.atomic
def complaint_advance(
    *, actor: User, complaint: Complaint, stage: str, note: str = "", classification: str = "",
    responsible_team: Team | None = None, severity: str | None = None,
) -> Complaint:
    """Take the next step. Classifying needs a classification, forwarding a responsible
    department; raising the severity to major escalates."""
    complaint = Complaint.objects.select_for_update().select_related("ticket").get(pk=complaint.pk)
    expected = NEXT_STAGE.get(complaint.stage)
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
    complaint.stage = stage
    complaint._history_user = actor
    complaint.save()
    _step(complaint, stage, actor, note, timezone.now())
    return complaint


@transaction.atomic
def complaint_reopen(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    """The customer is not satisfied with the result: back to communicating and assessing."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.stage not in (C.REPLIED, C.VERIFIED):
        raise Conflict("Only a replied or verified complaint can be reopened.", code="invalid_step")
    if not note.strip():
        raise ValidationFailed(fields={"note": "say why it is reopened"})
    complaint.stage = C.ASSESSED
    complaint.reopen_count += 1
    complaint._history_user = actor
    complaint.save()
    _step(complaint, C.ASSESSED, actor, f"Reopened: {note}", timezone.now())
    return complaint
