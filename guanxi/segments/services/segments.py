"""Writes of segments: rule segments by users, system segments by the value run, cached counts."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from simple_history.utils import update_change_reason

from guanxi.accounts.models import Team, User
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer

from .. import policy, rules
from ..clusters import describe
from ..enums import AbcClass, RfmSegment, SegmentKind, ServiceLevel, ServiceMode, ValueLevel
from ..models import Segment
from ..naming import system_segment_name

TEXT_LIMITS = {"name": 100, "description": 2000, "service_hours": 50, "service_content": 2000}
SERVICE_FIELDS = ("service_priority", "service_level", "service_team", "service_hours", "service_mode",
                  "service_content")
RULE_FIELDS = ("name", "description", "definition", "is_shared")


def _clean(data: dict, *, partial: bool) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    for name, limit in TEXT_LIMITS.items():
        if name not in data:
            continue
        value = str(data[name] or "").strip()
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            errors[name] = "contains control characters"
        elif name == "name" and ("<" in value or ">" in value):
            errors[name] = "must not contain < or > (markup)"
        elif len(value) > limit:
            errors[name] = f"at most {limit} characters"
        clean[name] = value
    if ("name" in clean or not partial) and not clean.get("name") and "name" not in errors:
        errors["name"] = "required"
    if "is_shared" in data:
        clean["is_shared"] = bool(data["is_shared"])
    if "service_priority" in data:
        value = data["service_priority"]
        if value in (None, ""):
            clean["service_priority"] = None
        elif isinstance(value, bool) or not str(value).isdigit() or not 1 <= int(value) <= 99:
            errors["service_priority"] = "a whole number from 1 to 99, or empty"
        else:
            clean["service_priority"] = int(value)
    for name, choices in (("service_level", ServiceLevel), ("service_mode", ServiceMode)):
        if name in data:
            value = data[name] or ""
            if value and value not in choices.values:
                errors[name] = f"one of: {', '.join(choices.values)}"
            clean[name] = value
    if "service_team" in data:
        team = data["service_team"]
        if team in (None, ""):
            clean["service_team"] = None
        elif isinstance(team, Team):
            clean["service_team"] = team
        else:
            found = Team.objects.filter(pk=team).first() if str(team).isdigit() else None
            if found is None:
                errors["service_team"] = "no such team"
            clean["service_team"] = found
    if "definition" in data:
        try:
            clean["definition"] = rules.validate(data["definition"])
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def _count(segment: Segment) -> None:
    segment.member_count = Customer.objects.alive().filter(rules.to_q(segment.definition)).count()
    segment.member_count_at = timezone.now()


@transaction.atomic
def segment_create(*, actor: User, data: dict) -> Segment:
    """A rule segment owned by `actor`; its members are counted at once."""
    if not policy.can_create_segments(actor):
        raise PermissionDenied("Your role cannot create segments.")
    unknown = set(data) - set(RULE_FIELDS) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: "unknown field" for name in unknown})
    clean = _clean({"definition": {"match": "all", "rules": []}, **data}, partial=False)
    segment = Segment(kind=SegmentKind.RULE, owner=actor, **clean)
    _count(segment)
    segment.save()
    return segment


@transaction.atomic
def segment_update(*, actor: User, segment: Segment, data: dict) -> Segment:
    """Change a segment. A rule segment's owner (or an administrator) changes everything; on a
    system segment only the description and the tiered service can change."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    allowed = set(RULE_FIELDS) | set(SERVICE_FIELDS)
    if segment.is_system:
        if not policy.can_edit_service_tier(actor, segment):
            raise PermissionDenied("You cannot change this segment's service.")
        allowed = {"description", *SERVICE_FIELDS}
    elif not policy.can_edit_segment(actor, segment):
        raise PermissionDenied("You cannot change this segment.")
    refused = set(data) - allowed
    if refused:
        raise ValidationFailed(fields={name: "cannot be changed on this segment" for name in refused})
    clean = _clean(data, partial=True)
    for name, value in clean.items():
        setattr(segment, name, value)
    if "definition" in clean:
        _count(segment)
    segment.save()
    return segment


