"""Pages of the duplicate scans (重复客户扫描): start one, follow its progress on the review queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.core.views import domain_errors_as_http

from ..selectors.dedupe import can_run_dedupe, dedupe_scan_latest
from ..selectors.merging import can_review_duplicates
from ..services.dedupe import dedupe_scan_start


def require_reviewer(user) -> None:
    """Duplicates are reviewed (and scans followed) by the roles that may merge customers."""
    if not can_review_duplicates(user):
        raise PermissionDenied(_("Your role cannot merge customers."))


def scan_context(user) -> dict:
    """The scan panel of the review queue: the latest scan, and whether the user may start one."""
    return {"scan": dedupe_scan_latest(), "can_scan": can_run_dedupe(user)}


@login_required
@domain_errors_as_http
@require_POST
def dedupe_scan_start_view(request):
    try:
        dedupe_scan_start(actor=request.user)
    except Conflict:
        messages.info(request, _("A duplicate scan is already running."))
    if request.htmx:
        return render(request, "customers/partials/_scan_status.html", scan_context(request.user))
    return redirect("customers:duplicates")


@login_required
@domain_errors_as_http
@require_GET
def dedupe_scan_status(request):
    """The scan panel; polled by htmx while a scan runs, reloads the page when it has finished."""
    require_reviewer(request.user)
    context = scan_context(request.user)
    response = render(request, "customers/partials/_scan_status.html", context)
    if request.GET.get("active") and not (context["scan"] and context["scan"].is_active):
        response["HX-Refresh"] = "true"
    return response
