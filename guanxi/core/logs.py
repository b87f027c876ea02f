"""Structured logs (structlog): one JSON object per line, every line of a request carrying its request
id, whoever logs it (Django, Celery, the product's modules through the standard `logging`).

`RequestContextMiddleware` takes the caller's `X-Request-ID` (a proxy's, when it is a short token) or
makes one, binds it to the log context for the request, answers it in `X-Request-ID`, and logs one
`request` line (method, route, status, duration, user). Celery tasks published during a request carry
the id in their headers, and a worker binds it while the task runs.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from django.conf import settings
from django.utils.functional import empty

from . import metrics

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = structlog.get_logger("guanxi.access")

SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_structlog() -> None:
    """structlog hands its events to the standard logging, whose formatter (`formatter`) renders them
    and everything else the same way."""
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(json: bool = True) -> dict:
    """The LOGGING formatter: JSON lines (production), or aligned text for a terminal."""
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer(
        colors=False)
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                       structlog.processors.format_exc_info, renderer],
        "foreign_pre_chain": [*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
    }


def request_id_of(request) -> str:
    given = request.META.get(REQUEST_ID_HEADER, "")
    return given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex


def _route(request) -> str:
    """The URL pattern that answered (`customers/<int:customer_id>/`), never the path itself: ids
    would make a label value per record."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


class RequestContextMiddleware:
    """First in the chain: its id and its timing cover everything after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = _route(request)
        metrics.observe_request(request.method, route, response.status_code, seconds)
        response["X-Request-ID"] = request.request_id
        if settings.LOG_REQUESTS:
            access_log.info("request", method=request.method, route=route, path=request.path,
                            status=response.status_code, ms=round(seconds * 1000, 1), user=_known_user_id(request))
        structlog.contextvars.clear_contextvars()
        return response


def _known_user_id(request) -> int | None:
    """The caller's id if the request already looked them up. Never a session read of its own: the
    response may be the refusal of that very cookie (a NUL in it is a 422, and PostgreSQL cannot
    even look such a key up)."""
    user = request.__dict__.get("user")
    user = getattr(user, "_wrapped", user)
    if user is None or user is empty or not user.is_authenticated:
        return None
    return user.pk


def task_headers(headers: dict | None = None, **_kwargs) -> None:
    """Celery `before_task_publish`: the publishing request's id travels with the task."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


def task_context(task=None, task_id=None, **_kwargs) -> None:
    """Celery `task_prerun`: the task's lines carry its id and the request id it was published with."""
    request_id = getattr(getattr(task, "request", None), "request_id", None)
    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", ""),
                                           **({"request_id": request_id} if request_id else {}))


def task_context_clear(**_kwargs) -> None:
    structlog.contextvars.unbind_contextvars("task_id", "task")