@transaction.atomic
def segment_delete(*, actor: User, segment: Segment) -> None:
    """Delete a rule segment (its history stays); system segments belong to the value run."""
    if segment.is_system:
        raise PermissionDenied("System segments cannot be deleted.")
    if not policy.can_edit_segment(actor, segment):
        raise PermissionDenied("You cannot delete this segment.")
    segment.delete()


# ---------------------------------------------------------------- system segments and counts


def _condition(field: str, value) -> dict:
    return {"match": "all", "rules": [{"field": field, "op": "eq", "value": value}]}


def _system_names(clusters: list[dict]) -> dict[tuple[str, str], tuple[str, str, dict]]:
    """(kind, key) -> (name, description, definition) of every system segment of a run; names
    are stored in the default language (pages show them in the reader's, see naming.py)."""
    wanted = {}
    with translation.override(settings.LANGUAGE_CODE):
        for value in ValueLevel.values:
            wanted[(SegmentKind.PYRAMID, value)] = (system_segment_name(SegmentKind.PYRAMID, value), "",
                                                    _condition("value_level", value))
        for value in AbcClass.values:
            wanted[(SegmentKind.ABC, value)] = (system_segment_name(SegmentKind.ABC, value), "",
                                                _condition("abc_class", value))
        for value in RfmSegment.values:
            wanted[(SegmentKind.RFM, value)] = (system_segment_name(SegmentKind.RFM, value), "",
                                                _condition("rfm_segment", value))
        for cluster in clusters:
            key = str(cluster["id"])
            wanted[(SegmentKind.CLUSTER, key)] = (
                system_segment_name(SegmentKind.CLUSTER, key, traits=cluster["traits"]), describe(cluster["traits"]),
                _condition("cluster", cluster["id"]))
    return wanted


def segments_sync_system(*, clusters: list[dict], counts: dict[tuple[str, str], int]) -> None:
    """Create or update the system segments of a run (names in the default language) and their
    member counts; cluster segments of clusters that no longer exist are deleted. Call inside the
    run's transaction."""
    now = timezone.now()
    wanted = _system_names(clusters)
    existing = {(s.kind, s.system_key): s for s in Segment.objects.exclude(kind=SegmentKind.RULE)}
    for key, (name, description, definition) in wanted.items():
        segment = existing.pop(key, None)
        count = counts.get(key, 0)
        if segment is None:
            segment = Segment(kind=key[0], system_key=key[1], name=name[:100], is_shared=True,
                              description=description, definition=definition)
        elif (segment.name, segment.definition) != (name[:100], definition) or (
                key[0] == SegmentKind.CLUSTER and segment.description != description):
            segment.name, segment.definition = name[:100], definition
            if key[0] == SegmentKind.CLUSTER:
                segment.description = description
        else:
            Segment.objects.filter(pk=segment.pk).update(member_count=count, member_count_at=now)
            continue
        segment.member_count, segment.member_count_at = count, now
        segment.save()
        update_change_reason(segment, "value run")
    for segment in existing.values():
        if segment.kind == SegmentKind.CLUSTER:
            segment.delete()


def segment_counts_refresh(*, segments: list[Segment] | None = None) -> int:
    """Recount rule segments' members in one pass over the customers (one FILTER per segment)."""
    segments = list(segments if segments is not None else Segment.objects.filter(kind=SegmentKind.RULE))
    if not segments:
        return 0
    checks = {}
    for segment in segments:
        condition = rules.to_q(segment.definition)
        checks[f"s{segment.pk}"] = Count("pk", filter=condition) if condition else Count("pk")
    row = Customer.objects.alive().aggregate(**checks)
    now = timezone.now()
    for segment in segments:
        Segment.objects.filter(pk=segment.pk).update(member_count=row[f"s{segment.pk}"], member_count_at=now)
    return len(segments)
