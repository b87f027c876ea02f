import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from guanxi.core.errors import NotFound, PermissionDenied, ValidationFailed
from guanxi.core.pagination import CappedPage, capped_page

from . import metrics
from .health import readiness, system_health, workers
from .navigation import home_panels


def domain_errors_as_http(view):
    """Turn the selectors' and services' NotFound/PermissionDenied into the 404/403 pages."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def add_service_errors(form, exc: ValidationFailed) -> None:
    """Show a service's ValidationFailed on the form: each reason next to its field (translated
    when the catalog knows it), the message on top when no field is named."""
    for field, reason in (exc.fields or {}).items():
        form.add_error(field if field in form.fields else None, gettext(reason))
    if not exc.fields:
        form.add_error(None, exc.message)


def submit_inline_form(request, form, save, success_message):
    """A posted inline form (an htmx section of a page): when valid, `save(**cleaned_data)` (a service;
    its ValidationFailed goes on the form). Returns the form to show next: a fresh one after a save
    (with `success_message` for a whole-page answer), else the invalid one."""
    if form.is_valid():
        try:
            save(**form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, success_message)
            return type(form)(prefix=form.prefix)
    return form


def list_page(request, queryset, *, per_page: int, number: int | None = None) -> tuple[CappedPage, str]:
    """Page `number` (else the query's `page`; 1 when it is absent or not a number) of a list page's
    rows, and the query without `page` for the pager's links."""
    if number is None:
        try:
            number = max(1, int(request.GET.get("page") or 1))
        except ValueError:
            number = 1
    query = request.GET.copy()
    query.pop("page", None)
    return capped_page(queryset, page=number, per_page=per_page), query.urlencode()


def template_for(request, full: str, partial: str) -> str:
    """The fragment for htmx requests (boosted navigation excepted), the whole page otherwise."""
    return partial if request.htmx and not request.htmx.boosted else full


@never_cache
def healthz(request):
    report = system_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def healthz_live(request):
    """Liveness: the process answers (no dependency is checked; a dead database is not cured by a
    restart)."""
    return JsonResponse({"status": "ok"})


def healthz_ready(request):
    """Readiness: database reachable and migrated, Redis reachable when configured (503 otherwise)."""
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def healthz_workers(request):
    """Celery: a worker answers a ping (1 s) and beat ticked within BEAT_HEARTBEAT_MAX_AGE seconds;
    503 otherwise. Without a broker (tasks inline) both are ok."""
    report = workers()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def metrics_view(request):
    """Prometheus metrics, for `Authorization: Bearer <METRICS_TOKEN>` or a signed-in administrator."""
    bearer = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    user = getattr(request, "user", None)
    if not (metrics.token_matches(bearer, settings.METRICS_TOKEN) or getattr(user, "is_administrator", False)):
        known = bool(bearer) or bool(user and user.is_authenticated)
        return JsonResponse({"code": "forbidden" if known else "unauthenticated", "message": gettext("Not allowed."),
                             "fields": {}}, status=403 if known else 401)
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": home_panels(request.user)})
