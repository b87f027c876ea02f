"""Care pages: the rules with this year's spending against their budgets, the rule form
(administrators: create, change, switch on/off, delete, with the next dates of the occasion), one
rule's care history with its costs per month against the budget (ECharts), and the care tasks
(completed with an outcome)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.masking import mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.views import add_service_errors, domain_errors_as_http

from . import calendar, permissions, selectors, services
from .enums import Festival, OccasionKind, PublicHoliday
from .forms import CareRuleForm
from .occasions import occasion_source

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
    for row in rules:  # budget against spent: the share used, capped at 100 for the bar
        budget = row["rule"].budget
        row["used"] = min(100, int(row["spent"] * 100 / budget)) if budget else None
    return render(request, "care/rule_list.html", {
        "rules": rules, "year": year, "can_configure": permissions.can(request.user, "rule", "configure")})


def _next_dates(occasion: str, key: str, lead_days: int) -> list[dict]:
    """The next days the occasion falls on, each with the day the run acts (days ahead)."""
    today = timezone.localdate()
    return [{"occasion": day, "run": day - dt.timedelta(days=lead_days)}
            for day in calendar.next_occasion_dates(occasion, key, today, count=3)]


def _occasion_key_label(key: str) -> str:
    for choices in (Festival, PublicHoliday):
        if key in choices.values:
            return str(choices(key).label)
    source = occasion_source(key)
    return str(source.label) if source is not None else ""


def _previews(lead_days: int) -> list[dict]:
    """The next dates of every festival and public holiday, for the form's preview."""
    rows = [(OccasionKind.LUNAR_FESTIVAL, f) for f in Festival] + [(OccasionKind.PUBLIC_HOLIDAY, h)
                                                                   for h in PublicHoliday]
    return [{"label": key.label, "occasion": occasion, "key": key.value,
             "dates": _next_dates(occasion, key.value, lead_days)} for occasion, key in rows]


def _rule_form(request, rule=None):
    permissions.require(request.user, "rule", "configure")
    if request.method == "POST":
        form = CareRuleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                rule = services.care_rule_save(actor=request.user, rule=rule, data=form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Care rule saved."))
                return redirect("care:rule_detail", care_rule_id=rule.pk)
    else:
        form = CareRuleForm(initial=CareRuleForm.initial_of(rule) if rule else None, user=request.user)
    lead = form["lead_days"].value()
    try:
        lead = min(max(int(lead), 0), services.MAX_LEAD_DAYS)
    except (TypeError, ValueError):
        lead = 0
    return render(request, "care/rule_form.html", {
        "form": form, "rule": rule, "previews": _previews(lead), "lead_days": lead,
        "selected": (form["occasion"].value(), form["occasion_key"].value())})


@login_required
@domain_errors_as_http
def rule_create(request):
    return _rule_form(request)


@login_required
@domain_errors_as_http
def rule_edit(request, care_rule_id: int):
    return _rule_form(request, selectors.rule_get(user=request.user, rule_id=care_rule_id))


@login_required
@require_POST
@domain_errors_as_http
def rule_toggle(request, care_rule_id: int):
    rule = selectors.rule_get(user=request.user, rule_id=care_rule_id)
    rule = services.care_rule_save(actor=request.user, rule=rule, data={"is_enabled": not rule.is_enabled})
    messages.success(request, _("Care rule switched on.") if rule.is_enabled else _("Care rule switched off."))
    if request.POST.get("next") == "detail":
        return redirect("care:rule_detail", care_rule_id=rule.pk)
    return redirect("care:rules")


@login_required
@require_POST
@domain_errors_as_http
def rule_delete(request, care_rule_id: int):
    rule = selectors.rule_get(user=request.user, rule_id=care_rule_id)
    try:
        services.care_rule_delete(actor=request.user, rule=rule)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("care:rule_detail", care_rule_id=rule.pk)
    messages.success(request, _("Care rule deleted."))
    return redirect("care:rules")


@login_required
@domain_errors_as_http
def rule_detail(request, care_rule_id: int):
    rule = selectors.rule_get(user=request.user, rule_id=care_rule_id)
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
        "can_configure": permissions.can(request.user, "rule", "configure"),
        "occasion_key_label": _occasion_key_label(rule.occasion_key),
        "next_dates": _next_dates(rule.occasion, rule.occasion_key, rule.lead_days),
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
def task_complete(request, care_action_id: int):
    action = selectors.task_get(user=request.user, action_id=care_action_id)
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
