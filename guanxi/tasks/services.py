"""Writes of tasks. The public API other modules call to "create a task from your module":

    from guanxi.tasks.services import task_create
    task_create(actor=SYSTEM or request.user, kind="follow_up", subject="回访：宽带装机满意度",
                due_at=moment, customer=customer, assignee=owner, source=opportunity,
                source_url=reverse("sales:detail", args=[opportunity.pk]))

Every function checks its actor against `permissions.py` first and writes in one transaction.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.access import is_system, user_of
from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.permissions import customer_in_scope
from guanxi.integrations.messaging.enums import MessageChannel
from guanxi.integrations.messaging.services import message_send

from . import permissions
from .kinds import KINDS
from .models import Task, TaskHandOver, TaskReminder

Status = Task.Status
MAX_SUBJECT = 200
MAX_TEXT = 5_000
MAX_REMINDERS = 5
EARLIEST, LATEST = 1900, 2999
REMINDER_BATCH = 200
# A reminder found later than this after its time (the job was down) is not sent any more.
REMINDER_STALE = dt.timedelta(hours=12)
UNSET = object()


def _moment(value, field: str, errors: dict) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        errors[field] = _("a date and time with its time zone")
    elif not EARLIEST <= value.year <= LATEST:
        errors[field] = _("a year from %(earliest)s to %(latest)s") % {"earliest": EARLIEST, "latest": LATEST}
    else:
        return value
    return None


def _check_fields(*, kind, subject, notes, priority, start_at, due_at, reminders, errors: dict) -> None:
    if kind not in KINDS:
        errors["kind"] = _("one of: %(values)s") % {"values": ", ".join(KINDS)}
    if not subject or len(subject) > MAX_SUBJECT:
        errors["subject"] = _("required, at most 200 characters")
    if len(notes) > MAX_TEXT:
        errors["notes"] = _("at most 5000 characters")
    if priority not in Task.Priority.values:
        errors["priority"] = _("one of: %(values)s") % {"values": ", ".join(map(str, Task.Priority.values))}
    start, due = _moment(start_at, "start_at", errors), _moment(due_at, "due_at", errors)
    if due_at is None:
        errors["due_at"] = _("required")
    if start is not None and due is not None and start > due:
        errors["due_at"] = _("the due time is before the start")
    if reminders is not None:
        if len(reminders) > MAX_REMINDERS:
            errors["reminders"] = _("at most 5 reminders")
        for moment in reminders:
            at = _moment(moment, "reminders", errors)
            if at is not None and due is not None and at > due:
                errors["reminders"] = _("a reminder comes before the task is due")


def _check_customer(actor, customer: Customer | None) -> None:
    """A task on a customer needs the right to read that customer (a partner: its own)."""
    if customer is None or is_system(actor):
        return
    if customer.deleted_at is not None or not customer_in_scope(actor, customer):
        raise ValidationFailed(fields={"customer": _("unknown customer")})


def _check_people(actor, assignee: User | None, team: Team | None) -> None:
    if assignee is not None and not assignee.is_active:
        raise ValidationFailed(fields={"assignee": _("unknown or inactive user")})
    permissions.require_assignable(actor, assignee, team)


def _set_reminders(task: Task, reminders: Iterable[dt.datetime]) -> None:
    """The task's unsent reminders become `reminders` (sent ones stay as the record of them)."""
    task.reminders.filter(sent_at__isnull=True).delete()
    TaskReminder.objects.bulk_create([TaskReminder(task=task, remind_at=at) for at in sorted(set(reminders))])


@transaction.atomic
def task_create(
    *, actor, kind: str, subject: str, due_at: dt.datetime, notes: str = "", customer: Customer | None = None,
    assignee: User | None = None, team: Team | None = None, start_at: dt.datetime | None = None,
    all_day: bool = False, priority: int = Task.Priority.NORMAL, reminders: Iterable[dt.datetime] = (),
    source=None, source_label: str = "", source_url: str = "",
) -> Task:
    """A new open task for `assignee` (default: the actor) and/or `team` (default: the assignee's),
    due at `due_at`, optionally starting at `start_at`, on `customer`, asked for by `source` (any
    saved record; shown as `source_label`, default its str, linking to `source_url`), with
    appointment reminders at the given moments."""
    permissions.require(actor, "task", "write")
    subject, notes, reminders = (subject or "").strip(), (notes or "").strip(), list(reminders or ())
    errors: dict = {}
    _check_fields(kind=kind, subject=subject, notes=notes, priority=priority, start_at=start_at, due_at=due_at,
                  reminders=reminders, errors=errors)
    if len(source_label) > 200 or len(source_url) > 500 or (source_url and not source_url.startswith("/")):
        errors["source"] = _("a label of at most 200 characters and a link within the product")
    if errors:
        raise ValidationFailed(fields=errors)
    if assignee is None and team is None:
        if is_system(actor):
            raise ValidationFailed(fields={"assignee": _("give an assignee or a team")})
        assignee = actor
    team = team if team is not None else assignee.team
    _check_people(actor, assignee, team)
    _check_customer(actor, customer)
    task = Task(kind=kind, subject=subject, notes=notes, customer=customer, assignee=assignee, team=team,
                created_by=user_of(actor), start_at=start_at, due_at=due_at, all_day=all_day, priority=priority)
    _set_source(task, source, source_label, source_url)
    task._history_user = user_of(actor)
    task.save()
    _set_reminders(task, reminders)
    return task


