"""The privacy officer's page: export a customer's data, file, review and execute erasure requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.views import add_service_errors, domain_errors_as_http

from . import access_report, permissions, retention, selectors, services
from .api import access_log_file, export_response
from .forms import AccessLogFilterForm, CustomerRequestForm, RetentionRuleForm, ReviewForm
from .models import MAX_DAYS


@login_required
@domain_errors_as_http
def home(request):
    permissions.require(request.user, "export", "read")
    page = Paginator(selectors.data_request_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "privacy/home.html", {"page": page, "form": CustomerRequestForm(),
                                                 "review_form": ReviewForm()})


@login_required
@require_POST
@domain_errors_as_http
def customer_request(request):
    """Export (answered with the file) or file an erasure request, by the customer's number."""
    form = CustomerRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the customer's number."))
        return redirect("privacy:home")
    try:
        customer = selectors.privacy_customer_get(user=request.user, customer_id=form.cleaned_data["customer"])
    except NotFound:
        messages.error(request, _("No customer has this number."))
        return redirect("privacy:home")
    if request.POST.get("action") == "export":
        return export_response(request, customer.pk)
    try:
        services.erasure_request(actor=request.user, customer=customer, note=form.cleaned_data["note"])
        messages.success(request, _("Erasure request filed."))
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("privacy:home")


@login_required
@require_POST
@domain_errors_as_http
def request_act(request, request_id: int):
    """Approve, reject or execute one erasure request; a legal hold is shown with its reasons."""
    data_request = selectors.data_request_get(user=request.user, request_id=request_id)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    action = request.POST.get("action")
    try:
        if action in ("approve", "reject"):
            services.erasure_review(actor=request.user, request=data_request, approve=action == "approve", note=note)
            messages.success(request, _("Request approved.") if action == "approve" else _("Request rejected."))
        elif action == "execute":
            services.erasure_execute(actor=request.user, request=data_request)
            messages.success(request, _("The customer's personal data has been erased."))
    except Conflict as exc:
        messages.error(request, " ".join([exc.message, *exc.fields.values()]))
    return redirect("privacy:home")


ACCESS_PAGE_ROWS = 50


@login_required
@domain_errors_as_http
def access_log(request):
    """Who was shown which customer's unmasked personal data: filters, pages to the end (cursor),
    CSV and XLSX of the filtered log."""
    permissions.require(request.user, "access_log", "read")
    form = AccessLogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.access_log(user=request.user, staff=data.get("staff") or "", customer_id=data.get("customer"),
                                date_from=data.get("date_from"), date_to=data.get("date_to"),
                                channel=data.get("channel") or "")
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        return access_log_file(request, rows, file_format)
    try:
        page = keyset_page(rows, cursor=request.GET.get("cursor", "")[:1000], limit=ACCESS_PAGE_ROWS)
    except ValidationFailed:
        page = keyset_page(rows, limit=ACCESS_PAGE_ROWS)
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("format", None)
    return render(request, "privacy/access_log.html", {
        "form": form,
        "rows": [access_report.access_row(r) | {"obj": r, "field_labels": access_report.field_labels(r.fields)}
                 for r in page.rows],
        "next_cursor": page.next_cursor, "query": query.urlencode(), "first": not request.GET.get("cursor")})


RUNS_PAGE_ROWS = 25


def _retention_page(request, preview=None, status=200):
    rules = selectors.retention_rule_list(user=request.user)
    runs = Paginator(selectors.retention_run_list(user=request.user), RUNS_PAGE_ROWS).get_page(request.GET.get("page"))
    previews = {run.kind: run for run in preview or []}
    for rule in rules:
        rule.preview = previews.get(rule.kind)
    return render(request, "privacy/retention.html", {
        "rules": rules, "runs": runs, "previewed": preview is not None,
        "may_configure": permissions.can(request.user, "retention", "configure")}, status=status)


@login_required
@domain_errors_as_http
def retention_home(request):
    """The retention rules with their last run, and the history of runs (privacy officer and managers)."""
    return _retention_page(request)


@login_required
@require_POST
@domain_errors_as_http
def retention_preview(request):
    """A dry run of every rule, enabled or not: what would go now, per kind; nothing changes."""
    return _retention_page(request, preview=retention.retention_sweep(actor=request.user, dry_run=True))


@login_required
@domain_errors_as_http
def retention_rule_edit(request, retention_rule_id: int):
    """Edit one rule: period, action (those the kind allows), enabled."""
    rule = selectors.retention_rule_get(user=request.user, rule_id=retention_rule_id)
    permissions.require(request.user, "retention", "configure")
    status = 200
    if request.method == "POST":
        form = RetentionRuleForm(request.POST, rule=rule)
        if form.is_valid():
            try:
                retention.retention_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
                messages.success(request, _("Retention rule saved."))
                return redirect("privacy:retention")
            except ValidationFailed as exc:
                add_service_errors(form, exc)
        status = 422
    else:
        form = RetentionRuleForm(initial={"period_days": rule.period_days, "action": rule.action,
                                          "is_enabled": rule.is_enabled}, rule=rule)
    return render(request, "privacy/retention_rule.html", {
        "rule": rule, "form": form, "max_days": MAX_DAYS}, status=status)
