"""Read the audit trail (django-simple-history) of a record as who/when/what-changed entries."""

from dataclasses import dataclass, field

from .masking import mask_field

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}


@dataclass
class AuditEntry:
    when: object
    who: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def audit_trail(instance, *, masked_fields: frozenset[str] = frozenset(), limit: int = 100) -> list[AuditEntry]:
    """Newest first. Values of `masked_fields` are masked in both before and after."""
    history = instance.history.select_related("history_user").order_by("-history_date", "-history_id")
    records = list(history[: limit + 1])
    entries = []
    # Bulk-loaded records (bench, COPY imports) have no history rows at all.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        if len(entries) == limit:
            break
        entry = AuditEntry(
            when=newer.history_date,
            who=str(newer.history_user) if newer.history_user else "system",
            action=ACTIONS.get(newer.history_type, newer.history_type),
            reason=newer.history_change_reason or "",
        )
        if older is not None and newer.history_type == "~":
            for change in newer.diff_against(older).changes:
                before, after = _show(change.old), _show(change.new)
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


def _verbose(instance, name):
    try:
        return instance._meta.get_field(name).verbose_name
    except Exception:  # noqa: BLE001 - a removed field still shows by its name
        return name
