"""Pagination and ordering shared by the UI tables and the API lists."""

from dataclasses import dataclass

from django.db.models import QuerySet
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


def capped_page(queryset: QuerySet, *, page: int, per_page: int, cap: int = COUNT_CAP) -> CappedPage:
    """One page of rows and a count that stops at `cap` (cheap on big tables)."""
    offset = (page - 1) * per_page
    if offset > MAX_OFFSET:
        raise ValidationFailed(fields={"page": "too deep; narrow the filter instead"})
    rows = list(queryset[offset : offset + per_page])
    is_whole = page == 1 and len(rows) < per_page
    counted = len(rows) if is_whole else queryset.order_by()[: cap + 1].count()
    return CappedPage(rows[: max(0, cap - offset)], min(counted, cap), counted <= cap, page, per_page)
