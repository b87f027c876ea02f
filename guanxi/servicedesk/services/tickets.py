"""The case workflow: create, reply, note, move through statuses, assign, merge."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from guanxi.accounts.access import is_system, user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.uploads import original_name
from guanxi.core.validators import control_character_error
from guanxi.core.versioning import bumped, require_version
from guanxi.customers.models import Customer
from guanxi.customers.permissions import customer_in_scope
from guanxi.customers.value import value_tier

from .. import events, permissions, routing
from ..enums import Channel, ComplaintStage, Metric, Priority, TicketStatus, TicketType
from ..models import Callback, Complaint, Ticket, TicketAssignment, TicketCategory, TicketMessage
from ..selectors.tickets import CASE_TEXT_FIELDS, case_text_unmasked
from ..signals import ticket_closed
from . import clocks

S = TicketStatus
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".txt", ".csv", ".doc", ".docx", ".xls",
                    ".xlsx", ".ppt", ".pptx", ".zip", ".mp3", ".wav", ".amr", ".mp4")
# Allowed moves of the status machine; MERGED is entered only by ticket_merge.
TRANSITIONS = {
    S.NEW: {S.OPEN, S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY, S.RESOLVED},
    S.OPEN: {S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY, S.RESOLVED},
    S.PENDING_CUSTOMER: {S.OPEN, S.PENDING_THIRD_PARTY, S.RESOLVED},
    S.PENDING_THIRD_PARTY: {S.OPEN, S.PENDING_CUSTOMER, S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.OPEN},
    S.CLOSED: {S.OPEN},
    S.MERGED: set(),
}


OLDEST_EVENT = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


def _checked_at(at: dt.datetime | None, *, not_before: dt.datetime | None = None, reason: str = "") -> dt.datetime:
    """When an event happened: now, or a given moment of the past (imports of history). Never
    ahead of this server's clock by more than HISTORY_FUTURE_SKEW_SECONDS, never before
    `not_before` (`reason` says what that is). A naive moment is read in the server's time zone."""
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    skew = dt.timedelta(seconds=getattr(settings, "HISTORY_FUTURE_SKEW_SECONDS", 300))
    if at > now + skew:
        raise ValidationFailed(_("The time given is in the future."), fields={"occurred_at": _("in the future")})
    if at < OLDEST_EVENT:
        raise ValidationFailed(fields={"occurred_at": _("must be after 1990")})
    if not_before is not None and at < not_before:
        raise ValidationFailed(_("The time given is before %(what)s (%(when)s).") % {
            "what": reason, "when": timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M:%S")},
            fields={"occurred_at": reason})
    return at


def _earliest_transition(ticket: Ticket) -> tuple[dt.datetime, str]:
    """The moment a status change of `ticket` may not precede: the case's opening, its open pause
    (a resume never before its pause) and its resolution or closing (a reopening never before it)."""
    bounds = [(ticket.created_at, _("the case was opened"))]
    if ticket.status == S.PENDING_CUSTOMER:
        pause = ticket.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
        if pause is not None:
            bounds.append((pause.started_at, _("the pause it ends")))
    if ticket.resolved_at:
        bounds.append((ticket.resolved_at, _("the case was resolved")))
    if ticket.closed_at:
        bounds.append((ticket.closed_at, _("the case was closed")))
    return max(bounds, key=lambda bound: bound[0])


# A complaint case is resolved once the customer has the reply, closed once the result is verified.
COMPLAINT_STAGES_TO = {S.RESOLVED: (ComplaintStage.REPLIED, ComplaintStage.VERIFIED),
                       S.CLOSED: (ComplaintStage.VERIFIED,)}


def _check_complaint_steps(ticket: Ticket, status: str) -> None:
    """Refuse resolving or closing a complaint case whose complaint workflow has not got that far."""
    if ticket.type != TicketType.COMPLAINT or status not in COMPLAINT_STAGES_TO:
        return
    stage = Complaint.objects.filter(ticket=ticket).values_list("stage", flat=True).first()
    if stage in COMPLAINT_STAGES_TO[status]:
        return
    if stage is None:
        raise Conflict(_("Open the complaint workflow and take its steps before this case is resolved or closed."),
                       code="complaint_steps_missing")
    if status == S.RESOLVED:
        raise Conflict(_("Reply to the customer (the complaint's reply step) before resolving the case."),
                       code="complaint_not_replied")
    raise Conflict(_("Verify the result by the callback (回访) before closing the complaint case."),
                   code="complaint_not_verified")


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


# The fields a version conflict may list as changed (the case text masked as its reader sees it).
VERSIONED_FIELDS = ("status", "priority", "type", "category", "subject", "description", "owner", "team",
                    "customer", "merged_into")


def _require_version(actor, ticket: Ticket, expected: int | None) -> None:
    """409 (VersionConflict) when the caller read the locked case at an older `expected` version."""
    masked = () if expected is None or case_text_unmasked(user=actor, ticket=ticket) else CASE_TEXT_FIELDS
    require_version(ticket, expected, fields=VERSIONED_FIELDS, masked=masked)


def _clean(data: dict) -> dict:
    errors = {}
    subject = (data.get("subject") or "").strip()
    if not subject or len(subject) > 200:
        errors["subject"] = "required, at most 200 characters"
    elif control_character_error(subject):
        errors["subject"] = control_character_error(subject)
    if data.get("type") not in TicketType.values:
        errors["type"] = f"one of: {', '.join(TicketType.values)}"
    if data.get("channel") not in Channel.values:
        errors["channel"] = f"one of: {', '.join(Channel.values)}"
    priority = data.get("priority", Priority.NORMAL)
    if priority not in Priority.values:
        errors["priority"] = "1 (low) to 4 (urgent)"
    if len(data.get("description") or "") > 20_000:
        errors["description"] = "at most 20000 characters"
    category = data.get("category")
    if category is not None and not isinstance(category, TicketCategory):
        category = TicketCategory.objects.filter(pk=category).first()
        if category is None:
            errors["category"] = "unknown category"
    if errors:
        raise ValidationFailed(fields=errors)
    return {"subject": subject, "type": data["type"], "channel": data["channel"], "priority": priority,
            "description": (data.get("description") or "").strip(), "category": category}


@transaction.atomic
def ticket_create(*, actor, customer: Customer | None, data: dict, at=None) -> Ticket:
    """Open a case owned by `actor` (one-stop service: the first agent owns it to the end) and
    start the service clocks of every matching standard. Staff open cases for customers they may
    read; a customer (a `CustomerActor`, from the self-service portal) opens their own, which has no
    owner, team or creator and waits in the agents' queue. `at` records a case that was opened
    earlier (imports of history, demo data): the clocks run from it; never in the future. A router
    registered in `routing` (the key accounts' red channel) may give the case its team, a higher
    priority and its own standards first. The clocks started are on `ticket.started_clocks` (in the
    order the case's clock list shows them), so that the caller need not read them back."""
    permissions.require_ticket_create(actor, customer=customer)
    if customer is not None and not is_system(actor) and (
            customer.deleted_at is not None or not customer_in_scope(actor, customer, "read")):
        # The rule customer_get_for_user applies, on the record the caller read (no second read).
        raise NotFound("Customer not found.")
    clean = _clean(data)
    now = _checked_at(at)
    user = user_of(actor)
    ticket = Ticket(
        number=f"tmp-{uuid.uuid4().hex[:15]}", customer=customer, owner=user,
        team=user.team if user is not None else None, created_by=user,
        customer_tier=value_tier(customer.arpu) if customer else "", **clean,
    )
    route = routing.route_case(ticket) if customer is not None else None
    if route is not None:
        ticket.team_id = route.team_id or ticket.team_id
        ticket.priority = max(ticket.priority, route.priority or ticket.priority)
    ticket.skip_history_when_saving = True
    ticket.save()
    del ticket.skip_history_when_saving
    ticket.number = f"T{now:%y%m%d}{ticket.pk:08d}"
    running = clocks.clocks_start(ticket, now=now, preferred=route.standards if route else ())
    ticket.started_clocks = running
    ticket.next_due_at = min((c.due_at for c in running if c.due_at), default=None)
    Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number, next_due_at=ticket.next_due_at,
                                               created_at=now, updated_at=now)
    ticket.created_at = ticket.updated_at = now
    Ticket.history.bulk_history_create([ticket], default_user=user, default_date=now)
    if route is not None and route.after_create is not None:
        route.after_create(ticket)
    return ticket


