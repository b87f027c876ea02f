"""Shared API pieces: error body, pagination envelope, mapping of domain errors to 4xx."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from .errors import ValidationFailed

T = TypeVar("T")
COUNT_CAP = 10_000  # counting past this costs more than it tells; the count says "10000+"


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=200)
    ordering: str | None = Field(None, max_length=40)


class PageOut(Schema, Generic[T]):
    items: list[T]
    count: int
    count_is_exact: bool
    page: int
    page_size: int


def paginate(queryset: QuerySet, params: PageParams, row: Callable[[Any], Any]) -> dict:
    """The PageOut envelope of one page, each object shown through `row`, with a count capped at
    COUNT_CAP (cheap on big tables)."""
    offset = (params.page - 1) * params.page_size
    if offset > COUNT_CAP * 10:
        raise ValidationFailed(fields={"page": "too deep; narrow the filter instead"})
    rows = list(queryset[offset : offset + params.page_size])
    if params.page == 1 and len(rows) < params.page_size:
        counted = len(rows)
    else:
        counted = queryset.order_by()[: COUNT_CAP + 1].count()
    return {"items": [row(obj) for obj in rows], "count": min(counted, COUNT_CAP),
            "count_is_exact": counted <= COUNT_CAP, "page": params.page, "page_size": params.page_size}
