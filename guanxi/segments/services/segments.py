"""Writes of rule segments by users, and of the description and tiered service of system segments
(the value run keeps the rest of them: services/recompute.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.access import user_of
from guanxi.accounts.models import Team
from guanxi.accounts.selectors import team_get
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer

from .. import permissions, rules
from ..enums import SegmentKind, ServiceLevel, ServiceMode
from ..models import Segment

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
            found = team_get(team_id=int(team)) if str(team).isdigit() else None
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
def segment_create(*, actor, data: dict) -> Segment:
    """A rule segment owned by `actor` (the roles that write segments); its members are counted at once."""
    permissions.require(actor, "segment", "write", message="Your role cannot create segments.")
    unknown = set(data) - set(RULE_FIELDS) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: "unknown field" for name in unknown})
    clean = _clean({"definition": {"match": "all", "rules": []}, **data}, partial=False)
    segment = Segment(kind=SegmentKind.RULE, owner=user_of(actor), **clean)
    _count(segment)
    segment.save()
    return segment


@transaction.atomic
def segment_update(*, actor, segment: Segment, data: dict) -> Segment:
    """Change a segment. A rule segment's owner (or an administrator) changes everything; on a
    system segment only the description and the tiered service can change."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    allowed = set(RULE_FIELDS) | set(SERVICE_FIELDS)
    if segment.is_system:
        permissions.require(actor, "segment", "configure", message="You cannot change this segment's service.")
        allowed = {"description", *SERVICE_FIELDS}
    else:
        permissions.require(actor, "segment", "write", allowed=permissions.can_edit_segment(actor, segment),
                            message="You cannot change this segment.")
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
def segment_delete(*, actor, segment: Segment) -> None:
    """Delete a rule segment (its history stays); system segments belong to the value run."""
    if segment.is_system:
        raise PermissionDenied("System segments cannot be deleted.")
    permissions.require(actor, "segment", "delete", allowed=permissions.can_delete_segment(actor, segment),
                        message="You cannot delete this segment.")
    segment.delete()