FROM_CUSTOMER = (TicketMessage.Kind.CUSTOMER, TicketMessage.Kind.RECORDED)


@transaction.atomic
def ticket_message_add(*, actor, ticket: Ticket, kind: str, body: str, attachment=None, at=None) -> TicketMessage:
    """A reply, a customer's message or an internal note. The first reply stops the first-response
    clock; a customer's message (or their words recorded by staff) on a case pending on them resumes
    its clocks. Only the customer's channels (a customer or the system, not staff) write customer
    messages, and a customer writes nothing else. Locks the case."""
    ticket = _locked(ticket)
    permissions.require_ticket_write(actor, ticket)
    if ticket.status == S.MERGED:
        raise Conflict(gettext("This case was merged into %(merged_into)s; reply there.") % {
            "merged_into": ticket.merged_into}, code="merged")
    if kind not in TicketMessage.Kind.values:
        raise ValidationFailed(fields={"kind": gettext("one of: %(values)s") % {
            "values": ', '.join(TicketMessage.Kind.values)}})
    if kind != TicketMessage.Kind.CUSTOMER and is_system(actor) and actor.customer_id is not None:
        raise ValidationFailed(fields={"kind": gettext("one of: %(values)s") % {"values": TicketMessage.Kind.CUSTOMER}})
    if kind == TicketMessage.Kind.CUSTOMER and not is_system(actor):
        raise ValidationFailed(
            gettext("Only the customer writes customer messages; record what they said as 'recorded'."),
            code="customer_words_by_staff",
            fields={"kind": gettext("customer messages come from the customer's channels; use recorded")})
    body = (body or "").strip()
    if not body or len(body) > 20_000:
        raise ValidationFailed(fields={"body": "required, at most 20000 characters"})
    if attachment:
        _check_attachment(attachment)
    now = at or timezone.now()
    author = user_of(actor)
    message = TicketMessage.objects.create(ticket=ticket, kind=kind, author=author, body=body,
                                           attachment=attachment or "",
                                           attachment_name=original_name(attachment) if attachment else "")
    if at is not None:
        TicketMessage.objects.filter(pk=message.pk).update(created_at=at, updated_at=at)
    changed = []
    if kind == TicketMessage.Kind.REPLY and ticket.first_responded_at is None:
        ticket.first_responded_at = now
        clocks.clocks_stop(ticket, metrics=[Metric.FIRST_RESPONSE], now=now)
        changed.append("first_responded_at")
    if ticket.status == S.NEW and kind == TicketMessage.Kind.REPLY:
        ticket.status = S.OPEN
        changed.append("status")
    if kind in FROM_CUSTOMER and ticket.status in (S.PENDING_CUSTOMER, S.RESOLVED):
        _move(ticket, S.OPEN, actor=author, reason=events.CUSTOMER_REPLIED, now=now)
        changed.append("status")
    if changed:
        ticket._history_user = author
        ticket._history_date = now
        ticket.save()
    clocks.refresh_next_due(ticket)
    return message


