import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from guanxi.core.errors import NotFound, PermissionDenied

from .health import system_health
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


@never_cache
def healthz(request):
    report = system_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
def home(request):
    return render(request, "core/home.html", {"panels": home_panels(request.user)})
