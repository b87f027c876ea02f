"""Shared API pieces: error body, pagination envelope, mapping of domain errors to 4xx."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import NinjaAPI, Schema
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


class ErrorOut(Schema):
    """Every 4xx of the API: a stable machine-readable code, a message for people, and the reason
    for each refused field."""

    code: str = Field(..., examples=["validation_error"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict, examples=[{"mobile": "not a valid mobile number"}])


ERROR_RESPONSES = {
    400: "The request was refused by a business rule, or its body could not be read.",
    401: "No valid API token or session.",
    403: "The caller's role may not do this.",
    404: "The record does not exist or the caller may not see it.",
    409: "The record changed meanwhile or conflicts with another one.",
    413: "The request body is too large.",
    422: "Some fields are not valid; `fields` says which and why.",
}


class ErrorDocumentingAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema lists the error responses (ERROR_RESPONSES, body ErrorOut)
    on every operation, including operations added later, without a word in each handler."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema
