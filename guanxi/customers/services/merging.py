"""Merging duplicate customers into one golden record, and undoing it (客户合并, 撤销合并).

A merge keeps every related record: each row of every module that points at the merged record
(found through the model metadata, so modules added later are covered without changes here) is
re-pointed at the survivor and its id recorded, so that an undo moves back exactly those rows.
The merged record stays, soft-deleted and pointing at its survivor.
"""

from __future__ import annotations

import datetime
import decimal
from enum import StrEnum

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.access import user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.versioning import bumped

from .. import normalize, permissions
from ..enums import ContactPointKind
from ..models import Address, ContactPoint, Customer, CustomerMerge, MatchCandidate, Tag
from ..relations import Relation, customer_relations, relation_by_label
from .customers import refresh_name_keys

SURVIVOR, MERGED = "survivor", "merged"
HISTORY_BATCH = 2_000


# ---------------------------------------------------------------- survivorship rules (data)


class Rule(StrEnum):
    PREFER_SURVIVOR = "prefer_survivor"  # the survivor's value, unless it is empty
    MOST_RECENT = "most_recent"  # the value of the record changed last, unless it is empty
    EARLIEST = "earliest"  # the earlier of the two (customer since)
    JOIN = "join"  # both texts, the survivor's first
    KEEP_SURVIVOR = "keep_survivor"  # always the survivor's


# Field → rule. Empty means None, "" or the field's default (ARPU 0, stage "prospect"): a value
# nobody filled in. Contact data has no verification flag yet, so the most recently updated
# record wins for it; the losing phone and e-mail are kept as contact points of the survivor.
SURVIVORSHIP_RULES: dict[str, Rule] = {
    "code": Rule.KEEP_SURVIVOR,
    "kind": Rule.PREFER_SURVIVOR,
    "name": Rule.PREFER_SURVIVOR,
    "gender": Rule.PREFER_SURVIVOR,
    "birth_date": Rule.PREFER_SURVIVOR,
    "id_type": Rule.PREFER_SURVIVOR,
    "id_number": Rule.PREFER_SURVIVOR,
    "mobile": Rule.MOST_RECENT,
    "email": Rule.MOST_RECENT,
    "occupation": Rule.PREFER_SURVIVOR,
    "industry": Rule.PREFER_SURVIVOR,
    "legal_representative": Rule.PREFER_SURVIVOR,
    "employee_count": Rule.PREFER_SURVIVOR,
    "annual_revenue": Rule.PREFER_SURVIVOR,
    "website": Rule.MOST_RECENT,
    "brand": Rule.PREFER_SURVIVOR,
    "arpu": Rule.PREFER_SURVIVOR,
    "lifecycle_stage": Rule.PREFER_SURVIVOR,
    "source": Rule.PREFER_SURVIVOR,
    "owner": Rule.PREFER_SURVIVOR,
    "team": Rule.PREFER_SURVIVOR,
    "billing_account": Rule.PREFER_SURVIVOR,
    "billing_cycle_day": Rule.PREFER_SURVIVOR,
    "payment_method": Rule.PREFER_SURVIVOR,
    "bank_account": Rule.PREFER_SURVIVOR,
    "balance": Rule.PREFER_SURVIVOR,
    "invoice_title": Rule.PREFER_SURVIVOR,
    "tax_number": Rule.PREFER_SURVIVOR,
    "credit_level": Rule.PREFER_SURVIVOR,
    "credit_limit": Rule.PREFER_SURVIVOR,
    "overdue_count": Rule.PREFER_SURVIVOR,
    "notes": Rule.JOIN,
    "created_at": Rule.EARLIEST,
}
# Fields a user may take from either record (the customer number always stays the survivor's).
CHOOSABLE_FIELDS = tuple(f for f, rule in SURVIVORSHIP_RULES.items() if rule is not Rule.KEEP_SURVIVOR)
# Fields kept in the snapshots and restored by an undo (updated_at is the time of the undo itself).
SNAPSHOT_FIELDS = (*SURVIVORSHIP_RULES, "name_pinyin", "name_initials", "deleted_at", "merged_into")
MAX_NOTES = 20_000


def is_empty(field: str, value) -> bool:
    if value is None or value == "":
        return True
    default = Customer._meta.get_field(field).default
    return default is not models.NOT_PROVIDED and not callable(default) and value == default


