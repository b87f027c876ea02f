"""Which member of staff was shown which customer's personal data UNMASKED (PIPL: every access to
unmasked personal data is logged and reportable).

The masking layer calls `note(customer_id, fields)` whenever it hands out a customer's phone, e-mail,
ID number… in clear. Notes are gathered per request in a context variable (a set per customer, at
most `MAX_CUSTOMERS_PER_REQUEST` customers: list pages are far smaller) and written once, as one
bulk insert, when the server closes the response `PersonalAccessMiddleware` saw, after sending it.
An export, streamed after the middleware is done, writes one row of its own with every customer's
id through `record`.

Nothing here knows the table: the privacy app registers the writer (`set_writer`) when it is ready,
so core and the apps below privacy stay free of it. Without a writer (or outside a request, e.g. a
sweep or the CLI acting as the system) notes cost a dictionary lookup and are dropped.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

logger = logging.getLogger(__name__)

MAX_CUSTOMERS_PER_REQUEST = 1_000
EXPORT_IDS_KEPT = 100_000  # an export of more customers names the first ones and counts them all

PAGE, API, EXPORT = "page", "api", "export"


@dataclass
class Access:
    """What one request (or one export) showed in clear: fields per customer id."""

    user: object
    channel: str
    path: str = ""
    request_id: str = ""
    customers: dict[int, set[str]] = field(default_factory=dict)
    overflow: int = 0  # customers past the cap, counted but not named
    # An export: one row for all its customers (ids, up to EXPORT_IDS_KEPT of them, and their count).
    export_ids: list[int] = field(default_factory=list)
    export_count: int = 0
    export_fields: tuple[str, ...] = ()

    def add(self, customer_id: int, fields: Iterable[str]) -> None:
        seen = self.customers.get(customer_id)
        if seen is None:
            if len(self.customers) >= MAX_CUSTOMERS_PER_REQUEST:
                self.overflow += 1
                return
            seen = self.customers[customer_id] = set()
        seen.update(fields)


_current: contextvars.ContextVar[Access | None] = contextvars.ContextVar("personal_access", default=None)
_writer: Callable[[Access], None] | None = None


def set_writer(writer: Callable[[Access], None] | None) -> None:
    global _writer
    _writer = writer


def is_staff_user(user) -> bool:
    """A signed-in member of staff: the system and portal customers are not logged here."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) is not None


def note(customer_id: int | None, fields: Iterable[str]) -> None:
    """`fields` of customer `customer_id` were shown unmasked within the current request."""
    access = _current.get()
    if access is None or customer_id is None:
        return
    fields = [name for name in fields if name]
    if fields:
        access.add(customer_id, fields)


def shown(values: dict[str, object]) -> list[str]:
    """The names of the personal fields that hold something (an empty mobile reveals nothing)."""
    return [name for name, value in values.items() if value not in (None, "")]


def current() -> Access | None:
    """The request being served (its path and id), if any: an export reads it before it streams."""
    return _current.get()


def record_export(*, user, customer_ids: list[int], count: int, fields: Iterable[str], path: str = "",
                  request_id: str = "") -> None:
    """One row for a whole export: who, which customers (their ids and count), which fields."""
    if _writer is None or not is_staff_user(user) or not count:
        return
    _writer(Access(user=user, channel=EXPORT, path=path[:300], request_id=request_id[:64],
                   export_ids=list(customer_ids[:EXPORT_IDS_KEPT]), export_count=count,
                   export_fields=tuple(fields)))


class ExportTally:
    """The customers a streamed export wrote unmasked, logged as one row when it ends (also when the
    download is broken off: what was sent was seen). Made before the first row is streamed, while
    the request is still being served, so that it knows the request's path and id."""

    def __init__(self, *, user, fields: Iterable[str]):
        request = current()
        self.user, self.fields = user, tuple(fields)
        self.path = request.path if request else ""
        self.request_id = request.request_id if request else ""
        self.ids: list[int] = []
        self.count = 0

    def add(self, customer_id: int) -> None:
        self.count += 1
        if len(self.ids) < EXPORT_IDS_KEPT:
            self.ids.append(customer_id)

    def close(self) -> None:
        record_export(user=self.user, customer_ids=self.ids, count=self.count, fields=self.fields,
                      path=self.path, request_id=self.request_id)


class PersonalAccessMiddleware:
    """Gathers the request's notes and writes them in one insert after the response is built (after
    authentication: API tokens set the user inside the view, so the user is read at the end)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = API if request.path.startswith("/api/") else PAGE
        access = Access(user=None, channel=channel, path=request.path[:300],
                        request_id=getattr(request, "request_id", "")[:64])
        token = _current.set(access)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if access.customers and _writer is not None and response.status_code < 400:
            user = getattr(request, "user", None)
            user = getattr(user, "_wrapped", user)
            if is_staff_user(user):
                access.user = user
                # Written once the response has been sent (the server closes it then), so that the
                # caller does not wait for the insert and its commit.
                response._resource_closers.append(partial(_write_logged, _writer, access))
        return response


def _write_logged(writer: Callable[[Access], None], access: Access) -> None:
    # Django swallows what a response closer raises: say it, so that a lost log row is not silent.
    try:
        writer(access)
    except Exception:
        logger.exception("personal data access log not written", extra={"path": access.path})