def _set_source(task: Task, source, label: str, url: str) -> None:
    """The record that asked for the task (any saved record) and/or its label and link: a link
    without a record (a page listing several) is kept too."""
    if source is not None:
        task.source_type, task.source_id = ContentType.objects.get_for_model(source), source.pk
        label = label or str(source)
    task.source_label, task.source_url = (label or "")[:200], url or ""


@transaction.atomic
def task_create_many(*, actor, kind: str, items: list[dict]) -> list[Task]:
    """Many open tasks at once (a sweep telling each person something): each item gives `subject`,
    `due_at`, an active `assignee` and optionally a `customer_id` and the `source` record, its
    `source_label` and `source_url` (as `task_create` takes them); checked as `task_create` checks
    one, written in one insert with their history rows (no reminders). The system only: the
    customers are not checked against anyone's scope."""
    permissions.require(actor, "task", "write", allowed=is_system(actor))
    tasks = []
    for item in items:
        subject, assignee, errors = (item["subject"] or "").strip(), item["assignee"], {}
        _check_fields(kind=kind, subject=subject, notes="", priority=Task.Priority.NORMAL, start_at=None,
                      due_at=item["due_at"], reminders=None, errors=errors)
        label, url = item.get("source_label", ""), item.get("source_url", "")
        if len(label) > 200 or len(url) > 500 or (url and not url.startswith("/")):
            errors["source"] = _("a label of at most 200 characters and a link within the product")
        if errors:
            raise ValidationFailed(fields=errors)
        _check_people(actor, assignee, None)
        task = Task(kind=kind, subject=subject, customer_id=item.get("customer_id"), assignee=assignee,
                    team_id=assignee.team_id, created_by=user_of(actor), due_at=item["due_at"])
        _set_source(task, item.get("source"), label, url)
        tasks.append(task)
    Task.objects.bulk_create(tasks)
    Task.history.bulk_history_create(tasks, default_user=user_of(actor))
    return tasks


def _locked(actor, task: Task, *, open_only: bool = True) -> Task:
    task = Task.objects.select_for_update(of=("self",)).select_related("customer").get(pk=task.pk)
    permissions.require_write(actor, task)
    if open_only and not task.is_open:
        raise Conflict(_("This task is already done or cancelled."), code="task_closed")
    return task