def survive(rule: Rule, *, field: str, survivor_value, merged_value, merged_is_newer: bool = False):
    """The golden value of one field and where it came from: "survivor", "merged" or "both"."""
    survivor_empty, merged_empty = is_empty(field, survivor_value), is_empty(field, merged_value)
    if rule is Rule.KEEP_SURVIVOR or merged_empty or survivor_value == merged_value:
        return survivor_value, SURVIVOR
    if survivor_empty:
        return merged_value, MERGED
    if rule is Rule.MOST_RECENT:
        return (merged_value, MERGED) if merged_is_newer else (survivor_value, SURVIVOR)
    if rule is Rule.EARLIEST:
        return (merged_value, MERGED) if merged_value < survivor_value else (survivor_value, SURVIVOR)
    if rule is Rule.JOIN:
        if str(merged_value).strip() in str(survivor_value):
            return survivor_value, SURVIVOR
        return f"{survivor_value}\n\n{merged_value}"[:MAX_NOTES], "both"
    return survivor_value, SURVIVOR


def _attname(field: str) -> str:
    return Customer._meta.get_field(field).attname


def golden_record(survivor: Customer, merged: Customer, field_choices: dict | None = None) -> tuple[dict, dict]:
    """The surviving value of every field (by attname) and its source, by the rules above unless
    `field_choices` names the record a field comes from."""
    choices = field_choices or {}
    merged_is_newer = merged.updated_at is not None and survivor.updated_at is not None and (
        merged.updated_at > survivor.updated_at)
    values, sources = {}, {}
    for field, rule in SURVIVORSHIP_RULES.items():
        attname = _attname(field)
        mine, theirs = getattr(survivor, attname), getattr(merged, attname)
        if field in choices:
            value, source = (mine, SURVIVOR) if choices[field] == SURVIVOR else (theirs, MERGED)
            if source == MERGED and field == "created_at" and theirs is None:
                value, source = mine, SURVIVOR
        else:
            value, source = survive(rule, field=field, survivor_value=mine, merged_value=theirs,
                                    merged_is_newer=merged_is_newer)
        values[attname], sources[field] = value, source
    return values, sources


def _clean_choices(field_choices: dict | None) -> dict:
    if not field_choices:
        return {}
    if not isinstance(field_choices, dict):
        raise ValidationFailed(fields={"field_choices": "an object of field: survivor|merged"})
    errors = {}
    for field, source in field_choices.items():
        if field not in CHOOSABLE_FIELDS:
            errors[f"field_choices.{field}"] = "not a field that can be chosen"
        elif source not in (SURVIVOR, MERGED):
            errors[f"field_choices.{field}"] = "survivor or merged"
    if errors:
        raise ValidationFailed("Some field choices are not valid.", fields=errors)
    return dict(field_choices)


# ---------------------------------------------------------------- snapshots


