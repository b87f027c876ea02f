"""The rules engine: a saved filter definition (data) → a Django Q over Customer joined to its
value snapshot.

A definition is a group: `{"match": "all" | "any", "rules": [...]}`; each rule is either a
condition `{"field": "value_level", "op": "in", "value": ["vip", "large"]}` or a nested group.
The top-level group may be empty (every customer); nested groups may not. `validate` checks
fields, operators and values against FIELDS and returns the cleaned definition, or raises
ValidationFailed naming the faulty path (e.g. `definition.rules.1.value`).

Semantics, also for customers without a snapshot yet: `ne` and `not_in` are the negation of `eq`
and `in` (a customer without the value is "not equal"); comparisons (`gt`, `between`, dates…)
never match a missing value; `is_empty` matches exactly the missing values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import ValidationFailed
from guanxi.customers.enums import CreditLevel, CustomerKind, HoldingStatus, LifecycleStage
from guanxi.customers.models import Address, Brand, Customer, Holding
from guanxi.customers.regions import PROVINCES, province_normalize

from .enums import AbcClass, Portfolio, RfmSegment, ValueLevel

MAX_DEPTH = 3
MAX_CONDITIONS = 30
MAX_LIST = 200
MAX_DAYS = 36_500

OPERATORS = {
    "eq": _("is"), "ne": _("is not"), "in": _("is one of"), "not_in": _("is none of"),
    "gt": _("greater than"), "gte": _("at least"), "lt": _("less than"), "lte": _("at most"),
    "between": _("between"), "is_empty": _("is empty"), "is_not_empty": _("is not empty"),
    "on_or_after": _("on or after"), "on_or_before": _("on or before"),
    "within_days": _("within the last … days"), "before_days": _("more than … days ago"),
    "has_any": _("has any of"), "has_all": _("has all of"), "has_none": _("has none of"),
}
TYPE_OPERATORS = {
    "choice": ("eq", "ne", "in", "not_in"),
    "id": ("eq", "ne", "in", "not_in"),
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "between"),
    "integer": ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between"),
    "date": ("on_or_after", "on_or_before", "between", "within_days", "before_days"),
    "tags": ("has_any", "has_all", "has_none"),
    "holding": ("has_any", "has_none"),
    "province": ("in", "not_in"),
}
EMPTY_OPERATORS = ("is_empty", "is_not_empty")
LIST_OPERATORS = ("in", "not_in", "has_any", "has_all", "has_none")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    path: str  # ORM path from Customer
    nullable: bool = False
    choices: Callable[[], list[tuple[str, str]]] | None = None
    minimum: float | None = None
    maximum: float | None = None
    # A field registered by a higher app (see `register_field`) builds its own Q from (op, value).
    build: Callable[[str, object], Q] | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return TYPE_OPERATORS[self.type] + (EMPTY_OPERATORS if self.nullable else ())

    @property
    def is_snapshot(self) -> bool:
        return self.path.startswith("value_snapshot__")


def _brands() -> list[tuple[str, str]]:
    return list(Brand.objects.order_by("name").values_list("code", "name"))


def _static(choices) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(value, str(label)) for value, label in choices if value != ""]


def _snap(name: str) -> str:
    return f"value_snapshot__{name}"


FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("brand", _("Brand"), "choice", "brand__code", nullable=True, choices=_brands),
    Field("kind", _("Kind"), "choice", "kind", choices=_static(CustomerKind.choices)),
    Field("lifecycle_stage", _("Lifecycle stage"), "choice", "lifecycle_stage",
          choices=_static(LifecycleStage.choices)),
    Field("credit_level", _("Credit level"), "choice", "credit_level", choices=_static(CreditLevel.choices)),
    Field("arpu", _("ARPU (monthly)"), "number", "arpu", minimum=0),
    Field("province", _("Province"), "province", "addresses__province",
          choices=lambda: [(p, p) for p in PROVINCES]),
    Field("tags", _("Tags"), "tags", "tags__name"),
    Field("holds", _("Holds product or category"), "holding", "holdings__category"),
    Field("owner", _("Owner (user id)"), "id", "owner_id", nullable=True),
    Field("team", _("Team (id)"), "id", "team_id", nullable=True),
    Field("created", _("Created"), "date", "created_at__date"),
    Field("value_level", _("Value level"), "choice", _snap("value_level"), nullable=True,
          choices=_static(ValueLevel.choices)),
    Field("abc_class", _("ABC class"), "choice", _snap("abc_class"), nullable=True,
          choices=_static(AbcClass.choices)),
    Field("rfm_segment", _("RFM cell"), "choice", _snap("rfm_segment"), nullable=True,
          choices=_static(RfmSegment.choices)),
    Field("rfm_r", _("R score"), "integer", _snap("rfm_r"), nullable=True, minimum=1, maximum=5),
    Field("rfm_f", _("F score"), "integer", _snap("rfm_f"), nullable=True, minimum=1, maximum=5),
    Field("rfm_m", _("M score"), "integer", _snap("rfm_m"), nullable=True, minimum=1, maximum=5),
    Field("portfolio", _("Portfolio quadrant"), "choice", _snap("portfolio"), nullable=True,
          choices=_static(Portfolio.choices)),
    Field("cluster", _("Cluster"), "integer", _snap("cluster"), nullable=True, minimum=1, maximum=50),
    Field("revenue_12m", _("Revenue, last 12 months"), "number", _snap("revenue_12m"), nullable=True),
    Field("clv_12m", _("CLV, 12 months"), "number", _snap("clv_12m"), nullable=True),
    Field("clv_36m", _("CLV, 36 months"), "number", _snap("clv_36m"), nullable=True),
    Field("p_alive", _("Probability still active"), "number", _snap("p_alive"), nullable=True,
          minimum=0, maximum=1),
    Field("key_account_score", _("Key-account score"), "number", _snap("key_account_score"), nullable=True,
          minimum=0, maximum=100),
    Field("loyalty_index", _("Loyalty index"), "integer", _snap("loyalty_index"), nullable=True,
          minimum=0, maximum=100),
    Field("credit_score", _("Credit score"), "integer", _snap("credit_score"), nullable=True,
          minimum=0, maximum=100),
    Field("retention_index", _("Retention index"), "integer", _snap("retention_index"), nullable=True,
          minimum=0, maximum=100),
    Field("last_purchase", _("Last purchase"), "date", _snap("last_purchase_on"), nullable=True),
)}


def register_field(field: Field) -> None:
    """Add a field contributed by a higher app (called from its `ready()`), e.g. analytics' saved
    data-mining selections; `field.build` turns a validated (op, value) into a Q over Customer."""
    FIELDS[field.name] = field


# ---------------------------------------------------------------- validation


def validate(definition) -> dict:
    """The cleaned definition, or ValidationFailed naming the faulty part."""
    if definition in (None, ""):
        definition = {"match": "all", "rules": []}
    counter = [0]
    return _group(definition, "definition", depth=1, counter=counter)


def _fail(path: str, reason: str):
    raise ValidationFailed(gettext("%(path)s: %(reason)s") % {"path": path, "reason": gettext(reason)},
                           fields={path: reason})


def _group(group, path: str, *, depth: int, counter: list[int]) -> dict:
    if not isinstance(group, dict):
        _fail(path, "must be an object with 'match' and 'rules'")
    unknown = set(group) - {"match", "rules"}
    if unknown:
        _fail(path, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    match = group.get("match", "all")
    if match not in ("all", "any"):
        _fail(f"{path}.match", "'all' (AND) or 'any' (OR)")
    rules = group.get("rules", [])
    if not isinstance(rules, list):
        _fail(f"{path}.rules", "must be a list")
    if not rules and depth > 1:
        _fail(f"{path}.rules", "a nested group needs at least one rule")
    cleaned = []
    for i, rule in enumerate(rules):
        rule_path = f"{path}.rules.{i}"
        if isinstance(rule, dict) and ("match" in rule or "rules" in rule):
            if depth >= MAX_DEPTH:
                _fail(rule_path, f"groups nest at most {MAX_DEPTH} deep")
            cleaned.append(_group(rule, rule_path, depth=depth + 1, counter=counter))
        else:
            counter[0] += 1
            if counter[0] > MAX_CONDITIONS:
                _fail(rule_path, f"at most {MAX_CONDITIONS} conditions")
            cleaned.append(_condition(rule, rule_path))
    return {"match": match, "rules": cleaned}


def _condition(rule, path: str) -> dict:
    if not isinstance(rule, dict):
        _fail(path, "must be an object with 'field', 'op' and 'value'")
    unknown = set(rule) - {"field", "op", "value"}
    if unknown:
        _fail(path, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    name = rule.get("field")
    field = FIELDS.get(name) if isinstance(name, str) else None
    if field is None:
        _fail(f"{path}.field", f"unknown field {name!r}; one of: {', '.join(FIELDS)}")
    op = rule.get("op")
    if op not in field.operators:
        _fail(f"{path}.op", f"unknown operator {op!r} for {name}; one of: {', '.join(field.operators)}")
    if op in EMPTY_OPERATORS:
        return {"field": name, "op": op}
    value = _value(field, op, rule.get("value"), f"{path}.value")
    return {"field": name, "op": op, "value": value}


def _value(field: Field, op: str, value, path: str):
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            _fail(path, "a non-empty list")
        if len(value) > MAX_LIST:
            _fail(path, f"at most {MAX_LIST} values")
        return sorted({_scalar(field, item, path) for item in value}, key=str)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            _fail(path, "a list of two values [from, to]")
        low, high = (_scalar(field, item, path) for item in value)
        if (Decimal(low) > Decimal(high)) if field.type == "number" else (low > high):
            _fail(path, "'from' must not be greater than 'to'")
        return [low, high]
    if op in ("within_days", "before_days"):
        return _integer(value, path, 0, MAX_DAYS)
    return _scalar(field, value, path)


def _scalar(field: Field, value, path: str):
    if field.type == "province":
        province = province_normalize(value) if isinstance(value, str) else None
        if province is None:
            _fail(path, f"{value!r} is not a province of China")
        return province
    if field.type == "choice":
        allowed = {str(v) for v, _ in field.choices()}
        if not isinstance(value, str) or value not in allowed:
            _fail(path, f"{value!r} is not one of: {', '.join(sorted(allowed))}")
        return value
    if field.type in ("tags", "holding"):
        limit = 30 if field.type == "tags" else 100
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            _fail(path, f"names of 1 to {limit} characters")
        return value.strip()
    if field.type == "id":
        return _integer(value, path, 1, 2**63 - 1)
    if field.type == "integer":
        return _integer(value, path, field.minimum, field.maximum)
    if field.type == "number":
        return _number(field, value, path)
    if field.type == "date":
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        _fail(path, "a date as YYYY-MM-DD")
    raise AssertionError(field.type)


def _integer(value, path: str, minimum=None, maximum=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        _fail(path, "a whole number")
    try:
        number = int(value)
    except ValueError:
        _fail(path, "a whole number")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        _fail(path, f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}")
    return number


def _number(field: Field, value, path: str) -> str:
    """Numbers are kept as decimal strings, so that saved definitions compare exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        _fail(path, "a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        _fail(path, "a number")
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        _fail(path, "a finite number below 10^12")
    if (field.minimum is not None and number < Decimal(str(field.minimum))) or (
            field.maximum is not None and number > Decimal(str(field.maximum))):
        _fail(path, f"between {field.minimum:g} and {field.maximum:g}" if field.maximum is not None
              else f"at least {field.minimum:g}")
    return format(number.normalize(), "f")


# ---------------------------------------------------------------- to Q


def to_q(definition: dict, *, today: dt.date | None = None) -> Q:
    """The Q of a validated definition (call validate first)."""
    today = today or timezone.localdate()
    return _group_q(definition, today)


def _group_q(group: dict, today: dt.date) -> Q:
    parts = [(_group_q(rule, today) if "match" in rule else _condition_q(rule, today)) for rule in group["rules"]]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if group["match"] == "all" else combined | part
    return combined


def _num(field: Field, value):
    return Decimal(value) if field.type == "number" else value


def _condition_q(rule: dict, today: dt.date) -> Q:
    field = FIELDS[rule["field"]]
    op, value, path = rule["op"], rule.get("value"), field.path
    if field.build is not None:
        return field.build(op, value)
    if field.type == "tags":
        has = [Exists(Customer.tags.through.objects.filter(customer_id=OuterRef("pk"), tag__name=name))
               for name in value]
        if op == "has_all":
            q = Q(has[0])
            for other in has[1:]:
                q &= Q(other)
            return q
        any_tag = Q(Exists(Customer.tags.through.objects.filter(customer_id=OuterRef("pk"), tag__name__in=value)))
        return any_tag if op == "has_any" else ~any_tag
    if field.type == "holding":
        own = Holding.objects.filter(customer_id=OuterRef("pk"), status=HoldingStatus.ACTIVE, is_competitor=False)
        holds = Q(Exists(own.filter(Q(category__in=value) | Q(product__in=value))))
        return holds if op == "has_any" else ~holds
    if field.type == "province":
        in_province = Q(Exists(Address.objects.filter(customer_id=OuterRef("pk"), province__in=value)))
        return in_province if op == "in" else ~in_province
    if op == "is_empty":
        return Q(**{f"{path}__isnull": True})
    if op == "is_not_empty":
        return Q(**{f"{path}__isnull": False})
    if op == "eq":
        return Q(**{path: _num(field, value)})
    if op in ("ne", "not_in"):
        positive = (Q(**{path: _num(field, value)}) if op == "ne"
                    else Q(**{f"{path}__in": [_num(field, v) for v in value]}))
        if not field.nullable:
            return ~positive
        # Spelled out rather than left to Django's NULL handling of a negated lookup, which an
        # OR with another condition on the same outer join can lose.
        return Q(**{f"{path}__isnull": True}) | ~positive
    if op == "in":
        return Q(**{f"{path}__in": [_num(field, v) for v in value]})
    if op in ("gt", "gte", "lt", "lte"):
        return Q(**{f"{path}__{op}": _num(field, value)})
    if op == "between":
        low, high = value
        if field.type == "date":
            return Q(**{f"{path}__gte": dt.date.fromisoformat(low), f"{path}__lte": dt.date.fromisoformat(high)})
        return Q(**{f"{path}__gte": _num(field, low), f"{path}__lte": _num(field, high)})
    if op == "on_or_after":
        return Q(**{f"{path}__gte": dt.date.fromisoformat(value)})
    if op == "on_or_before":
        return Q(**{f"{path}__lte": dt.date.fromisoformat(value)})
    if op == "within_days":
        return Q(**{f"{path}__gte": today - dt.timedelta(days=value)})
    if op == "before_days":
        return Q(**{f"{path}__lt": today - dt.timedelta(days=value)})
    raise AssertionError(op)


def field_catalogue() -> list[dict]:
    """Fields, their operators and choices, for the builder UI and the API."""
    return [{"name": f.name, "label": str(f.label), "type": f.type,
             "operators": [{"name": op, "label": str(OPERATORS[op])} for op in f.operators],
             "choices": [{"value": v, "label": str(label)} for v, label in f.choices()] if f.choices else None}
            for f in FIELDS.values()]



# ---------------------------------------------------------------- in words


def describe(definition: dict) -> str:
    """A saved definition as a person reads it, in the active language: field labels, operators
    and choice labels instead of codes, e.g. "满足全部条件：价值层级 属于 VIP、大客户；ARPU（月） 至少 100"."""

    def group(node: dict) -> str:
        parts = [group(rule) if "rules" in rule else condition(rule) for rule in node.get("rules", [])]
        if not parts:
            return gettext("every customer")
        heading = gettext("all of") if node.get("match", "all") == "all" else gettext("any of")
        return f"{heading}：{'；'.join(parts)}" if len(parts) > 1 else parts[0]

    def condition(rule: dict) -> str:
        field = FIELDS.get(rule.get("field"))
        if field is None:
            return str(rule.get("field"))
        op = str(OPERATORS.get(rule.get("op"), rule.get("op")))
        if rule.get("op") in EMPTY_OPERATORS:
            return f"{field.label} {op}"
        labels = dict(field.choices()) if field.choices else {}
        value = rule.get("value")
        values = value if isinstance(value, list) else [value]
        shown = [str(labels.get(v, v)) for v in values]
        separator = " – " if rule.get("op") == "between" else pgettext("list separator", ", ")
        if "…" in op:  # "within the last … days"
            return f"{field.label} {op.replace('…', separator.join(shown))}"
        return f"{field.label} {op} {separator.join(shown)}"

    return group(definition or {})
