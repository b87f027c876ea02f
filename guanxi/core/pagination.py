"""Pagination and ordering shared by the UI tables and the API lists.

The UI shows numbered pages with a capped count (`capped_page`). API lists are walked to their
end with keyset cursors (`keyset_page`): a cursor holds the sort values of the last row of a page,
and the next page is the rows after it in the same order (indexed key + id), so a page costs the
same at any depth and no row is skipped or repeated while walking.
"""

import base64
import binascii
import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext

from .errors import ValidationFailed

COUNT_CAP = 1_000  # counting a million rows for a page number costs more than it tells
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class Ordering:
    """Validated ordering: a whitelist of field names, '-' for descending."""

    allowed: tuple[str, ...]
    default: str

    def resolve(self, value: str | None) -> list[str]:
        value = (value or self.default).strip()
        field = value.lstrip("-")
        if field not in self.allowed:
            raise ValidationFailed(
                gettext("Unknown ordering '%(value)s'.") % {"value": value},
                fields={"ordering": gettext("one of: %(values)s (prefix - to reverse)") % {
                    "values": ', '.join(self.allowed)}},
            )
        # A unique tie-breaker keeps pages stable.
        tie = "-id" if value.startswith("-") else "id"
        return [value] if field == "id" else [value, tie]


@dataclass(frozen=True)
class CappedPage:
    rows: list
    count: int
    count_is_exact: bool
    number: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.count

    @property
    def previous(self) -> int:
        return self.number - 1

    @property
    def next(self) -> int:
        return self.number + 1


def capped_page(queryset: QuerySet, *, page: int, per_page: int, cap: int = COUNT_CAP,
                ids_first: bool = False, counted: int | None = None) -> CappedPage:
    """One page of rows and a count that stops at `cap` (cheap on big tables); `counted`: the rows
    of the whole queryset up to cap + 1 when the caller already knows them (no count query).

    `ids_first`: the page's ids are read without the queryset's joins, then their rows by primary key
    with those joins (not the filters, annotations or ordering). The first query stays a walk of the
    ordering's index that stops after the page whatever the planner expects of the joins, and the
    second a lookup of `per_page` keys: a misjudged share of rows (statistics that a burst of changes
    made stale) can otherwise turn either into joining and sorting every match."""
    offset = (page - 1) * per_page
    if offset > MAX_OFFSET:
        raise ValidationFailed(fields={"page": "too deep; narrow the filter instead"})
    if ids_first:
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page])
        rows = _rows_by_id(queryset, ids)
    else:
        rows = list(queryset[offset : offset + per_page])
    is_whole = page == 1 and len(rows) < per_page
    if is_whole:
        counted = len(rows)
    elif counted is None:
        counted = queryset.order_by()[: cap + 1].count()
    return CappedPage(rows[: max(0, cap - offset)], min(counted, cap), counted <= cap, page, per_page)


def _rows_by_id(queryset: QuerySet, ids: list) -> list:
    """The rows of `ids`, in that order, with `queryset`'s select_related joins."""
    if not ids:
        return []
    rows = queryset.model._default_manager.filter(pk__in=ids)
    joins = queryset.query.select_related
    if joins is True:
        rows = rows.select_related()
    elif joins:
        rows = rows.select_related(*_join_paths(joins))
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _join_paths(joins: dict, prefix: str = "") -> list[str]:
    paths = []
    for name, deeper in joins.items():
        path = prefix + name
        paths += _join_paths(deeper, path + "__") if deeper else [path]
    return paths


# -- Keyset cursors: walk any ordered list to its end, each page one index range scan.

