"""Read the audit trail (django-simple-history) of a record as who/when/what-changed entries."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import models
from django.template.defaultfilters import yesno
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop

from .masking import mask_field

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
# Reasons the system records in English (message ids), read in the viewer's language.
SYSTEM_REASONS = frozenset({gettext_noop("demo data"), gettext_noop("deleted")})
REASON_PATTERNS = [(re.compile(r"import #(?P<job>\d+)"), gettext_noop("import #%(job)s"))]


@dataclass
class AuditEntry:
    when: object
    who: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def audit_trail(instance, *, masked_fields: frozenset[str] = frozenset(), limit: int = 100,
                readable: bool = True) -> list[AuditEntry]:
    """Newest first. Values of `masked_fields` are masked in both before and after. `readable`
    values read as people read them (choice labels, local time, names of linked records, yes/no);
    otherwise they are the stored values (the API's)."""
    history = instance.history.select_related("history_user").order_by("-history_date", "-history_id")
    records = list(history[: limit + 1])
    entries = []
    # Bulk-loaded records (bench, COPY imports) have no history rows at all.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        if len(entries) == limit:
            break
        entry = AuditEntry(
            when=newer.history_date,
            who=str(newer.history_user) if newer.history_user else (gettext("System") if readable else "system"),
            action=ACTIONS.get(newer.history_type, newer.history_type),
            reason=_reason(newer.history_change_reason or "") if readable else newer.history_change_reason or "",
        )
        if older is not None and newer.history_type == "~":
            for change in newer.diff_against(older, foreign_keys_are_objs=readable).changes:
                model_field = _field(instance, change.field)
                show = (lambda value, f=model_field: readable_value(f, value)) if readable else _show
                before, after = show(change.old), show(change.new)
                if change.field in masked_fields:
                    before, after = mask_field(change.field, before), mask_field(change.field, after)
                entry.changes.append((str(_verbose(instance, change.field)), before, after))
        entries.append(entry)
    return entries


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # many-to-many: list of through-row dicts
        return ", ".join(str(v) for row in value for k, v in row.items() if k not in ("id", "customer"))
    return str(value)


def _reason(reason: str) -> str:
    if reason in SYSTEM_REASONS:
        return gettext(reason)
    for pattern, template in REASON_PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return gettext(template) % match.groupdict()
    return reason


def _field(instance, name):
    try:
        return instance._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a removed field has no metadata
        return None


def readable_value(model_field, value) -> str:
    """A stored value as a person reads it: the choice's label, the local time to the minute, the
    linked record's name, yes or no."""
    if value is None or value == "" or model_field is None:
        return _show(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return yesno(value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "Y-m-d")
    return _show(value)


def _verbose(instance, name):
    try:
        return instance._meta.get_field(name).verbose_name
    except Exception:  # noqa: BLE001 - a removed field still shows by its name
        return name