def _to_json(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _snapshot(customer: Customer) -> dict:
    data = {_attname(f): _to_json(getattr(customer, _attname(f))) for f in SNAPSHOT_FIELDS}
    data["tags"] = sorted(customer.tags.values_list("pk", flat=True))
    return data


def _from_json(attname: str, value):
    field = next(f for f in Customer._meta.concrete_fields if f.attname == attname)
    if value is None:
        return None
    if field.is_relation:
        return field.target_field.to_python(value)
    return field.to_python(value)


# ---------------------------------------------------------------- related rows


def _unique_sets(relation: Relation) -> list[tuple[tuple[str, ...], Q | None]]:
    """The unique constraints a moved row could break: sets of field names with their condition."""
    meta, name = relation.model._meta, relation.field.name
    sets: list[tuple[tuple[str, ...], Q | None]] = []
    if relation.field.unique:
        sets.append(((name,), None))
    sets += [(tuple(t), None) for t in meta.unique_together if name in t]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and name in constraint.fields:
            sets.append((tuple(constraint.fields), constraint.condition))
    return sets


def _conflicts(relation: Relation, row, target: Customer, sets) -> bool:
    model, attname = relation.model, relation.field.attname
    for fields, condition in sets:
        if condition is not None and not model._base_manager.filter(condition, pk=row.pk).exists():
            continue
        lookup = {attname: relation.key(target)}
        for field in fields:
            if field != relation.field.name:
                other = model._meta.get_field(field).attname
                lookup[other] = getattr(row, other)
        clash = model._base_manager.filter(**lookup).exclude(pk=row.pk)
        if condition is not None:
            clash = clash.filter(condition)
        if clash.exists():
            return True
    return False


def _move_rows(relation: Relation, *, source: Customer, target: Customer, only_ids=None) -> tuple[list, list]:
    """Re-point the rows of one relation from `source` to `target` (only `only_ids` when given).
    Rows that would break a unique constraint stay. Returns (moved ids, kept ids)."""
    qs = relation.rows(source)
    if only_ids is not None:
        qs = qs.filter(pk__in=only_ids)
    attname = relation.field.attname
    if relation.field.primary_key:
        # A row keyed by the customer (a computed snapshot) is rebuilt by its own job.
        return [], [_to_json(pk) for pk in qs.values_list("pk", flat=True)]
    sets = _unique_sets(relation)
    if not sets:
        ids = [_to_json(pk) for pk in qs.order_by("pk").values_list("pk", flat=True)]
        if ids:
            relation.model._base_manager.filter(pk__in=ids).update(**{attname: relation.key(target)},
                                                                    **bumped(relation.model))
        return ids, []
    moved, kept = [], []
    for row in qs.order_by("pk"):
        if _conflicts(relation, row, target, sets):
            kept.append(_to_json(row.pk))
        else:
            relation.model._base_manager.filter(pk=row.pk).update(**{attname: relation.key(target)},
                                                                   **bumped(relation.model))
            moved.append(_to_json(row.pk))
    return moved, kept


def _record_history(model, ids: list, *, user: User | None, reason: str) -> None:
    """An audit row for each moved row of a model that keeps history (simple-history)."""
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    if not manager_name or not ids:
        return
    history = getattr(model, manager_name)
    for start in range(0, len(ids), HISTORY_BATCH):
        rows = list(model._base_manager.filter(pk__in=ids[start:start + HISTORY_BATCH]))
        history.bulk_history_create(rows, update=True, default_user=user, default_change_reason=reason[:100])


# ---------------------------------------------------------------- merge


def _site_language():
    """Audit reasons and labels are stored in the site language (the UI shows them as written)."""
    return translation.override(settings.LANGUAGE_CODE)


def _lock_pair(first_id: int, second_id: int) -> dict[int, Customer]:
    # Lower id first, so that two merges of the same pair cannot deadlock.
    return {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first_id, second_id]).order_by("pk")}


def _check_mergeable(customer: Customer, role: str) -> None:
    if customer.merged_into_id is not None:
        raise Conflict(_("Customer %(code)s has already been merged into another customer.") % {
            "code": customer.code},
                       code="already_merged", fields={role: "already merged"})
    if customer.deleted_at is not None:
        raise Conflict(_("Customer %(code)s has been deleted.") % {
            "code": customer.code}, code="deleted", fields={role: "deleted"})


def _own_candidate(*, survivor: Customer, merged: Customer, candidate: MatchCandidate | None) -> MatchCandidate | None:
    left, right = sorted((survivor.pk, merged.pk))
    if candidate is not None:
        candidate = MatchCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
        if candidate is None:
            raise NotFound("Duplicate pair not found.")
        if (candidate.left_id, candidate.right_id) != (left, right):
            raise ValidationFailed("The duplicate pair is not these two customers.",
                                   fields={"candidate_id": "not this pair"})
        if candidate.status != MatchCandidate.Status.PENDING:
            raise Conflict("This duplicate pair has already been decided.", code="candidate_decided")
        return candidate
    return (MatchCandidate.objects.select_for_update()
            .filter(left_id=left, right_id=right, status=MatchCandidate.Status.PENDING).first())


def _decide(candidate: MatchCandidate, status: str, *, user: User | None, reason: str, now) -> None:
    candidate.status = status
    candidate.decided_by = user
    candidate.decided_at = now
    candidate._history_user = user
    candidate._change_reason = reason
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