CURSOR_MAX_LENGTH = 1_000


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering: a field path, its direction; NULLs always sort last."""

    path: str
    descending: bool
    nullable: bool

    @property
    def spec(self) -> str:
        return ("-" if self.descending else "") + self.path


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None


def sort_keys(queryset: QuerySet) -> list[SortKey]:
    """The queryset's ordering (or its model's default) as sort keys, ending with the primary key
    so that every row has one place. Orderings by computed expressions cannot be walked."""
    meta = queryset.model._meta
    keys: list[SortKey] = []
    for item in queryset.query.order_by or meta.ordering or ():
        if isinstance(item, str):
            path, descending = item.lstrip("-"), item.startswith("-")
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            path, descending = item.expression.name, item.descending
        else:
            raise TypeError(f"cannot page by a keyset over the ordering {item!r}")
        path = meta.pk.name if path == "pk" else path
        keys.append(SortKey(path, descending, _is_nullable(queryset.model, path)))
        if path == meta.pk.name:
            return keys
    return [*keys, SortKey(meta.pk.name, bool(keys and keys[-1].descending), False)]


def _is_nullable(model, path: str) -> bool:
    """Whether a field path can hold NULL, a missing related row included."""
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.null or field.one_to_many or (field.one_to_one and not field.concrete):
            return True
        model = field.related_model
    return False


def keyset_ordered(queryset: QuerySet, keys: list[SortKey]) -> QuerySet:
    """The queryset ordered exactly as the keys say (NULLs last in both directions, on every
    database), which is what the cursor condition assumes."""
    return queryset.order_by(*(OrderBy(F(k.path), descending=k.descending, nulls_last=k.nullable or None)
                               for k in keys))


def _row_value(row, path: str):
    value = row
    for part in path.split("__"):
        try:
            value = value.get(part) if isinstance(value, dict) else getattr(value, part)
        except ObjectDoesNotExist:
            return None
        if value is None:
            return None
    return value.pk if isinstance(value, Model) else value


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # microseconds kept: the next page starts exactly after this row
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def encode_cursor(keys: list[SortKey], row) -> str:
    payload = {"o": [k.spec for k in keys], "v": [_json_value(_row_value(row, k.path)) for k in keys]}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(raw: str, keys: list[SortKey]) -> list:
    """The values of the row a cursor points after; 422 for anything but a cursor of this list in
    this ordering."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        values = payload["v"]
        valid = payload["o"] == [k.spec for k in keys] and isinstance(values, list) and len(values) == len(keys)
    except (ValueError, TypeError, KeyError, binascii.Error):
        valid = False
    if not valid or len(raw) > CURSOR_MAX_LENGTH or values[-1] is None:
        raise ValidationFailed("Not a cursor of this list.",
                               fields={"cursor": "pass back next_cursor of the previous page, same ordering"})
    return values


def _after(key: SortKey, value) -> Q:
    """Rows whose `key` sorts after `value` (NULLs last)."""
    if value is None:
        return Q(pk__in=[])
    after = Q(**{f"{key.path}__{'lt' if key.descending else 'gt'}": value})
    return after | Q(**{f"{key.path}__isnull": True}) if key.nullable else after


def _equal(key: SortKey, value) -> Q:
    return Q(**{f"{key.path}__isnull": True}) if value is None else Q(**{key.path: value})


def keyset_condition(keys: list[SortKey], values: list) -> Q:
    """Rows after the cursor's row: (k1 after v1) or (k1 = v1 and k2 after v2) or …, plus a plain
    range on a non-null leading key so that the database starts its index scan there."""
    condition, equal = Q(pk__in=[]), Q()
    for key, value in zip(keys, values, strict=True):
        condition |= equal & _after(key, value)
        equal &= _equal(key, value)
    first = keys[0]
    if not first.nullable and len(keys) > 1:
        condition &= Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": values[0]})
    return condition


def keyset_page(queryset: QuerySet, *, cursor: str = "", limit: int) -> KeysetPage:
    """The `limit` rows after `cursor` (from the start without one) and the cursor of the page
    after them (None at the end). One query whatever the depth."""
    keys = sort_keys(queryset)
    queryset = keyset_ordered(queryset, keys)
    if cursor:
        queryset = queryset.filter(keyset_condition(keys, decode_cursor(cursor, keys)))
    rows = list(queryset[: limit + 1])
    return page_after(rows, keys, limit)


def page_after(rows: list, keys: list[SortKey], limit: int) -> KeysetPage:
    """`rows` (fetched with one extra) cut to `limit`, with the cursor after the last one kept."""
    more = len(rows) > limit
    rows = rows[:limit]
    return KeysetPage(rows, encode_cursor(keys, rows[-1]) if more and rows else None)


def capped_count(queryset: QuerySet, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count up to `cap`, whether it is exact): one query that stops counting at `cap`."""
    counted = queryset.order_by()[: cap + 1].count()
    return min(counted, cap), counted <= cap
