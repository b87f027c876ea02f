"""HTTP guards that hold for every request, whatever the view: request size limits checked before a
byte of the body is read, and responses that never stay in a shared or browser cache."""

import json
import re
import time
from functools import cached_property

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def refusal(request, status: int, code: str, message: str) -> HttpResponse:
    """The API's error body for /api/ paths, a small page otherwise."""
    if is_api(request):
        return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    html = render_to_string("refused.html", {"status": status, "message": message}, request=request)
    return HttpResponse(html, status=status)


class RequestLimitsMiddleware:
    """Refuse what is too big before it is read: URLs longer than REQUEST_URL_MAX_LENGTH (414; the
    server passes long request lines through so that the answer is ours), bodies declared larger than
    the path's limit (413; REQUEST_BODY_MAX_BYTES, or IMPORT_MAX_BYTES for the customer-import
    uploads named in REQUEST_BODY_LARGE_PATHS) and chunked bodies without a length (411: their size
    is unknown until they have been received whole)."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def large_paths(self) -> re.Pattern:
        return re.compile("|".join(f"(?:{p})" for p in settings.REQUEST_BODY_LARGE_PATHS) or r"(?!)")

    def body_limit(self, request) -> int:
        if self.large_paths.match(request.path_info):
            return settings.IMPORT_MAX_BYTES + 64 * 1024  # the file and its multipart framing
        return settings.REQUEST_BODY_MAX_BYTES

    def __call__(self, request):
        url_length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if url_length > settings.REQUEST_URL_MAX_LENGTH:
            return refusal(request, 414, "uri_too_long", _("The address is too long."))
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return refusal(request, 411, "length_required", _("Send the request body with a Content-Length."))
        try:
            length = int(declared or 0)
        except ValueError:
            return refusal(request, 400, "bad_request", _("The Content-Length header is not a number."))
        limit = self.body_limit(request)
        if length > limit:
            return refusal(request, 413, "payload_too_large", _(
                "The request is larger than %(mb)s MB, the most accepted here.") % {"mb": f"{limit / 1048576:.0f}"})
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API answer (they can hold personal data); static
    files are answered before this middleware and keep their caching. A streamed answer (a CSV
    export, a file) also says `X-Accel-Buffering: no`: nginx passes it on as it comes, and buffers
    every other answer, so that a slow client never holds a gunicorn worker (docs/deployment.md).
    Also notes the error code of an API refusal on the request, for the one-line refusal log
    (guanxi.core.request_log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        if response.streaming:
            response.headers.setdefault("X-Accel-Buffering", "no")
        if 400 <= response.status_code < 500 and is_api(request) and not response.streaming:
            request.refusal_code = _error_code(response)
        return response


def _error_code(response) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


class SessionIdleTimeoutMiddleware:
    """Signs a session out after `SESSION_IDLE_TIMEOUT` seconds without a request (0: never). The
    last request's time is written to the session at most once a minute, not on every request."""

    TOUCH_SECONDS = 60
    KEY = "_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
        session = getattr(request, "session", None)
        if idle and session is not None and session.session_key and request.user.is_authenticated:
            now = int(time.time())
            last = session.get(self.KEY)
            if isinstance(last, int) and now - last > idle:
                logout(request)  # flushes the session; the request goes on signed out
            elif not isinstance(last, int) or now - last >= self.TOUCH_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)
