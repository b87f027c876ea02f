"""Writes of key accounts: designation (with a reason; an override reason when the customer fails
the criteria), de-designation, tier and manager changes — each written to the history — the
account's people in its org chart, its competitors and its yearly plan. Every service checks its
actor against `permissions` and runs in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM, is_system, user_of
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.uploads import original_name
from guanxi.customers.models import Contact, Customer
from guanxi.servicedesk.clock import CalendarError
from guanxi.servicedesk.models import BusinessCalendar
from guanxi.servicedesk.selectors.calendars import working_calendar
from guanxi.servicedesk.services.clocks import standards_changed
from guanxi.tasks.models import Task
from guanxi.tasks.services import task_cancel, task_complete, task_create_many

from . import permissions
from .enums import EventKind, GreenStatus, LimitUnit, PersonRole, StepStatus, Strength, VisitKind, VisitStatus
from .limits import default_calendar, step_due_at
from .models import (
    Competitor,
    GreenDocument,
    GreenProcess,
    GreenStep,
    GreenTemplate,
    GreenTemplateStep,
    KeyAccount,
    KeyAccountEvent,
    KeyAccountPlan,
    KeyAccountTier,
    KeyPerson,
    RedChannelRule,
    Visit,
)
from .routing import rules_changed
from .selectors import criteria_of

MANAGER_ROLES = (Role.KEY_ACCOUNT_MANAGER, Role.SALES_MANAGER)
PLAN_TEXTS = ("positioning", "external_analysis", "internal_analysis", "objectives_text", "strategy")


def _check_managers(manager, backup, errors: dict) -> None:
    if manager is None or not manager.is_active or manager.role not in MANAGER_ROLES:
        errors["manager"] = _("Choose an active key-account manager.")
    if backup is not None:
        if not backup.is_active or backup.role not in MANAGER_ROLES:
            errors["backup"] = _("Choose an active key-account manager.")
        elif manager is not None and backup.pk == manager.pk:
            errors["backup"] = _("The backup must be someone other than the manager.")


def _event(account, *, actor, kind, reason, at, override_reason="", score=None, detail=""):
    KeyAccountEvent.objects.create(
        account=account,
        kind=kind,
        actor=user_of(actor),
        at=at,
        reason=reason,
        override_reason=override_reason,
        score=score,
        detail=detail[:200],
    )


@transaction.atomic
def key_account_designate(
    *,
    actor,
    customer: Customer,
    tier: KeyAccountTier,
    manager: User,
    backup: User | None = None,
    reason: str,
    override_reason: str = "",
    wallet_estimate: Decimal | None = None,
    now: dt.datetime | None = None,
) -> KeyAccount:
    """Make `customer` a key account (or again one, after a de-designation). A reason is always needed;
    a customer below the key-account threshold (or never scored) needs an override reason as well.
    Locks the customer's key-account row; writes a history event."""
    permissions.require(actor, "designation", "write")
    now = now or timezone.now()
    reason, override_reason = (reason or "").strip(), (override_reason or "").strip()
    errors: dict = {}
    if not reason:
        errors["reason"] = _("Say why this customer is a key account.")
    criteria = criteria_of(customer_id=customer.pk)
    if not criteria["meets"] and not override_reason:
        errors["override_reason"] = _(
            "The customer does not meet the key-account criteria (score %(score)s, threshold %(threshold)s): "
            "say why it is designated all the same."
        ) % {"score": "—" if criteria["score"] is None else criteria["score"], "threshold": criteria["threshold"]}
    if customer.deleted_at is not None:
        errors["customer"] = _("This customer has been deleted.")
    _check_managers(manager, backup, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    account = KeyAccount.objects.select_for_update().filter(customer=customer).first()
    if account is not None and account.is_active:
        raise Conflict(_("This customer is a key account already."), code="already_key_account")
    if account is None:
        account = KeyAccount(customer=customer)
    account.tier, account.manager, account.backup = tier, manager, backup
    account.is_active, account.designated_at, account.score_at_designation = True, now, criteria["score"]
    if wallet_estimate is not None:
        account.wallet_estimate = wallet_estimate
    account._history_user = user_of(actor)
    account.save()
    _event(
        account,
        actor=actor,
        kind=EventKind.DESIGNATED,
        reason=reason,
        at=now,
        override_reason="" if criteria["meets"] else override_reason,
        score=criteria["score"],
        detail=tier.name,
    )
    return account


@transaction.atomic
def key_account_dedesignate(*, actor, account: KeyAccount, reason: str, now: dt.datetime | None = None) -> KeyAccount:
    """End the account's key-account status (the row, its people and plans are kept); needs a reason."""
    permissions.require(actor, "designation", "write")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": _("Say why this customer is no longer a key account.")})
    account = KeyAccount.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise Conflict(_("This customer is not a key account any more."), code="not_key_account")
    now = now or timezone.now()
    account.is_active = False
    account._history_user = user_of(actor)
    account.save(update_fields=["is_active", "updated_at"])
    _event(
        account,
        actor=actor,
        kind=EventKind.DE_DESIGNATED,
        reason=reason,
        at=now,
        score=criteria_of(customer_id=account.customer_id)["score"],
    )
    return account


@transaction.atomic
def key_account_change(
    *,
    actor,
    account: KeyAccount,
    reason: str,
    tier: KeyAccountTier | None = None,
    manager: User | None = None,
    backup: User | None = None,
    clear_backup: bool = False,
    wallet_estimate: Decimal | None = None,
    now: dt.datetime | None = None,
) -> KeyAccount:
    """Change an active account's tier, managers or wallet; tier and manager changes need a reason and
    are written to the history."""
    permissions.require(actor, "designation", "write")
    now, reason = now or timezone.now(), (reason or "").strip()
    account = KeyAccount.objects.select_for_update().select_related("tier").get(pk=account.pk)
    if not account.is_active:
        raise Conflict(_("This customer is not a key account any more."), code="not_key_account")
    new_manager = manager or account.manager
    new_backup = None if clear_backup else (backup or account.backup)
    errors: dict = {}
    _check_managers(new_manager, new_backup, errors)
    changes_tier = tier is not None and tier.pk != account.tier_id
    new_backup_id = new_backup.pk if new_backup else None
    changes_people = new_manager.pk != account.manager_id or new_backup_id != account.backup_id
    if (changes_tier or changes_people) and not reason:
        errors["reason"] = _("Say why the account changes.")
    if errors:
        raise ValidationFailed(fields=errors)
    if changes_tier:
        _event(
            account,
            actor=actor,
            kind=EventKind.TIER_CHANGED,
            reason=reason,
            at=now,
            detail=f"{account.tier.name} → {tier.name}",
        )
        account.tier = tier
    if changes_people:
        _event(
            account,
            actor=actor,
            kind=EventKind.MANAGER_CHANGED,
            reason=reason,
            at=now,
            detail=f"{new_manager} / {new_backup or '—'}",
        )
        before = (account.manager_id, account.backup_id)
        told = [u for u in (new_manager, new_backup) if u is not None and u.pk not in before]
        account.manager, account.backup = new_manager, new_backup
    if wallet_estimate is not None:
        account.wallet_estimate = wallet_estimate
    account._history_user = user_of(actor)
    account.save()
    if changes_people:
        _tell_new_managers(account, told, reason=reason, now=now)
    return account


def _tell_new_managers(account: KeyAccount, users: list, *, reason: str, now: dt.datetime) -> None:
    """A hand-over task for each person newly given the account (manager or backup), due in two days."""
    items = [
        {
            "subject": (
                _("Key account %(customer)s handed over to you: %(reason)s")
                % {"customer": account.customer.name, "reason": reason}
            )[:200],
            "due_at": now + dt.timedelta(days=2),
            "assignee": user,
            "customer_id": account.customer_id,
            "source": account,
            "source_url": f"/key-accounts/{account.pk}/",
        }
        for user in users
        if user.is_active
    ]
    if items:
        task_create_many(actor=SYSTEM, kind="hand_over", items=items)


# ---------------------------------------------------------------- people, competitors


def _strength(value, field: str, errors: dict) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if value not in Strength.values:
        errors[field] = _("Choose a value from 1 to 5.")
    return value


@transaction.atomic
def key_person_add(
    *,
    actor,
    account: KeyAccount,
    contact: Contact,
    role: str,
    influence: int = 3,
    relationship: int = 3,
    reports_to: KeyPerson | None = None,
    notes: str = "",
) -> KeyPerson:
    """Put a contact of the account's customer into its org chart (once per account)."""
    permissions.require(actor, "account", "write", allowed=permissions.may(actor, account, "write"))
    errors: dict = {}
    if contact.customer_id != account.customer_id:
        errors["contact"] = _("This person is not a contact of the account's customer.")
    if role not in PersonRole.values:
        errors["role"] = _("Choose a role from the list.")
    influence = _strength(influence, "influence", errors)
    relationship = _strength(relationship, "relationship", errors)
    if reports_to is not None and reports_to.account_id != account.pk:
        errors["reports_to"] = _("Choose someone in this account's org chart.")
    if errors:
        raise ValidationFailed(fields=errors)
    if KeyPerson.objects.filter(account=account, contact=contact).exists():
        raise ValidationFailed(
            _("This person is in the account's org chart already."),
            fields={"contact": _("This person is in the account's org chart already.")},
        )
    try:
        with transaction.atomic():
            person = KeyPerson(
                account=account,
                contact=contact,
                role=role,
                influence=influence,
                relationship=relationship,
                reports_to=reports_to,
                notes=(notes or "").strip()[:500],
            )
            person._history_user = user_of(actor)
            person.save()
    except IntegrityError as exc:  # a concurrent add of the same person
        raise ValidationFailed(fields={"contact": _("This person is in the account's org chart already.")}) from exc
    return person


@transaction.atomic
def key_person_remove(*, actor, person: KeyPerson) -> None:
    """Take a person out of the org chart; those reporting to them then report to nobody."""
    account = person.account
    permissions.require(actor, "account", "write", allowed=permissions.may(actor, account, "write"))
    person.delete()


def _money(value, field: str, errors: dict, *, low=Decimal("0"), high=None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if value < low or (high is not None and value > high) or not value.is_finite():
        errors[field] = _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high or "∞"}
        return None
    return value


@transaction.atomic
def competitor_save(*, actor, account: KeyAccount, name: str, share_of_wallet, products: str = "") -> Competitor:
    """Add or update a competitor at the account; the competitors' shares may not exceed 100 %."""
    permissions.require(actor, "account", "write", allowed=permissions.may(actor, account, "write"))
    name, errors = (name or "").strip()[:100], {}
    if not name:
        errors["name"] = _("Name the competitor.")
    share = _money(share_of_wallet, "share_of_wallet", errors, high=Decimal("100")) or Decimal("0")
    if errors:
        raise ValidationFailed(fields=errors)
    others = sum((c.share_of_wallet for c in account.competitors.exclude(name=name)), Decimal("0"))
    if others + share > 100:
        raise ValidationFailed(fields={"share_of_wallet": _("The competitors' shares add up to more than 100 %.")})
    competitor, _created = Competitor.objects.update_or_create(
        account=account, name=name, defaults={"share_of_wallet": share, "products": (products or "").strip()[:200]}
    )
    return competitor


# ---------------------------------------------------------------- plans


@transaction.atomic
def key_account_plan_save(*, actor, account: KeyAccount, year: int, data: dict) -> KeyAccountPlan:
    """Create or change the account's plan of `year`: the five steps' texts and the objectives
    (revenue, share of wallet, satisfaction, projects won). Fields not given keep their value."""
    permissions.require(actor, "account", "write", allowed=permissions.may(actor, account, "write"))
    errors: dict = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed(fields={"year": _("Enter a year from 2000 to 2100.")})
    plan = KeyAccountPlan.objects.select_for_update().filter(account=account, year=year).first() or KeyAccountPlan(
        account=account, year=year
    )
    for field in PLAN_TEXTS:
        if field in data:
            setattr(plan, field, (data[field] or "").strip()[:10000])
    limits = {"revenue_target": None, "share_target": Decimal("100"), "satisfaction_target": Decimal("100")}
    for field, high in limits.items():
        if field in data:
            setattr(plan, field, _money(data[field], field, errors, high=high))
    if "projects_target" in data:
        value = data["projects_target"]
        if value in (None, ""):
            plan.projects_target = None
        else:
            try:
                plan.projects_target = int(value)
                if not 0 <= plan.projects_target <= 1000:
                    raise ValueError
            except (TypeError, ValueError):
                errors["projects_target"] = _("Enter a number from 0 to 1000.")
    if errors:
        raise ValidationFailed(fields=errors)
    plan._history_user = user_of(actor)
    plan.save()
    return plan


# ---------------------------------------------------------------- care


def key_person_birthday_tasks(*, day: dt.date, actor=SYSTEM) -> int:
    """Care for key people: a care task for each active account's manager, due on the day, for every key
    person whose birthday is `day` (through the tasks app, as care's own tasks are). The system only."""
    people = KeyPerson.objects.filter(
        account__is_active=True, contact__birth_date__month=day.month, contact__birth_date__day=day.day
    ).select_related("contact", "account__manager", "account__customer")
    due = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    items = [
        {
            "subject": _("Birthday of %(name)s (%(customer)s)")
            % {"name": p.contact.name, "customer": p.account.customer.name},
            "due_at": due,
            "assignee": p.account.manager,
            "customer_id": p.account.customer_id,
        }
        for p in people
        if p.account.manager.is_active
    ]
    # Once per person and day however often it runs (a task delivered again after its worker died,
    # a rerun by hand): the day's birthday tasks already made are not made again.
    made = set(Task.objects.filter(kind="care", due_at=due).values_list("assignee_id", "customer_id", "subject"))
    items = [item for item in items if (item["assignee"].pk, item["customer_id"], item["subject"]) not in made]
    if items:
        task_create_many(actor=actor, kind="care", items=items)
    return len(items)


# ---------------------------------------------------------------- green channel (绿色通道)

MAX_STEPS = 20
MAX_DOCUMENTS = 10
DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
OWNER_ROLES = tuple(Role.values)


def _clean_steps(steps: list[dict]) -> list[dict]:
    """The template's steps checked: a name, an owner (a role or an active person), a limit of 1–999
    working hours or days and at most ten named documents each."""
    if not steps or len(steps) > MAX_STEPS:
        raise ValidationFailed(fields={"steps": _("A template has from 1 to 20 steps.")})
    cleaned, errors = [], {}
    for number, step in enumerate(steps, start=1):
        name = (step.get("name") or "").strip()[:100]
        role, user = (step.get("owner_role") or "").strip(), step.get("owner_user")
        documents = [d.strip()[:100] for d in step.get("required_documents") or [] if d and d.strip()]
        try:
            amount = int(step.get("limit_amount"))
        except (TypeError, ValueError):
            amount = 0
        unit = step.get("limit_unit") or LimitUnit.DAYS
        problems = []
        if not name:
            problems.append(_("name the step"))
        if user is None and role not in OWNER_ROLES:
            problems.append(_("choose an owner role or person"))
        if user is not None and not user.is_active:
            problems.append(_("the owner is not active"))
        if not 1 <= amount <= 999 or unit not in LimitUnit.values:
            problems.append(_("a time limit of 1 to 999 working hours or days"))
        if len(documents) > MAX_DOCUMENTS or len(set(documents)) != len(documents):
            problems.append(_("at most 10 documents, each named once"))
        if problems:
            errors[f"steps.{number}"] = _("Step %(number)s: %(problems)s.") % {
                "number": number,
                "problems": "；".join(str(p) for p in problems),
            }
        cleaned.append(
            {
                "name": name,
                "owner_role": "" if user is not None else role,
                "owner_user": user,
                "limit_amount": amount,
                "limit_unit": unit,
                "required_documents": documents,
            }
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


@transaction.atomic
def green_template_save(
    *,
    actor,
    name: str,
    steps: list[dict],
    template: GreenTemplate | None = None,
    calendar: BusinessCalendar | None = None,
    is_active: bool = True,
) -> GreenTemplate:
    """Create or change a green-channel template (administrators): its name, calendar and steps in
    order (replaced as a whole). Running processes keep the steps they were started with."""
    permissions.require(actor, "template", "configure")
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationFailed(fields={"name": _("Name the template.")})
    cleaned = _clean_steps(steps)
    clash = GreenTemplate.objects.filter(name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise ValidationFailed(fields={"name": _("Another template has this name.")})
    template = GreenTemplate.objects.select_for_update().get(pk=template.pk) if template else GreenTemplate()
    template.name, template.calendar, template.is_active = name, calendar, is_active
    template._history_user = user_of(actor)
    template.save()
    template.steps.all().delete()
    GreenTemplateStep.objects.bulk_create(
        GreenTemplateStep(template=template, position=i, **step) for i, step in enumerate(cleaned, start=1)
    )
    return template


def _calendar_of(template: GreenTemplate):
    return working_calendar(template.calendar) if template.calendar_id else default_calendar()


def _owner_for(step: GreenTemplateStep, account: KeyAccount) -> User:
    """A step's owner: its person; else the account's manager for the key-account manager role; else
    the first active user of the role (the account's manager when there is none)."""
    if step.owner_user_id and step.owner_user.is_active:
        return step.owner_user
    if step.owner_role and step.owner_role != Role.KEY_ACCOUNT_MANAGER:
        user = User.objects.filter(role=step.owner_role, is_active=True).order_by("pk").first()
        if user is not None:
            return user
    return account.manager


def _hand_over(step: GreenStep, account: KeyAccount, now: dt.datetime, calendar) -> None:
    """Make `step` the active one: due on the calendar, a hand-over task for its owner (the system's)."""
    try:
        step.due_at = step_due_at(calendar, now, step.limit_amount, step.limit_unit)
    except CalendarError as exc:
        raise Conflict(_("The template's calendar has no working time."), code="no_working_time") from exc
    step.status, step.started_at, step.is_late, step.escalated_at = StepStatus.ACTIVE, now, False, None
    process = step.process
    task = task_create_many(
        actor=SYSTEM,
        kind="hand_over",
        items=[
            {
                "subject": _("Green channel: %(step)s — %(customer)s")
                % {"step": step.name, "customer": account.customer.name},
                "due_at": step.due_at,
                "assignee": step.owner,
                "customer_id": account.customer_id,
                "source": process,
                "source_label": process.title[:200],
                "source_url": reverse("key_accounts:green_detail", args=[process.pk]),
            }
        ],
    )[0]
    step.task = task
    step.save()


def _close_task(step: GreenStep, outcome: str, *, cancel: bool = False) -> None:
    if step.task_id is None:
        return
    task = Task.objects.get(pk=step.task_id)
    if task.is_open:
        if cancel:
            task_cancel(actor=SYSTEM, task=task, reason=outcome)
        else:
            task_complete(actor=SYSTEM, task=task, outcome=outcome)


@transaction.atomic
def green_process_start(
    *,
    actor,
    account: KeyAccount,
    template: GreenTemplate,
    title: str = "",
    now: dt.datetime | None = None,
) -> GreenProcess:
    """Start a green-channel process for an active key account from a template in use: its steps are
    copied, the first becomes active with a hand-over task for its owner."""
    permissions.require(actor, "process", "write", allowed=permissions.may_on(actor, "process", account, "write"))
    now = now or timezone.now()
    if not account.is_active:
        raise Conflict(_("This customer is not a key account any more."), code="not_key_account")
    if not template.is_active:
        raise ValidationFailed(fields={"template": _("This template is not in use.")})
    template_steps = list(template.steps.select_related("owner_user").order_by("position"))
    if not template_steps:
        raise ValidationFailed(fields={"template": _("This template has no steps.")})
    title = (title or "").strip()[:200] or f"{account.customer.name} · {template.name}"
    process = GreenProcess.objects.create(
        account=account, template=template, title=title, started_at=now, started_by=user_of(actor)
    )
    steps = GreenStep.objects.bulk_create(
        GreenStep(
            process=process,
            position=t.position,
            name=t.name,
            owner=_owner_for(t, account),
            limit_amount=t.limit_amount,
            limit_unit=t.limit_unit,
            required_documents=list(t.required_documents),
        )
        for t in template_steps
    )
    _hand_over(steps[0], account, now, _calendar_of(template))
    return process


def _check_document(upload) -> None:
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(DOCUMENT_TYPES):
        raise ValidationFailed(fields={"file": _("allowed: %(values)s") % {"values": ", ".join(DOCUMENT_TYPES)}})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(fields={"file": _("at most 10 MB")})
    if not upload.size:
        raise ValidationFailed(fields={"file": _("The file is empty.")})


def _locked_step(actor, step: GreenStep) -> GreenStep:
    step = (
        GreenStep.objects.select_for_update(of=("self",))
        .select_related("process__account__customer", "owner")
        .get(pk=step.pk)
    )
    account = step.process.account
    permissions.require(actor, "process", "write", allowed=permissions.may_on(actor, "process", account, "write"))
    return step


@transaction.atomic
def green_document_upload(
    *, actor, step: GreenStep, name: str, upload, now: dt.datetime | None = None
) -> GreenDocument:
    """Attach a required document to the active step (stored under a random name, never served
    directly); a document of a step not in progress is refused."""
    step = _locked_step(actor, step)
    name = (name or "").strip()
    if step.status != StepStatus.ACTIVE:
        raise Conflict(_("Documents are uploaded to the step in progress."), code="step_not_active")
    if name not in step.required_documents:
        raise ValidationFailed(fields={"name": _("Choose one of the step's documents.")})
    if upload is None:
        raise ValidationFailed(fields={"file": _("Choose a file.")})
    _check_document(upload)
    return GreenDocument.objects.create(
        step=step,
        name=name,
        file=upload,
        original_name=original_name(upload),
        uploaded_by=user_of(actor),
        uploaded_at=now or timezone.now(),
    )


@transaction.atomic
def green_step_complete(*, actor, step: GreenStep, notes: str = "", now: dt.datetime | None = None) -> GreenStep:
    """Complete the process's step in progress (only that one: steps are taken in order) once its
    required documents are there; the next step's owner gets a hand-over task, the last step completes
    the process. Locks the process's steps."""
    step = _locked_step(actor, step)
    process = (
        GreenProcess.objects.select_for_update(of=("self",))
        .select_related("template__calendar")
        .get(pk=step.process_id)
    )
    now = now or timezone.now()
    if step.status == StepStatus.DONE:
        raise Conflict(_("This step is done already."), code="step_done")
    if step.status != StepStatus.ACTIVE:
        current = process.steps.filter(status=StepStatus.ACTIVE).first()
        raise Conflict(
            _("Steps are completed in order: “%(step)s” comes first.") % {"step": current.name if current else "—"},
            code="step_out_of_order",
        )
    present = set(step.documents.values_list("name", flat=True))
    missing = [d for d in step.required_documents if d not in present]
    if missing:
        raise ValidationFailed(
            _("Upload the required documents first: %(names)s.") % {"names": "、".join(missing)},
            fields={"documents": _("Upload the required documents first: %(names)s.") % {"names": "、".join(missing)}},
        )
    step.status, step.completed_at, step.completed_by = StepStatus.DONE, now, user_of(actor)
    step.notes = (notes or "").strip()[:5000]
    step.save()
    _close_task(step, step.notes)
    following = process.steps.select_related("owner").filter(position__gt=step.position).order_by("position").first()
    if following is None:
        process.status, process.finished_at = GreenStatus.DONE, now
        process.save(update_fields=["status", "finished_at", "updated_at"])
    else:
        _hand_over(following, process.account, now, _calendar_of(process.template))
    return step


@transaction.atomic
def green_step_reopen(*, actor, step: GreenStep, reason: str, now: dt.datetime | None = None) -> GreenStep:
    """Reopen the last completed step of a running process (with a reason): the step in progress goes
    back to waiting (its task cancelled), the reopened one gets a new hand-over task. Any other step is
    refused: reopening is in order too."""
    step = _locked_step(actor, step)
    process = (
        GreenProcess.objects.select_for_update(of=("self",))
        .select_related("template__calendar")
        .get(pk=step.process_id)
    )
    reason, now = (reason or "").strip()[:2000], now or timezone.now()
    if not reason:
        raise ValidationFailed(fields={"reason": _("Say why the step is reopened.")})
    if process.status != GreenStatus.RUNNING:
        raise Conflict(_("This process is completed: it cannot be reopened."), code="process_done")
    last_done = process.steps.filter(status=StepStatus.DONE).order_by("-position").first()
    if step.status != StepStatus.DONE or last_done is None or last_done.pk != step.pk:
        raise Conflict(
            _("Only the last completed step can be reopened, and only one step at a time."), code="step_out_of_order"
        )
    current = process.steps.select_related("owner").filter(status=StepStatus.ACTIVE).first()
    if current is not None:
        _close_task(current, reason, cancel=True)
        current.status, current.started_at, current.due_at, current.task = StepStatus.PENDING, None, None, None
        current.is_late, current.escalated_at = False, None
        current.save()
    step.completed_at, step.completed_by = None, None
    step.notes = _("Reopened: %(reason)s") % {"reason": reason}
    _hand_over(step, process.account, now, _calendar_of(process.template))
    return step


def _manager_of(owner: User) -> User | None:
    """Whom a late step escalates to: a sales manager (else a team lead) of the owner's team, else
    any active sales manager."""
    people = User.objects.filter(is_active=True).exclude(pk=owner.pk)
    if owner.team_id:
        for role in (Role.SALES_MANAGER, Role.TEAM_LEAD):
            found = people.filter(team_id=owner.team_id, role=role).order_by("pk").first()
            if found is not None:
                return found
    return people.filter(role=Role.SALES_MANAGER).order_by("pk").first()


@transaction.atomic
def green_steps_escalate(*, actor=SYSTEM, now: dt.datetime | None = None) -> int:
    """Mark steps in progress past their due time late (once) and tell each owner's manager with a
    task (the Celery beat's sweep). The system only. Returns how many steps were escalated."""
    permissions.require(actor, "process", "write", allowed=is_system(actor))
    now = now or timezone.now()
    late = list(
        GreenStep.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=StepStatus.ACTIVE, is_late=False, due_at__lt=now)
        .select_related("owner", "process__account__customer")
        .order_by("due_at")[:500]
    )
    items = []
    for step in late:
        step.is_late, step.escalated_at = True, now
        boss = _manager_of(step.owner)
        if boss is not None:
            items.append(
                {
                    "subject": _("Late green-channel step: %(step)s — %(customer)s (%(owner)s)")
                    % {"step": step.name, "customer": step.process.account.customer.name, "owner": step.owner},
                    "due_at": now + dt.timedelta(hours=4),
                    "assignee": boss,
                    "customer_id": step.process.account.customer_id,
                    "source": step.process,
                    "source_label": step.process.title[:200],
                    "source_url": reverse("key_accounts:green_detail", args=[step.process_id]),
                }
            )
    GreenStep.objects.bulk_update(late, ["is_late", "escalated_at"])
    if items:
        task_create_many(actor=SYSTEM, kind="follow_up", items=items)
    return len(late)


# ---------------------------------------------------------------- yellow channel (黄色通道)

VISIT_TASK_KINDS = {
    VisitKind.MANAGER_VISIT: "visit",
    VisitKind.CUSTOMER_VISIT: "meeting",
    VisitKind.FRIENDLY_SERVICE: "care",
}


@transaction.atomic
def visit_schedule(
    *,
    actor,
    account: KeyAccount,
    kind: str,
    scheduled_at: dt.datetime,
    subject: str = "",
    owner: User | None = None,
    now: dt.datetime | None = None,
) -> Visit:
    """Schedule a visit, a customer's visit to us or a friendly service of an active account, as a task
    of its owner (default: the account's manager); a time in the past is refused."""
    permissions.require(actor, "visit", "write", allowed=permissions.may_on(actor, "visit", account, "write"))
    now = now or timezone.now()
    errors: dict = {}
    if kind not in VisitKind.values:
        errors["kind"] = _("Choose a kind from the list.")
    if not isinstance(scheduled_at, dt.datetime) or timezone.is_naive(scheduled_at):
        errors["scheduled_at"] = _("a date and time with its time zone")
    elif scheduled_at < now:
        errors["scheduled_at"] = _("A visit cannot be scheduled in the past.")
    elif scheduled_at.year > now.year + 5:
        errors["scheduled_at"] = _("Schedule at most five years ahead.")
    owner = owner or account.manager
    if not owner.is_active:
        errors["owner"] = _("unknown or inactive user")
    if not account.is_active:
        errors["account"] = _("This customer is not a key account any more.")
    if errors:
        raise ValidationFailed(fields=errors)
    subject = (subject or "").strip()[:200] or f"{VisitKind(kind).label} · {account.customer.name}"
    visit = Visit.objects.create(account=account, kind=kind, subject=subject, owner=owner, scheduled_at=scheduled_at)
    visit.task = task_create_many(
        actor=SYSTEM,
        kind=VISIT_TASK_KINDS[kind],
        items=[
            {
                "subject": subject,
                "due_at": scheduled_at,
                "assignee": owner,
                "customer_id": account.customer_id,
                "source": visit,
                "source_url": reverse("key_accounts:visits_account", args=[account.pk]),
            }
        ],
    )[0]
    visit.save(update_fields=["task", "updated_at"])
    return visit


@transaction.atomic
def visit_record(*, actor, visit: Visit, outcome: str, now: dt.datetime | None = None) -> Visit:
    """Record what came of a planned visit (needed); its task is completed with it."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("account").get(pk=visit.pk)
    permissions.require(actor, "visit", "write", allowed=permissions.may_on(actor, "visit", visit.account, "write"))
    outcome = (outcome or "").strip()
    if visit.status != VisitStatus.PLANNED:
        raise Conflict(_("This visit is recorded or cancelled already."), code="visit_closed")
    if not outcome or len(outcome) > 5000:
        raise ValidationFailed(fields={"outcome": _("Say what came of it (at most 5000 characters).")})
    visit.status, visit.outcome, visit.done_at = VisitStatus.DONE, outcome, now or timezone.now()
    visit.save(update_fields=["status", "outcome", "done_at", "updated_at"])
    if visit.task_id:
        task = Task.objects.get(pk=visit.task_id)
        if task.is_open:
            task_complete(actor=SYSTEM, task=task, outcome=outcome)
    return visit


@transaction.atomic
def tier_cadence_set(*, actor, tier: KeyAccountTier, days: int) -> KeyAccountTier:
    """How often (in days) the manager visits an account of the tier (administrators)."""
    permissions.require(actor, "tier", "configure")
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise ValidationFailed(fields={"visit_cadence_days": _("Enter a number from 1 to 366.")})
    tier.visit_cadence_days = days
    tier.save(update_fields=["visit_cadence_days", "updated_at"])
    return tier


# ---------------------------------------------------------------- red channel (红色通道)


@transaction.atomic
def red_channel_rule_save(
    *,
    actor,
    name: str,
    team,
    standards: list,
    tier: KeyAccountTier | None = None,
    ticket_types: list[str] | None = None,
    priority: int = 3,
    is_active: bool = True,
    rule: RedChannelRule | None = None,
) -> RedChannelRule:
    """Create or change a red-channel rule: the accounts' (a tier's, or every tier's) faults and complaints
    go to `team` with at least `priority`, timed by `standards` (reserved for the red channel from then
    on). Administrators and service managers; audited; clears the router's cache once committed."""
    from guanxi.servicedesk.enums import TicketType

    permissions.require(actor, "red_rule", "configure")
    name, errors = (name or "").strip(), {}
    if len(name) > 100:
        errors["name"] = _("at most %(limit)s characters") % {"limit": 100}
    ticket_types = list(ticket_types or [TicketType.FAULT, TicketType.COMPLAINT])
    if not name:
        errors["name"] = _("Name the rule.")
    if team is None:
        errors["team"] = _("Choose the red-channel team.")
    if any(t not in TicketType.values for t in ticket_types):
        errors["ticket_types"] = _("Choose case types from the list.")
    if priority not in (1, 2, 3, 4):
        errors["priority"] = _("Choose a priority from 1 to 4.")
    if not standards:
        errors["standards"] = _("Choose the red channel's service standards.")
    elif len({s.metric for s in standards}) != len(standards):
        errors["standards"] = _("Choose one standard per metric.")
    elif not all(s.is_active for s in standards):
        errors["standards"] = _("Choose standards that are in use.")
    others = RedChannelRule.objects.filter(is_active=True, tier=tier).exclude(pk=getattr(rule, "pk", None))
    if is_active and others.exists():
        errors["tier"] = _("This tier has an active red-channel rule already.")
    if errors:
        raise ValidationFailed(fields=errors)
    rule = rule or RedChannelRule()
    rule.name, rule.team, rule.tier, rule.ticket_types = name, team, tier, ticket_types
    rule.priority, rule.is_active = priority, is_active
    rule._history_user = user_of(actor)
    rule.save()
    rule.standards.set(standards)
    rules_changed()
    standards_changed()
    return rule


@transaction.atomic
def red_channel_rule_deactivate(*, actor, rule: RedChannelRule) -> RedChannelRule:
    """Take a rule out of use (kept, audited; its standards are no longer reserved): the accounts' cases
    go the general way from then on. Locks the rule's row."""
    permissions.require(actor, "red_rule", "configure")
    rule = RedChannelRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_active:
        rule.is_active = False
        rule._history_user = user_of(actor)
        rule.save(update_fields=["is_active", "updated_at"])
        rules_changed()
        standards_changed()
    return rule
