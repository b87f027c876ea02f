"""Pagination and ordering shared by the UI tables and the API lists."""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet

from .errors import ValidationFailed


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
                f"Unknown ordering '{value}'.",
                fields={"ordering": f"one of: {', '.join(self.allowed)} (prefix - to reverse)"},
            )
        # A unique tie-breaker keeps pages stable.
        tie = "-id" if value.startswith("-") else "id"
        return [value] if field == "id" else [value, tie]


def paginate(queryset: QuerySet, *, page: int, per_page: int, count: bool = True):
    """Return a Django Page; page numbers past the end give the last page."""
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    try:
        return paginator.page(page)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
