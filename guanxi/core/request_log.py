"""One line per refused request in the server log, instead of a traceback per 403.

Django logs a PermissionDenied raised by a view with its traceback (django.request); a refusal is
expected traffic, not an error. This filter rewrites each 401/403/404 record of django.request to
`refused <method> <path> user=<id> status=<status> code=<code>` and drops the traceback.
"""

import logging

from guanxi.core.errors import DomainError

REFUSALS = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status not in REFUSALS or request is None:
            return True
        record.msg = "refused %s %s user=%s status=%s code=%s"
        record.args = (request.method, request.path, _user_id(request), status,
                       _code(request, record.exc_info, status))
        record.exc_info = None
        record.exc_text = None
        return True


def _user_id(request):
    user = getattr(request, "user", None)
    return getattr(user, "pk", None) if user is not None and user.is_authenticated else "-"


def _code(request, exc_info, status: int) -> str:
    """The domain error's code when a view raised one (it is the exception's cause after the view
    turned it into Django's exception), the API's error code, or the status's generic code."""
    exc = exc_info[1] if exc_info else None
    while exc is not None:
        if isinstance(exc, DomainError):
            return exc.code
        exc = exc.__cause__
    return getattr(request, "refusal_code", "") or REFUSALS[status]
