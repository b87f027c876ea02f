"""Input no database column can hold, refused once for every request before any view sees it.

PostgreSQL refuses a NUL character (U+0000) in text and JSON, and a time-zone offset beyond
±15:59 in a timestamp; SQLite stores both. Left to the views, either became a 500 on PostgreSQL
and a silent difference between the two databases. `RefuseUnsafeInputMiddleware` checks the
path, the query string, the cookies, the Authorization header and the body (JSON, URL-encoded,
multipart fields and file names) of every request: the API answers 422 in its error shape, a
page answers 400 with the same reason.
"""

import json
import re
from collections.abc import Iterable, Iterator

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import ValidationFailed

API_PREFIX = "/api/"
# A datetime as pydantic, Django and datetime.fromisoformat parse it (ISO 8601, extended or basic,
# `T`, `t` or a space between date and time) with a numeric offset, whose hours are checked against
# what PostgreSQL stores.
_DATETIME_WITH_OFFSET = re.compile(
    r"\d{4}-?\d{2}-?\d{2}[Tt ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?"
    r"\s*[+-](?P<hours>\d{2})(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?"
)
MAX_OFFSET_HOURS = 15  # PostgreSQL: "time zone displacement out of range" from ±16:00


class UnsafeInput(ValidationFailed, BadRequest):
    """Raised when a multipart body is parsed lazily: a 422 from the API (a DomainError), a 400
    from Django for a page (a BadRequest)."""


def problem_of(value: str) -> str | None:
    """Why this text cannot be stored, or None."""
    if "\x00" in value:
        return _("must not contain the NUL character (\\u0000)")
    match = _DATETIME_WITH_OFFSET.fullmatch(value.strip())
    if match and int(match["hours"]) > MAX_OFFSET_HOURS:
        return _("time zone offset out of range (at most ±15:59)")
    return None


def first_problem(pairs: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The first (field, reason) among (field, text) pairs; a bad field name counts as well, and so
    does a text inside a field that holds JSON (a segment definition, an import mapping)."""
    for field, value in pairs:
        for text in (field, value):
            reason = problem_of(text)
            if reason:
                return _printable(field), reason
        inner = _embedded_json(value)
        if inner is not None:
            problem = first_problem((field, text) for _, text in json_texts(inner))
            if problem:
                return problem
    return None


def _embedded_json(value: str):
    """The document a text holds when it is a JSON object or array, else None."""
    if not value.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def json_texts(value, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, text) of every key and string in a parsed JSON document."""
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from json_texts(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_texts(item, f"{path}.{index}" if path else str(index))


def _printable(field: str) -> str:
    return field.replace("\x00", "\\u0000")


def _querydict_texts(data) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        for value in values:
            yield key, value if isinstance(value, str) else ""


def _head_texts(request) -> Iterator[tuple[str, str]]:
    """What every request carries before its body."""
    yield "path", request.path
    yield from _querydict_texts(request.GET)
    yield from request.COOKIES.items()
    yield "Authorization", request.META.get("HTTP_AUTHORIZATION", "")


def _body_texts(request) -> Iterator[tuple[str, str]]:
    """The texts of a body that is read whole anyway: URL-encoded, or anything else that parses as JSON
    (the API parses a body as JSON whatever its content type says). A multipart body is checked when
    it is parsed; too large a body is left to the view, which answers 413."""
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        return
    try:
        if content_type == "application/x-www-form-urlencoded":
            yield from _querydict_texts(request.POST)
            return
        body = request.body
    except RequestDataTooBig:
        return
    if body:
        try:
            document = json.loads(body)
        except ValueError:
            return  # not JSON: the API says so itself
        yield from json_texts(document)


def _check_multipart_when_parsed(request) -> None:
    """A multipart body is not read here: views check an upload's declared size first and install
    their own upload handlers. Its fields and file names are checked when it is parsed."""
    load = request._load_post_and_files

    def load_then_check():
        load()
        files = ((key, upload.name or "") for key, upload in request.FILES.items())
        problem = first_problem([*_querydict_texts(request.POST), *files])
        if problem:
            raise UnsafeInput(fields=dict([problem]))

    request._load_post_and_files = load_then_check


class RefuseUnsafeInputMiddleware:
    """Refuse NUL characters and out-of-range time-zone offsets anywhere in a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = first_problem(_head_texts(request)) or first_problem(_body_texts(request))
        if problem:
            return self.refuse(request, *problem)
        if (request.content_type or "") == "multipart/form-data":
            _check_multipart_when_parsed(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request, field: str, reason: str):
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"code": "validation_error", "message": str(ValidationFailed.default_message),
                                 "fields": {field: reason}}, status=422)
        if field in request.COOKIES:
            # The page's layout reads the user, whose session must not be looked up by this key.
            request.session = request.session.__class__()
            request.user = AnonymousUser()
        return render(request, "core/input_refused.html", {"field": field, "reason": reason}, status=400)
