"""Care pages: the rules with this year's spending, one rule's care history with its costs per
month against the budget (ECharts), and the care tasks (completed with an outcome)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.masking import mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.views import domain_errors_as_http

from . import permissions, selectors, services

PER_PAGE = 50
MONTHS = [str(m) for m in range(1, 13)]


def _page(rows, request):
    try:
        return keyset_page(rows, cursor=request.GET.get("cursor", ""), limit=PER_PAGE)
    except (ValidationFailed, NotFound):
        return keyset_page(rows, limit=PER_PAGE)


@login_required
@domain_errors_as_http
def rule_list(request):
    year = timezone.localdate().year
    rules = [{"rule": rule, "spent": services.spent(rule, year)} for rule in selectors.rule_list(user=request.user)]
    return render(request, "care/rule_list.html", {
        "rules": rules, "year": year, "can_configure": permissions.can(request.user, "rule", "configure")})


@login_required
@domain_errors_as_http
def rule_detail(request, rule_id: int):
    rule = selectors.rule_get(user=request.user, rule_id=rule_id)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1901), 2099)
    spending = selectors.rule_spending(user=request.user, rule=rule, year=year)
    page = _page(selectors.action_list(user=request.user, rule=rule), request) \
        if permissions.can(request.user, "action", "read") else None
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    chart = {"months": MONTHS, "costs": spending["costs"], "counts": spending["counts"],
             "budget": float(rule.budget) if rule.budget is not None else None,
             "labels": {"cost": _("Cost"), "count": _("Actions"), "budget": _("Budget per year"),
                        "cumulative": _("Spent so far")}}
    return render(request, "care/rule_detail.html", {
        "rule": rule, "spending": spending, "chart": chart, "year": year,
        # The placeholder in the reader's words: {客户姓名} rather than {name}.
        "template_shown": rule.template.replace("{name}", "{" + _("customer name") + "}"),
        "actions": [{"a": a, "mobile": phone(a.customer.mobile)} for a in page.rows] if page else None,
        "next_cursor": page.next_cursor if page else None})


@login_required
@domain_errors_as_http
def task_list(request):
    open_only = request.GET.get("open", "1") == "1"
    page = _page(selectors.task_list(user=request.user, open_only=open_only), request)
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    return render(request, "care/task_list.html", {
        "items": [{"a": a, "mobile": phone(a.customer.mobile)} for a in page.rows],
        "next_cursor": page.next_cursor, "open_only": open_only})


@login_required
@require_POST
@domain_errors_as_http
def task_complete(request, action_id: int):
    action = selectors.task_get(user=request.user, action_id=action_id)
    outcome = request.POST.get("outcome", "").strip()
    if not outcome:
        messages.error(request, _("Say what came of the task."))
        return redirect("care:tasks")
    try:
        services.care_task_complete(actor=request.user, action=action, outcome=outcome[:5000])
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Care task completed."))
    return redirect("care:tasks")