def _repoint_candidates(*, survivor: Customer, merged: Customer, own: MatchCandidate | None, user, reason, now) -> dict:
    """Pending pairs of the merged record become pairs of the survivor (the evidence still holds
    for the golden record); a pair the survivor already has with the same customer is retired."""
    record = {"decided": [own.pk] if own else [], "repointed": [], "dismissed": []}
    others = (MatchCandidate.objects.select_for_update()
              .filter(Q(left=merged) | Q(right=merged), status=MatchCandidate.Status.PENDING).order_by("pk"))
    if own is not None:
        others = others.exclude(pk=own.pk)
    for candidate in others:
        other_id = candidate.right_id if candidate.left_id == merged.pk else candidate.left_id
        left, right = sorted((survivor.pk, other_id))
        if other_id == survivor.pk or MatchCandidate.objects.filter(left_id=left, right_id=right).exists():
            _decide(candidate, MatchCandidate.Status.DISMISSED, user=user, reason=reason, now=now)
            record["dismissed"].append(candidate.pk)
            continue
        record["repointed"].append([candidate.pk, candidate.left_id, candidate.right_id])
        candidate.left_id, candidate.right_id = left, right
        candidate._history_user = user
        candidate._change_reason = reason
        candidate.save(update_fields=["left", "right", "updated_at"])
    return record


def _keep_contact_values(*, survivor: Customer, values: list[tuple[str, str]], label: str, user) -> list[int]:
    """Phones and e-mails that did not survive as the main ones become contact points of the
    survivor, so that nothing is lost and search by them still finds the golden record."""
    added = []
    for kind, value in values:
        normalized = (normalize.phone_normalize(value) if kind == ContactPointKind.MOBILE
                      else normalize.email_normalize(value)) or value
        if ContactPoint.objects.filter(customer=survivor, normalized=normalized).exists():
            continue
        point = ContactPoint(customer=survivor, kind=kind, value=value, normalized=normalized, label=label[:30])
        point._history_user = user
        point.save()
        added.append(point.pk)
    return added


@transaction.atomic
def _one_default_address(*, survivor: Customer, merged: Customer, user: User | None, reason: str) -> list[int]:
    """A customer has one default address: when both have one, the survivor's stays the default
    and the merged record's becomes an ordinary address (its id is returned, for the undo)."""
    if not Address.objects.filter(customer=survivor, is_default=True).exists():
        return []
    ids = list(Address.objects.filter(customer=merged, is_default=True).values_list("pk", flat=True))
    if ids:
        Address.objects.filter(pk__in=ids).update(is_default=False, updated_at=timezone.now())
        _record_history(Address, ids, user=user, reason=reason)
    return ids


def _restore_default_address(merged: Customer, ids: list[int], *, user: User | None, reason: str) -> None:
    """The merged record's default address, back on it after an undo, is its default again
    (unless it has been given another default since)."""
    if not ids or Address.objects.filter(customer=merged, is_default=True).exists():
        return
    restored = list(Address.objects.filter(pk__in=ids[:1], customer=merged).values_list("pk", flat=True))
    if restored:
        Address.objects.filter(pk__in=restored).update(is_default=True, updated_at=timezone.now())
        _record_history(Address, restored, user=user, reason=reason)


