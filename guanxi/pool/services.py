"""Writes of the pool: claim, release and assign records; configure rules and claim limits; the
recycling sweep that warns owners and returns neglected records. Every write checks its actor
against `permissions` first and is logged as a PoolEvent (the pool's audit trail).

A claim is one conditional UPDATE (`... WHERE owner IS NULL`): of two representatives claiming the
same record at once exactly one changes a row; the other is told it is gone. A person's claims are
serialised on their user row, so two claims at once cannot both slip under the limit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import DateField, DateTimeField, Exists, F, OuterRef, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.core.bulk import insert_from_query
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.versioning import bumped
from guanxi.customers.models import Customer
from guanxi.marketing.enums import OPEN_STATUSES
from guanxi.marketing.models import Lead
from guanxi.tasks.services import task_create_many

from . import permissions
from .calendar import nth_day_after
from .enums import DayKind, EventKind, HoldingHow, RecordKind, RuleKind, Tier
from .models import ClaimLimit, Holding, PoolEvent, PoolRule, PoolWarning
from .recycling import candidates, rule_cutoff
from .selectors import claim_limit_for, held_count

BATCH = 5_000
MAX_DAYS = 3650
RULE_FIELDS = ("name", "kind", "applies_to", "days", "day_kind", "warn_days", "tiers", "is_enabled")


def _record(customer: Customer | None, lead: Lead | None):
    if (customer is None) == (lead is None):
        raise ValidationFailed(_("Name one lead or one customer."))
    if customer is not None:
        return RecordKind.CUSTOMER, Customer.objects.filter(pk=customer.pk, deleted_at__isnull=True), \
            {"customer_id": customer.pk}
    return RecordKind.LEAD, Lead.objects.filter(pk=lead.pk, status__in=OPEN_STATUSES), {"lead_id": lead.pk}


def _log(kind: str, record_kind: str, ref: dict, *, actor, owner_id: int | None, at: dt.datetime,
         rule: PoolRule | None = None) -> PoolEvent:
    return PoolEvent.objects.create(kind=kind, record_kind=record_kind, owner_id=owner_id, actor=user_of(actor),
                                    rule=rule, rule_name=rule.name if rule else "", at=at, **ref)


def _take(actor, owner: User, kind: str, customer, lead, how: str, at) -> Holding:
    record_kind, rows, ref = _record(customer, lead)
    User.objects.select_for_update().filter(pk=owner.pk).first()  # one claim of a person at a time
    limit, held = claim_limit_for(owner), held_count(owner)
    if how == HoldingHow.CLAIM and held >= limit:
        raise Conflict(_("You already hold %(held)s records from the pool; the limit is %(limit)s.")
                       % {"held": held, "limit": limit}, code="claim_limit")
    if not rows.filter(owner__isnull=True).update(owner=owner, team=owner.team, **bumped(rows.model)):
        raise Conflict(_("This record is no longer in the pool: someone else has it."), code="not_in_pool")
    Holding.objects.filter(**ref).delete()
    PoolWarning.objects.filter(**ref).delete()
    holding = Holding.objects.create(record_kind=record_kind, owner=owner, how=how, since=at, **ref)
    _log(kind, record_kind, ref, actor=actor, owner_id=owner.pk, at=at)
    return holding


@transaction.atomic
def pool_claim(*, actor, customer: Customer | None = None, lead: Lead | None = None,
               at: dt.datetime | None = None) -> Holding:
    """Take an unowned lead or customer from the pool (领取), within one's claim limit (409 beyond
    it, with the limit; 409 when someone else got it first)."""
    permissions.require(actor, "pool", "write")
    if not permissions.may_hold(actor):
        raise PermissionDenied(_("Your role cannot hold pool records."))
    return _take(actor, actor, EventKind.CLAIM, customer, lead, HoldingHow.CLAIM, at or timezone.now())


@transaction.atomic
def pool_assign(*, actor, owner: User, customer: Customer | None = None, lead: Lead | None = None,
                at: dt.datetime | None = None) -> Holding:
    """Give an unowned record to a representative (分配); managers, within their team."""
    permissions.require(actor, "assignment", "write")
    if not permissions.may_hold(owner):
        raise ValidationFailed(fields={"owner": _("not an active member of the sales force")})
    if not permissions.may_assign_to(actor, owner):
        raise PermissionDenied(_("You can assign pool records only to people of your own team."))
    return _take(actor, owner, EventKind.ASSIGN, customer, lead, HoldingHow.ASSIGN, at or timezone.now())


@transaction.atomic
def pool_release(*, actor, customer: Customer | None = None, lead: Lead | None = None,
                 at: dt.datetime | None = None) -> None:
    """Put a record back into the pool (释放): its owner, or a manager for anyone's."""
    permissions.require(actor, "pool", "write")
    record_kind, rows, ref = _record(customer, lead)
    current = rows.select_for_update().values_list("owner_id", flat=True).first()
    if current is None:
        raise Conflict(_("This record is already in the pool."), code="in_pool")
    if not permissions.may_release(actor, current):
        raise PermissionDenied(_("Only the record's owner or a sales manager can release it."))
    rows.update(owner=None, **bumped(rows.model))
    Holding.objects.filter(**ref).delete()
    PoolWarning.objects.filter(**ref).delete()
    _log(EventKind.RELEASE, record_kind, ref, actor=actor, owner_id=current, at=at or timezone.now())


