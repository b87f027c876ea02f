"""The REST API at /api/v1/: one NinjaAPI, token or session auth, one error body for every 4xx
and 5xx, whatever the settings (never a traceback, even with DEBUG on)."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from guanxi.accounts.api import router as accounts_router
from guanxi.accounts.services import api_token_authenticate, api_token_expired
from guanxi.analytics.api import router as analytics_router
from guanxi.care.api import router as care_router
from guanxi.catalog.api import router as catalog_router
from guanxi.core.api import ErrorDocumentingAPI
from guanxi.core.errors import DomainError, PermissionDenied, Unauthenticated, translated
from guanxi.core.validation_messages import validation_reason
from guanxi.customers.api import router as customers_router
from guanxi.integrations.messaging.api import router as messaging_router
from guanxi.key_accounts.api import router as key_accounts_router
from guanxi.marketing.api import router as marketing_router
from guanxi.offers.api import router as offers_router
from guanxi.orders.api import router as orders_router
from guanxi.pool.api import router as pool_router
from guanxi.privacy.api import router as privacy_router
from guanxi.sales.api import router as sales_router
from guanxi.segments.api import router as segments_router
from guanxi.servicedesk.api import router as servicedesk_router
from guanxi.surveys.analysis_api import router as survey_analysis_router
from guanxi.surveys.api import router as surveys_router
from guanxi.surveys.api_channels import router as survey_channels_router
from guanxi.tasks.api import router as tasks_router
from guanxi.warranty.api import router as warranty_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gx_…` with a personal API token."""

    def authenticate(self, request, token):
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        elif api_token_expired(raw=token):
            raise Unauthenticated(_("This API token has expired: create a new one on your profile page."),
                                  code="token_expired")
        return user


class SessionAuth(APIKeyCookie):
    """The UI's session cookie; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def _get_key(self, request):
        # Without a logged-in session there is nothing for a forged request to ride on: no CSRF
        # check, and the request ends as 401 (not "403 CSRF") when no other credential holds.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("CSRF check failed: send the session's token in X-CSRFToken."), code="csrf_failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = ErrorDocumentingAPI(
    title="Guanxi API",
    version="1.0.0",
    description='Customer relationship and customer service management. Errors: `{"code", "message", "fields"}`.',
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)
api.add_router("", accounts_router)
api.add_router("", customers_router)
api.add_router("", catalog_router)
api.add_router("", segments_router)
api.add_router("", offers_router)
api.add_router("", marketing_router)
api.add_router("", sales_router)
api.add_router("", pool_router)
api.add_router("", orders_router)
api.add_router("", servicedesk_router)
api.add_router("", tasks_router)
api.add_router("", surveys_router)
api.add_router("", survey_analysis_router)
api.add_router("", warranty_router)
api.add_router("", care_router)
api.add_router("", key_accounts_router)
api.add_router("", analytics_router)
api.add_router("", messaging_router)
api.add_router("", survey_channels_router)
api.add_router("", privacy_router)


def _error(request, status, code, message, fields=None, **extra):
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}, **extra},
                               status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.fields, **exc.body_extra())


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        fields[_field_name(error.get("loc", []))] = validation_reason(error)
    return _error(request, 422, "validation_error", _("Some fields are not valid."), fields)


def _field_name(loc) -> str:
    """("body", "payload", "mobile") → "mobile"; the parameter group names are not fields."""
    loc = [str(part) for part in loc]
    if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        loc = loc[1:]
    if len(loc) > 1 and loc[0] in ("payload", "filters", "page"):
        loc = loc[1:]
    return ".".join(loc) if loc and loc != ["payload"] else "body"


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


# django-ninja's own messages, translated when answered (guanxi.core.errors.translated).
NINJA_MESSAGES = (gettext_noop("Cannot parse request body"), gettext_noop("CSRF check Failed"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = {400: "bad_request", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _error(request, exc.status_code, code, translated(str(exc)))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "payload_too_large", _("The request body is too large."))


@api.exception_handler(Exception)
def on_server_error(request, exc):
    """A bug: logged with its traceback on the server, never shown to the caller."""
    response = _error(request, 500, "server_error", _("Something went wrong on the server."))
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response
