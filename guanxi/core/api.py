"""Shared API pieces: error body, pagination envelope, mapping of domain errors to 4xx."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from .pagination import COUNT_CAP, capped_page

T = TypeVar("T")


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


def paginate(queryset: QuerySet, params: PageParams, row: Callable[[Any], Any], cap: int = COUNT_CAP) -> dict:
    """The PageOut envelope of one page, each object shown through `row`."""
    page = capped_page(queryset, page=params.page, per_page=params.page_size, cap=cap)
    return {"items": [row(obj) for obj in page.rows], "count": page.count, "count_is_exact": page.count_is_exact,
            "page": page.number, "page_size": page.per_page}