def _check_attachment(upload) -> None:
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(ATTACHMENT_TYPES):
        raise ValidationFailed(fields={"attachment": gettext("allowed: %(values)s") % {
            "values": ', '.join(ATTACHMENT_TYPES)}})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(fields={"attachment": "at most 10 MB"})


def _move(ticket: Ticket, target: str, *, actor, reason: str, now) -> None:
    """Apply a status change's effects on the clocks (the caller saves the ticket)."""
    source = ticket.status
    if source == S.PENDING_CUSTOMER:
        clocks.clocks_resume(ticket, now=now)
    if target == S.PENDING_CUSTOMER:
        clocks.clocks_pause(ticket, actor=actor, reason=reason or events.PENDING_ON_CUSTOMER, now=now)
    if target == S.RESOLVED:
        ticket.resolved_at = now
        clocks.clocks_stop(ticket, metrics=clocks.RESOLVING_METRICS, now=now)
        if ticket.type == TicketType.FAULT and not ticket.callbacks.filter(done_at__isnull=True).exists():
            due = clocks.callback_due_at(ticket, now=now)
            Callback.objects.create(ticket=ticket, assignee=ticket.owner, due_at=due)
    if target == S.CLOSED:
        ticket.closed_at = now
        clocks.clocks_stop(ticket, metrics=Metric.values, now=now)
    if target == S.OPEN and source in (S.RESOLVED, S.CLOSED):
        ticket.reopen_count += 1
        ticket.resolved_at = ticket.closed_at = None
    ticket.status = target