@transaction.atomic
def task_update(*, actor, task: Task, subject=UNSET, notes=UNSET, kind=UNSET, due_at=UNSET, start_at=UNSET,
                all_day=UNSET, priority=UNSET, customer=UNSET, reminders=UNSET) -> Task:
    """Change an open task's fields (those given); `reminders` replaces the unsent ones."""
    task = _locked(actor, task)
    given = {name: value for name, value in {
        "subject": subject, "notes": notes, "kind": kind, "due_at": due_at, "start_at": start_at,
        "all_day": all_day, "priority": priority, "customer": customer}.items() if value is not UNSET}
    if "subject" in given:
        given["subject"] = (given["subject"] or "").strip()
    if "notes" in given:
        given["notes"] = (given["notes"] or "").strip()
    merged = {name: given.get(name, getattr(task, name)) for name in
              ("subject", "notes", "kind", "due_at", "start_at", "priority")}
    errors: dict = {}
    _check_fields(**merged, reminders=None if reminders is UNSET else list(reminders or ()), errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if "customer" in given and given["customer"] != task.customer:
        _check_customer(actor, given["customer"])
    for name, value in given.items():
        setattr(task, name, value)
    task._history_user = user_of(actor)
    task.save()
    if reminders is not UNSET:
        _set_reminders(task, reminders or ())
    return task


def _close(actor, task: Task, status: str, outcome: str) -> Task:
    task.status, task.closed_at, task.closed_by, task.outcome = status, timezone.now(), user_of(actor), outcome
    task._history_user = user_of(actor)
    task.save()
    return task


@transaction.atomic
def task_complete(*, actor, task: Task, outcome: str = "") -> Task:
    """The task is done, with what came of it; a done or cancelled task cannot be completed."""
    task = _locked(actor, task)
    outcome = (outcome or "").strip()
    if len(outcome) > MAX_TEXT:
        raise ValidationFailed(fields={"outcome": _("at most 5000 characters")})
    return _close(actor, task, Status.DONE, outcome)


@transaction.atomic
def task_cancel(*, actor, task: Task, reason: str) -> Task:
    """The task no longer needs doing: say why."""
    task = _locked(actor, task)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_TEXT:
        raise ValidationFailed(fields={"reason": _("required, at most 5000 characters")})
    return _close(actor, task, Status.CANCELLED, reason)


@transaction.atomic
def task_reassign(*, actor, task: Task, assignee: User | None = None, team: Team | None = None,
                  note: str = "") -> Task:
    """Hand an open task over (交接) to another person and/or team (default: the new assignee's
    team), with a note for them; recorded as a hand-over. Nobody and no team at all is refused."""
    task = _locked(actor, task)
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationFailed(fields={"note": _("at most 5000 characters")})
    if assignee is None and team is None:
        raise ValidationFailed(fields={"assignee": _("give an assignee or a team")})
    team = team if team is not None else assignee.team
    _check_people(actor, assignee, team)
    if assignee == task.assignee and team == task.team:
        raise ValidationFailed(fields={"assignee": _("the task is already theirs")})
    TaskHandOver.objects.create(task=task, at=timezone.now(), by=user_of(actor), from_assignee=task.assignee,
                                from_team=task.team, to_assignee=assignee, to_team=team, note=note)
    task.assignee, task.team = assignee, team
    task._history_user = user_of(actor)
    task.save()
    return task


# ---------------------------------------------------------------- appointment reminders


def _recipient(task: Task) -> tuple[str, str] | None:
    """(channel, address) to remind the assignee on: their mobile by SMS, else their e-mail."""
    person = task.assignee
    if person is None or not person.is_active:
        return None
    if person.mobile:
        return MessageChannel.SMS, person.mobile
    if person.email:
        return MessageChannel.EMAIL, person.email
    return None


def _reminder_text(task: Task) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):  # read by staff in the product's language
        when = timezone.localtime(task.start_at or task.due_at).strftime("%m-%d %H:%M")
        subject = _("Reminder: %(kind)s %(when)s") % {"kind": task.get_kind_display(), "when": when}
        body = _("%(kind)s at %(when)s: %(subject)s") % {"kind": task.get_kind_display(), "when": when,
                                                         "subject": task.subject}
        if task.customer_id is not None:
            body += _(" (customer: %(name)s)") % {"name": task.customer.name}
    return subject, body


@transaction.atomic
def _remind_batch(now: dt.datetime) -> tuple[int, int]:
    # Locked rows make a concurrent run wait, then skip what this one marked: each reminder once.
    rows = list(TaskReminder.objects.select_for_update(of=("self",)).filter(sent_at__isnull=True, remind_at__lte=now)
                .select_related("task__assignee", "task__customer").order_by("remind_at", "id")[:REMINDER_BATCH])
    sent = 0
    for reminder in rows:
        task = reminder.task
        target = _recipient(task) if task.is_open else None
        if not task.is_open:
            reminder.skipped = "task closed"
        elif reminder.remind_at < now - REMINDER_STALE:
            reminder.skipped = "too late"
        elif target is None:
            reminder.skipped = "no mobile or e-mail"
        else:
            subject, body = _reminder_text(task)
            reminder.channel, reminder.recipient = target
            reminder.message = message_send(channel=target[0], recipient=target[1], subject=subject, body=body)
            sent += 1
        reminder.sent_at = now
        reminder.save(update_fields=["sent_at", "channel", "recipient", "message", "skipped"])
    return len(rows), sent


def reminders_send(*, actor, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every reminder whose time has come (through the messaging backends), once each; those of
    closed tasks, and those found too long after their time, are marked and not sent. Run every
    minute by Celery beat (inline without Redis) as the system."""
    permissions.require(actor, "task", "write", allowed=permissions.scope(actor, "task", "write") is permissions.ALL)
    now = now or timezone.now()
    seen = sent = 0
    while True:
        rows, delivered = _remind_batch(now)
        seen, sent = seen + rows, sent + delivered
        if rows < REMINDER_BATCH:
            return {"due": seen, "sent": sent}
