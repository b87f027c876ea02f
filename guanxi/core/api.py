"""Shared API pieces: error body, pagination envelope, mapping of domain errors to 4xx."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, include, path
from django.utils.translation import gettext
from ninja import NinjaAPI
from pydantic import Field

from .errors import ValidationFailed
from .pagination import (
    COUNT_CAP,
    CURSOR_MAX_LENGTH,
    MAX_OFFSET,
    capped_count,
    keyset_ordered,
    keyset_page,
    page_after,
    sort_keys,
)
from .schema import Schema

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000, description="numbered pages reach 100,000 rows deep; use cursor beyond")
    page_size: int = Field(20, ge=1, le=200)
    ordering: str | None = Field(None, max_length=40)
    cursor: str = Field("", max_length=CURSOR_MAX_LENGTH,
                        description="next_cursor of the previous page: the rows after it (page is then ignored)")


class PageOut(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="rows in the list, counted up to 1,000 (see count_is_exact)")
    count_is_exact: bool
    page: int
    page_size: int
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last page")


LIST_LIMIT = 1_000


class RefOut(Schema):
    """A record named in another's answer: its id and its name."""

    id: int
    name: str


class CursorPageParams(Schema):
    """Cursor paging of the lists answered as a page object (`items`, `next_cursor`)."""

    cursor: str = Field("", max_length=CURSOR_MAX_LENGTH,
                        description="`next_cursor` of the previous page; empty: the newest")
    limit: int = Field(50, ge=1, le=200)


class ListParams(Schema):
    """Cursor paging of the lists answered as a plain JSON array (short configuration lists)."""

    cursor: str = Field("", max_length=CURSOR_MAX_LENGTH,
                        description="the X-Next-Cursor header of the previous answer: the rows after it")
    limit: int = Field(LIST_LIMIT, ge=1, le=LIST_LIMIT)


def cursor_list(request: HttpRequest, response: HttpResponse, queryset: QuerySet, params: ListParams,
                row: Callable[[Any], Any] = lambda obj: obj) -> list:
    """One page of a list answered as an array (kept so for its clients): the rows after
    `params.cursor`; when more follow, the headers `X-Next-Cursor` and `Link: <…>; rel="next"`
    say where the next page starts."""
    page = keyset_page(queryset, cursor=params.cursor, limit=params.limit)
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        response["X-Next-Cursor"] = page.next_cursor
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return [row(obj) for obj in page.rows]


def paginate(queryset: QuerySet, params: PageParams, row: Callable[[Any], Any], cap: int = COUNT_CAP,
             count: tuple[int, bool] | None = None) -> dict:
    """The PageOut envelope of one page, each object shown through `row`: the page after
    `params.cursor`, else numbered page `params.page`; both say where the next page starts.
    Two queries per page at any depth (the rows, and a count capped at `cap`); one when the caller
    already knows the capped `count` (count, exact) of the whole queryset."""
    if params.cursor:
        page = keyset_page(queryset, cursor=params.cursor, limit=params.page_size)
    else:
        offset = (params.page - 1) * params.page_size
        if offset > MAX_OFFSET:
            raise ValidationFailed(fields={"page": gettext("too deep; walk the list with cursor instead")})
        keys = sort_keys(queryset)
        rows = list(keyset_ordered(queryset, keys)[offset: offset + params.page_size + 1])
        page = page_after(rows, keys, params.page_size)
    whole = not params.cursor and params.page == 1 and page.next_cursor is None
    if whole:
        count, exact = len(page.rows), True
    else:
        count, exact = count or capped_count(queryset, cap=cap)
    return {"items": [row(obj) for obj in page.rows], "count": count, "count_is_exact": exact,
            "page": 1 if params.cursor else params.page, "page_size": params.page_size,
            "next_cursor": page.next_cursor}


class VersionChangeOut(Schema):
    """A field someone else changed since the caller read the record, and its current value."""

    field: str
    label: str
    value: str


class ErrorOut(Schema):
    """Every 4xx of the API: a stable machine-readable code, a message for people, and the reason
    for each refused field. A 409 `version_conflict` adds the record's current version and what
    changed since the version the caller sent."""

    code: str = Field(..., examples=["validation_error"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict, examples=[{"mobile": "not a valid mobile number"}])
    current_version: int | None = Field(None, description="409 version_conflict: the record's version now")
    changes: list[VersionChangeOut] | None = Field(None, description="409 version_conflict: fields changed since")


ERROR_RESPONSES = {
    400: "The request was refused by a business rule, or its body could not be read.",
    401: "No valid API token or session.",
    403: "The caller's role may not do this.",
    404: "The record does not exist or the caller may not see it.",
    409: "The record changed meanwhile or conflicts with another one.",
    411: "An upload was sent without its length.",
    413: "The request body is too large.",
    414: "The URL is too long.",
    422: "Some fields are not valid; `fields` says which and why.",
}


class ErrorDocumentingAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema lists the error responses (ERROR_RESPONSES, body ErrorOut)
    on every operation, including operations added later, without a word in each handler."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in error_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components["ErrorOut"] = error_schema
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema


def grouped_urls(urls: tuple[list, str, str]) -> tuple[list, str, str]:
    """The API's URL patterns (`NinjaAPI.urls`) nested under their first path segment.

    Ninja answers with one flat list, a pattern per operation (~350), which Django's resolver walks
    in order on every request; nested, a request tries the ~50 first segments, then its own few.
    Names, and so `reverse()`, are unchanged."""
    patterns, app_name, namespace = urls
    flat, nested = [], {}
    for pattern in patterns:
        head, slash, rest = str(pattern.pattern).partition("/")
        if not slash or "<" in head or not isinstance(pattern, URLPattern):
            flat.append(pattern)
        else:
            nested.setdefault(head, []).append(
                path(rest, pattern.callback, pattern.default_args, name=pattern.name))
    unique, repeats, routes = [], [], set()
    for pattern in flat:
        route = str(pattern.pattern)
        (repeats if route in routes else unique).append(pattern)
        routes.add(route)
    groups = [path(f"{head}/", include(children)) for head, children in nested.items()]
    # Patterns repeated for another operation on the same route are only there for reverse().
    return [*unique, *groups, *repeats], app_name, namespace