@transaction.atomic
def ticket_transition(*, actor, ticket: Ticket, status: str, reason: str = "", at=None,
                      expected_version: int | None = None) -> Ticket:
    """Move the case along the status machine; refused moves change nothing. `at` records a move
    made earlier (imports of history): never in the future, never before the case opened, a resume
    never before its pause, a reopening never before the resolution; the clocks compute from it.
    Locks the case; 409 when the caller read it at an older `expected_version`."""
    ticket = _locked(ticket)
    permissions.require_ticket_write(actor, ticket)
    _require_version(actor, ticket, expected_version)
    return _transition(actor=actor, ticket=ticket, status=status, reason=reason, at=at)


def _transition(*, actor, ticket: Ticket, status: str, reason: str = "", at=None) -> Ticket:
    """ticket_transition on a locked case whose permission the caller has checked (a callback's
    assignee reopens the case through callback_record)."""
    if status not in TRANSITIONS.get(ticket.status, set()):
        target = S(status).label if status in S.values else status
        raise Conflict(gettext("A case cannot go from %(value)s to %(target)s.") % {
            "value": ticket.get_status_display(), "target": target}, code="invalid_transition")
    _check_complaint_steps(ticket, status)
    not_before, bound = _earliest_transition(ticket) if at is not None else (None, "")
    now = _checked_at(at, not_before=not_before, reason=bound)
    _move(ticket, status, actor=user_of(actor), reason=reason, now=now)
    ticket._history_user = user_of(actor)
    ticket._history_date = now
    ticket._change_reason = reason[:100] if reason else None
    ticket.save()
    clocks.refresh_next_due(ticket)
    if status == S.CLOSED:
        ticket_closed.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return ticket


@transaction.atomic
def ticket_assign(*, actor, ticket: Ticket, assignee: User, note: str = "",
                  expected_version: int | None = None) -> TicketAssignment:
    """Hand work to someone, possibly in another department, with a hand-over note. The owner
    stays the owner. Locks the case; 409 when the caller read it at an older `expected_version`."""
    ticket = _locked(ticket)
    permissions.require_ticket_write(actor, ticket)
    _require_version(actor, ticket, expected_version)
    return _assign(actor=actor, ticket=ticket, assignee=assignee, note=note)


def _assign(*, actor, ticket: Ticket, assignee: User, note: str = "") -> TicketAssignment:
    """ticket_assign on a locked case whose permission the caller has checked (escalations)."""
    if not ticket.is_open:
        raise Conflict("Only open cases can be assigned.", code="not_open")
    if not assignee.is_active:
        raise ValidationFailed(fields={"assignee": "this user is not active"})
    ticket.assignments.filter(assignee=assignee, is_active=True).update(is_active=False, done_at=timezone.now())
    assignment = TicketAssignment(ticket=ticket, assignee=assignee, assigned_by=user_of(actor),
                                  handover_note=note[:5000])
    assignment._history_user = user_of(actor)
    assignment.save()
    # An assignment changes the case: a copy read before it is stale (If-Match, the page's version).
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(**bumped(Ticket), updated_at=now)
    ticket.version, ticket.updated_at = ticket.version + 1, now
    return assignment


@transaction.atomic
def ticket_merge(*, actor, source: Ticket, target: Ticket) -> Ticket:
    """Merge a duplicate case into another: the duplicate stops, its clocks stop, it points to the
    case that continues. The actor works on both. Locks both cases, in id order."""
    if source.pk == target.pk:
        raise ValidationFailed(fields={"target": "a case cannot be merged into itself"})
    first, second = sorted([source.pk, target.pk])  # lock in id order to avoid deadlocks
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[source.pk], locked[target.pk]
    permissions.require_ticket_write(actor, source)
    permissions.require_ticket_write(actor, target)
    if source.status == S.MERGED or target.status == S.MERGED:
        raise Conflict("A merged case cannot be merged again.", code="already_merged")
    if not target.is_open:
        raise Conflict("Merge into an open case.", code="not_open")
    if source.customer_id and target.customer_id and source.customer_id != target.customer_id:
        raise ValidationFailed(fields={"target": "the cases belong to different customers"})
    now = timezone.now()
    clocks.clocks_stop(source, metrics=Metric.values, now=now)
    source.status, source.merged_into, source.closed_at = S.MERGED, target, now
    source._history_user = user_of(actor)
    source._change_reason = f"merged into {target.number}"
    source.save()
    clocks.refresh_next_due(source)
    TicketMessage.objects.create(ticket=target, kind=TicketMessage.Kind.NOTE, author=user_of(actor),
                                 event=events.CASE_MERGED,
                                 event_params={"number": source.number, "subject": source.subject})
    return target