# ---------------------------------------------------------------- configuration


def _clean_rule(data: dict) -> dict:
    errors = {}
    clean = {k: data[k] for k in RULE_FIELDS if k in data}
    name = (clean.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("required, at most 100 characters")
    clean["name"] = name
    if clean.get("kind") not in RuleKind.values:
        errors["kind"] = _("one of: %(values)s") % {"values": ", ".join(RuleKind.values)}
    clean.setdefault("applies_to", RecordKind.CUSTOMER)
    if clean["applies_to"] not in RecordKind.values:
        errors["applies_to"] = _("lead or customer")
    elif clean["applies_to"] == RecordKind.LEAD and clean.get("kind") != RuleKind.NO_FOLLOW_UP:
        errors["applies_to"] = _("leads are recycled by the no-follow-up rule only")
    days = clean.get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = _("a whole number of days from 1 to 3650")
    clean.setdefault("day_kind", DayKind.CALENDAR)
    if clean["day_kind"] not in DayKind.values:
        errors["day_kind"] = _("calendar or working")
    warn = clean.setdefault("warn_days", 0)
    if not isinstance(warn, int) or warn < 0 or (isinstance(days, int) and warn >= days):
        errors["warn_days"] = _("0 or more, fewer than the rule's days")
    tiers = clean.setdefault("tiers", [])
    if not isinstance(tiers, list) or set(tiers) - set(Tier.values):
        errors["tiers"] = _("value tiers among: %(values)s") % {"values": ", ".join(Tier.values)}
    else:
        clean["tiers"] = [t for t in Tier.values if t in tiers]
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


@transaction.atomic
def rule_save(*, actor, data: dict, rule: PoolRule | None = None) -> PoolRule:
    """Create a recycling rule, or change one (the fields given replace its own)."""
    permissions.require(actor, "rule", "configure")
    if rule is not None:
        rule = PoolRule.objects.select_for_update().get(pk=rule.pk)
        data = {**{k: getattr(rule, k) for k in RULE_FIELDS}, **data}
    clean = _clean_rule(data)
    rule = rule or PoolRule()
    for key, value in clean.items():
        setattr(rule, key, value)
    rule.save()
    if not rule.is_enabled:
        PoolWarning.objects.filter(rule=rule).delete()
    return rule


@transaction.atomic
def claim_limit_set(*, actor, limit: int, role: str = "", user: User | None = None) -> ClaimLimit:
    """The claim limit of a role, or of one person (which overrides their role's)."""
    permissions.require(actor, "rule", "configure")
    if (not role) == (user is None) or (role and role not in Role.values):
        raise ValidationFailed(fields={"role": _("name one role or one person")})
    if not isinstance(limit, int) or not 0 <= limit <= 100_000:
        raise ValidationFailed(fields={"limit": _("a whole number from 0 to 100000")})
    if user is not None and not permissions.may_assign_to(actor, user):
        raise PermissionDenied(_("You can set personal claim limits only for people of your own team."))
    row, _created = ClaimLimit.objects.update_or_create(
        **({"user": user} if user else {"role": role}), defaults={"limit": limit})
    return row


@transaction.atomic
def claim_limit_delete(*, actor, limit: ClaimLimit) -> None:
    permissions.require(actor, "rule", "configure")
    limit.delete()


# ---------------------------------------------------------------- the sweep


def _ref(kind: str) -> str:
    return "lead_id" if kind == RecordKind.LEAD else "customer_id"


def _model(kind: str) -> type[Lead] | type[Customer]:
    return Lead if kind == RecordKind.LEAD else Customer


def _log_many(kind: str, rule: PoolRule, now: dt.datetime, ids: list[int]) -> int:
    """One event per record of `ids`, naming its owner as it stands (call before the owner changes)."""
    record_kind = rule.applies_to
    columns = {"kind": Value(kind), "record_kind": Value(record_kind), _ref(record_kind).removesuffix("_id"): F("pk"),
               "owner": F("owner_id"), "rule": Value(rule.pk), "rule_name": Value(rule.name),
               "at": Value(now, output_field=DateTimeField())}
    return insert_from_query(PoolEvent, _model(record_kind).objects.filter(pk__in=ids), columns)


def _return(rule: PoolRule, cutoff: dt.date, now: dt.datetime) -> int:
    """Every record the rule finds neglected back in the pool, logged: listed in id order by one
    query, then returned BATCH at a time, one transaction each (a crash leaves whole batches done;
    a rerun finds only the rest, no longer owned)."""
    due = candidates(rule, cutoff).order_by()
    returned = 0
    for ids in _batches(list(due.order_by("pk").values_list("pk", flat=True))):
        returned += _return_batch(rule, due.filter(pk__in=ids), now)
    return returned


@transaction.atomic
def _return_batch(rule: PoolRule, due, now: dt.datetime) -> int:
    """One batch: the rows still due locked (skipping those a claim or release holds), their owner
    cleared, their holdings and warnings dropped, a return event for each; five statements."""
    kind, ref = rule.applies_to, _ref(rule.applies_to)
    model = _model(kind)
    ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if not ids:
        return 0
    _log_many(EventKind.RETURN, rule, now, ids)
    model.objects.filter(pk__in=ids).update(owner=None, **bumped(model))
    Holding.objects.filter(**{f"{ref}__in": ids}).delete()
    PoolWarning.objects.filter(**{f"{ref}__in": ids}).delete()
    return len(ids)


def _warn(rule: PoolRule, today: dt.date, now: dt.datetime) -> list[tuple[int, str, int, dt.date, str]]:
    """Warnings for the records the rule will return within `warn_days`, once per stretch of
    neglect: a warning whose record was followed up since is dropped, so the next neglect warns
    again. Returns (owner, record kind, record id, due day, its name) for each warning written."""
    if not rule.warn_days:
        return
    kind, ref = rule.applies_to, _ref(rule.applies_to)
    model = _model(kind)
    due = candidates(rule, rule_cutoff(rule, today, ahead=rule.warn_days))
    warned = PoolWarning.objects.filter(rule=rule, record_kind=kind)
    warned.exclude(Exists(due.filter(pk=OuterRef(ref)))).delete()
    names = ("name",) if kind == RecordKind.CUSTOMER else ("person_name", "company_name")
    fresh = due.exclude(Exists(warned.filter(**{ref: OuterRef("pk")}))).order_by("pk").values_list(
        "pk", "owner_id", *names)
    due_on = nth_day_after(today, rule.warn_days, rule.day_kind)
    for named in _batches(list(fresh)):
        ids = [pk for pk, *_rest in named]
        insert_from_query(PoolWarning, model.objects.filter(pk__in=ids), {
            "rule": Value(rule.pk), "record_kind": Value(kind), ref.removesuffix("_id"): F("pk"),
            "owner": F("owner_id"), "sent_at": Value(now, output_field=DateTimeField()),
            "due_on": Value(due_on, output_field=DateField())})
        _log_many(EventKind.WARNING, rule, now, ids)
        yield from ((owner, kind, pk, due_on, _label(kind, names)) for pk, owner, *names in named)


def _batches(rows: list):
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _label(kind: str, names: list[str]) -> str:
    """How a warned record is named on its owner's task (a customer's name; a lead as it reads)."""
    if kind == RecordKind.CUSTOMER:
        return names[0]
    return str(Lead(person_name=names[0], company_name=names[1]))


def _tell_owners(warnings: list[tuple[int, str, int, dt.date, str]], now: dt.datetime) -> int:
    """One task per owner (through guanxi.tasks, which reminds them through the messaging backends):
    how many of their records return to the pool and when; written together, in one insert. A task
    about one record links to that customer or lead; one about several to the owner's holdings."""
    by_owner: dict[int, list[tuple[str, int, dt.date, str]]] = defaultdict(list)
    for owner_id, kind, pk, due_on, label in warnings:
        by_owner[owner_id].append((kind, pk, due_on, label))
    owners = User.objects.filter(pk__in=list(by_owner), is_active=True).order_by("pk")
    items = []
    for owner in owners:
        rows = by_owner[owner.pk]
        first = min(row[2] for row in rows)
        subject = ngettext("%(count)s record returns to the public pool from %(day)s unless followed up",
                           "%(count)s records return to the public pool from %(day)s unless followed up",
                           len(rows)) % {"count": len(rows), "day": first.isoformat()}
        due_at = timezone.make_aware(dt.datetime.combine(first, dt.time(9)), timezone.get_current_timezone())
        item = {"subject": subject[:200], "due_at": max(due_at, now), "assignee": owner}
        if len(rows) == 1:  # the record itself, named without another query
            kind, pk, _due_on, label = rows[0]
            is_customer = kind == RecordKind.CUSTOMER
            item.update(source=(Customer if is_customer else Lead)(pk=pk), source_label=label[:200],
                        source_url=reverse("customers:detail" if is_customer else "marketing:lead_detail", args=[pk]),
                        customer_id=pk if is_customer else None)
        else:
            item.update(source_label=str(_("My records in the public pool")), source_url=reverse("pool:mine"))
        items.append(item)
    task_create_many(actor=SYSTEM, kind="follow_up", items=items)
    return len(by_owner)


def pool_sweep(*, actor=SYSTEM, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every enabled rule: return what is due (owner → none, logged with the rule), then warn
    the owners of what falls due within the rule's warning days (once per record and cycle), all
    warnings and the owners' tasks in one transaction. Set-based: the number of statements grows
    with the rules and the batches, not with the records."""
    permissions.require(actor, "rule", "configure")
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = {"returned": 0, "warned": 0, "owners_told": 0}
    rules = list(PoolRule.objects.filter(is_enabled=True).order_by("id"))
    for rule in rules:
        result["returned"] += _return(rule, rule_cutoff(rule, today), now)
    with transaction.atomic():
        warnings = [row for rule in rules for row in _warn(rule, today, now)]
        result["warned"] = len(warnings)
        result["owners_told"] = _tell_owners(warnings, now) if warnings else 0
    return result