@transaction.atomic
def customer_merge(*, survivor: Customer, merged: Customer, actor,
                   candidate: MatchCandidate | None = None, field_choices: dict | None = None) -> CustomerMerge:
    """Merge `merged` into `survivor`: the survivor takes the golden values (survivorship rules,
    `field_choices` {field: "survivor"|"merged"} overriding them) and the union of the tags; every
    related row of every module is re-pointed to it; the merged record is soft-deleted with
    `merged_into` set; the duplicate pair is marked merged and the merged record's other pending
    pairs move to the survivor. Locks both customers (lower id first). `actor` needs merge scope over
    both customers (`SYSTEM` for a scan's auto-merge run by the CLI)."""
    if survivor.pk == merged.pk:
        raise ValidationFailed("A customer cannot be merged into itself.", code="merge_self",
                               fields={"merged_id": "same as the survivor"})
    locked = _lock_pair(survivor.pk, merged.pk)
    if survivor.pk not in locked or merged.pk not in locked:
        raise NotFound("Customer not found.")
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    permissions.require_merge(actor, (survivor, merged))
    user = user_of(actor)  # who is recorded: None for the system
    _check_mergeable(survivor, "survivor_id")
    _check_mergeable(merged, "merged_id")
    choices = _clean_choices(field_choices)
    own = _own_candidate(survivor=survivor, merged=merged, candidate=candidate)
    now = timezone.now()

    survivor_before, merged_before = _snapshot(survivor), _snapshot(merged)
    values, sources = golden_record(survivor, merged, choices)
    with _site_language():
        into_reason = (_("Merged %(code)s into this record") % {"code": merged.code})[:100]
        away_reason = (_("Merged into %(code)s") % {"code": survivor.code})[:100]
        point_label = (_("from %(code)s") % {"code": merged.code})[:30]

    undefaulted = _one_default_address(survivor=survivor, merged=merged, user=user, reason=into_reason)
    moved, kept = {}, {}
    for relation in customer_relations():
        ids, left_behind = _move_rows(relation, source=merged, target=survivor)
        if ids:
            moved[relation.label] = ids
            _record_history(relation.model, ids, user=user, reason=into_reason)
        if left_behind:
            kept[relation.label] = left_behind

    for attname, value in values.items():
        setattr(survivor, attname, value)
    refresh_name_keys(survivor)
    survivor._history_user = user
    survivor._change_reason = into_reason
    survivor.save()
    survivor_tags = set(survivor_before["tags"])
    new_tags = [t for t in merged_before["tags"] if t not in survivor_tags]
    if new_tags:
        survivor.tags.add(*Tag.objects.filter(pk__in=new_tags))

    lost = []
    for field, kind in (("mobile", ContactPointKind.MOBILE), ("email", ContactPointKind.EMAIL)):
        for value in (survivor_before[field], merged_before[field]):
            if value and value != values[field] and (kind, value) not in lost:
                lost.append((kind, value))
    added_points = _keep_contact_values(survivor=survivor, values=lost, user=user, label=point_label)

    merged.merged_into = survivor
    merged.deleted_at = now
    merged._history_user = user
    merged._change_reason = away_reason
    merged.save(update_fields=["merged_into", "deleted_at", "updated_at"])

    if own is not None:
        _decide(own, MatchCandidate.Status.MERGED, user=user, reason=into_reason, now=now)
    candidates = _repoint_candidates(survivor=survivor, merged=merged, own=own, user=user, reason=away_reason, now=now)

    survivor_after = _snapshot(survivor)
    return CustomerMerge.objects.create(
        survivor=survivor, merged=merged, candidate=own, merged_by=user, merged_at=now,
        survivor_before=survivor_before, survivor_after=survivor_after, merged_before=merged_before,
        moved=moved, kept=kept, candidates=candidates,
        added={"customers.contactpoint": added_points, "tags": new_tags, "undefaulted_addresses": undefaulted},
        field_choices={"chosen": choices, "sources": sources},
    )


# ---------------------------------------------------------------- undo


def _active_merge_of(customer: Customer) -> CustomerMerge:
    merge = CustomerMerge.objects.filter(merged=customer, undone_at__isnull=True).order_by("-merged_at").first()
    if merge is None:
        raise Conflict(_("Customer %(code)s is not merged into another customer.") % {
            "code": customer.code}, code="not_merged")
    return merge


def _restore_survivor(survivor: Customer, merge: CustomerMerge) -> None:
    """Fields still holding the value the merge wrote go back to their value before it; fields
    changed since (by a user or a later merge) keep their current value."""
    for attname, before in merge.survivor_before.items():
        if attname == "tags" or attname not in merge.survivor_after:
            continue
        if getattr(survivor, attname) == _from_json(attname, merge.survivor_after[attname]):
            setattr(survivor, attname, _from_json(attname, before))


def _restore_candidates(merge: CustomerMerge, *, user, reason) -> None:
    record = merge.candidates or {}
    reopen = list(record.get("decided", [])) + list(record.get("dismissed", []))
    for candidate in MatchCandidate.objects.select_for_update().filter(pk__in=reopen).order_by("pk"):
        if candidate.status == MatchCandidate.Status.PENDING:
            continue
        candidate.status, candidate.decided_by, candidate.decided_at = MatchCandidate.Status.PENDING, None, None
        candidate._history_user, candidate._change_reason = user, reason
        candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    for pk, left, right in record.get("repointed", []):
        candidate = MatchCandidate.objects.select_for_update().filter(pk=pk).first()
        if candidate is None or candidate.status != MatchCandidate.Status.PENDING:
            continue
        if MatchCandidate.objects.filter(left_id=left, right_id=right).exclude(pk=pk).exists():
            continue
        candidate.left_id, candidate.right_id = left, right
        candidate._history_user, candidate._change_reason = user, reason
        candidate.save(update_fields=["left", "right", "updated_at"])


