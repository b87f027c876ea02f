"""Writes of key accounts: designation (with a reason; an override reason when the customer fails
the criteria), de-designation, tier and manager changes — each written to the history — the
account's people in its org chart, its competitors and its yearly plan. Every service checks its
actor against `permissions` and runs in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.models import Contact, Customer
from guanxi.servicedesk.services.clocks import standards_changed
from guanxi.tasks.services import task_create_many

from . import permissions
from .enums import EventKind, PersonRole, Strength
from .models import (
    Competitor,
    KeyAccount,
    KeyAccountEvent,
    KeyAccountPlan,
    KeyAccountTier,
    KeyPerson,
    RedChannelRule,
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
    if items:
        task_create_many(actor=actor, kind="care", items=items)
    return len(items)


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
    on). Administrators only; clears the router's cache once committed."""
    from guanxi.servicedesk.enums import TicketType

    permissions.require(actor, "tier", "configure")
    name, errors = (name or "").strip()[:100], {}
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
    others = RedChannelRule.objects.filter(is_active=True, tier=tier).exclude(pk=getattr(rule, "pk", None))
    if is_active and others.exists():
        errors["tier"] = _("This tier has an active red-channel rule already.")
    if errors:
        raise ValidationFailed(fields=errors)
    rule = rule or RedChannelRule()
    rule.name, rule.team, rule.tier, rule.ticket_types = name, team, tier, ticket_types
    rule.priority, rule.is_active = priority, is_active
    rule.save()
    rule.standards.set(standards)
    rules_changed()
    standards_changed()
    return rule
