"""The segment builder's form ↔ a filter definition.

The page shows groups of rows: each group matches all or any of its rows, and the groups are
combined with the top-level all/any. Inputs are named `match`, `g<group>-match` and
`g<group>-r<row>-field|op|value|value2`, where group and row are tokens (new rows get random
ones), so rows can be added and removed in the browser; the order of the form is kept.
"""

from __future__ import annotations

import re
import uuid

from . import rules

ROW = re.compile(r"^g(?P<group>\w+?)-r(?P<row>\w+)-field$")
SPLIT = re.compile(r"[,，、;；\n]+")


def token() -> str:
    return uuid.uuid4().hex[:8]


def definition_from_form(data) -> dict:
    """The (unvalidated) definition the builder's inputs describe. `data` is a QueryDict."""
    groups: dict[str, list] = {}
    for key in data:
        match = ROW.match(key)
        if not match:
            continue
        group, row = match["group"], match["row"]
        prefix = f"g{group}-r{row}"
        field = data.get(f"{prefix}-field", "")
        op = data.get(f"{prefix}-op", "")
        condition = {"field": field, "op": op}
        spec = rules.FIELDS.get(field)
        if op not in rules.EMPTY_OPERATORS:
            condition["value"] = _value(spec, op, data.getlist(f"{prefix}-value"), data.get(f"{prefix}-value2", ""))
        groups.setdefault(group, []).append(condition)
    parts = [{"match": data.get(f"g{group}-match", "all"), "rules": rows} for group, rows in groups.items()]
    top = data.get("match", "all")
    if len(parts) == 1:
        return parts[0]
    return {"match": top, "rules": parts}


def _value(spec, op: str, values: list[str], second: str):
    values = [v.strip() for v in values if v is not None]
    if op in rules.LIST_OPERATORS:
        items = []
        for value in values:
            items += [part.strip() for part in SPLIT.split(value) if part.strip()]
        return [_typed(spec, item) for item in items]
    first = values[0] if values else ""
    if op == "between":
        return [_typed(spec, first), _typed(spec, second.strip())]
    if op in ("within_days", "before_days"):
        return int(first) if first.lstrip("-").isdigit() else first
    return _typed(spec, first)


def _typed(spec, value: str):
    """Whole numbers as int for integer and id fields; everything else stays text (the rules
    engine validates and converts)."""
    if spec is not None and spec.type in ("integer", "id") and value.lstrip("-").isdigit():
        return int(value)
    return value


def groups_from_definition(definition: dict) -> tuple[str, list[dict]] | None:
    """(top match, [{"token", "match", "rows": [{"token", "field", "op", "value"}]}]) for the page;
    None when the definition nests deeper than the builder shows (edit it as JSON then)."""
    definition = definition or {"match": "all", "rules": []}
    if not _well_formed(definition):
        return None
    loose = [r for r in definition.get("rules", []) if "match" not in r]
    nested = [r for r in definition.get("rules", []) if "match" in r]
    if any("match" in inner for group in nested for inner in group["rules"]):
        return None
    groups = []
    if loose or not nested:
        groups.append({"token": token(), "match": definition.get("match", "all"), "rows": [_row(r) for r in loose]})
    for group in nested:
        groups.append({"token": token(), "match": group["match"], "rows": [_row(r) for r in group["rules"]]})
    return definition.get("match", "all"), groups


def _well_formed(group) -> bool:
    """Shaped like a definition (the rules engine judges the rest)."""
    if not isinstance(group, dict) or not isinstance(group.get("rules", []), list):
        return False
    return all(isinstance(rule, dict) and ("match" not in rule or _well_formed(rule))
               and isinstance(rule.get("field", ""), str) and isinstance(rule.get("op", ""), str)
               for rule in group.get("rules", []))


def _row(condition: dict) -> dict:
    return {"token": token(), "field": condition.get("field", ""), "op": condition.get("op", ""),
            "value": condition.get("value")}