@transaction.atomic
def customer_unmerge(*, merge: CustomerMerge | Customer, actor) -> CustomerMerge:
    """Undo a merge (given as the merge, or as the merged customer): exactly the rows it moved go
    back to the merged record (rows added to the survivor since stay on it), both records get
    their fields back (see _restore_survivor for fields edited since), the contact points it added
    are removed, and its duplicate pairs return to the queue. Refused when already undone, and
    when the survivor has since been merged into another record (undo that merge first). Locks the
    merge row, then both customers (lower id first)."""
    if isinstance(merge, Customer):
        merge = _active_merge_of(merge)
    merge = CustomerMerge.objects.select_for_update().filter(pk=merge.pk).first()
    if merge is None:
        raise NotFound("Merge not found.")
    if merge.undone_at is not None:
        raise Conflict("This merge has already been undone.", code="already_undone")
    locked = _lock_pair(merge.survivor_id, merge.merged_id)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    permissions.require_merge(actor, (survivor, merged))
    user = user_of(actor)  # who is recorded: None for the system
    if survivor.merged_into_id is not None:
        later = Customer.objects.filter(pk=survivor.merged_into_id).values_list("code", flat=True).first()
        raise Conflict(_("Customer %(code)s has since been merged into %(later)s; undo that merge first.") % {
            "code": survivor.code, "later": later},
                       code="merge_depends")
    if merged.merged_into_id != survivor.pk:
        raise Conflict(_("Customer %(code)s is no longer merged into %(code2)s.") % {
            "code": merged.code, "code2": survivor.code}, code="not_merged")

    with _site_language():
        back_reason = (_("Merge into %(code)s undone") % {"code": survivor.code})[:100]
        out_reason = (_("Merge of %(code)s undone") % {"code": merged.code})[:100]
    for label, ids in (merge.moved or {}).items():
        relation = relation_by_label(label)
        if relation is None:
            continue
        moved_back, _kept = _move_rows(relation, source=survivor, target=merged, only_ids=ids)
        _record_history(relation.model, moved_back, user=user, reason=back_reason)
    _restore_default_address(merged, (merge.added or {}).get("undefaulted_addresses", []), user=user,
                             reason=back_reason)

    for point in ContactPoint.objects.filter(pk__in=(merge.added or {}).get("customers.contactpoint", []),
                                             customer=survivor):
        point._history_user = user
        point.delete()
    added_tags = (merge.added or {}).get("tags", [])
    if added_tags:
        survivor.tags.remove(*Tag.objects.filter(pk__in=added_tags))

    _restore_survivor(survivor, merge)
    refresh_name_keys(survivor)
    survivor._history_user = user
    survivor._change_reason = out_reason
    survivor.save()

    for attname, value in merge.merged_before.items():
        if attname != "tags":
            setattr(merged, attname, _from_json(attname, value))
    refresh_name_keys(merged)
    merged._history_user = user
    merged._change_reason = back_reason
    merged.save()

    _restore_candidates(merge, user=user, reason=out_reason)
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


# ---------------------------------------------------------------- review queue


@transaction.atomic
def match_candidate_dismiss(*, candidate: MatchCandidate, actor) -> MatchCandidate:
    """Mark a pending pair "not a duplicate"; a later scan leaves it dismissed. Needs the same
    rights as merging the two customers. Locks the pair."""
    candidate = MatchCandidate.objects.select_for_update().select_related("left", "right").filter(
        pk=candidate.pk).first()
    if candidate is None:
        raise NotFound("Duplicate pair not found.")
    permissions.require_merge(actor, (candidate.left, candidate.right))
    user = user_of(actor)  # who is recorded: None for the system
    if candidate.status != MatchCandidate.Status.PENDING:
        raise Conflict("This duplicate pair has already been decided.", code="candidate_decided")
    with _site_language():
        reason = _("Not a duplicate")
    _decide(candidate, MatchCandidate.Status.DISMISSED, user=user, reason=reason, now=timezone.now())
    return candidate
