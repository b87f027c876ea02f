"""The pool's pages: the 公海 list (leads and customers, claim), my claims (days until return,
release), the rule configuration (managers and administrators) and the log; thin views over
selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.selectors import user_visible_to
from guanxi.core.errors import Conflict, NotFound, ValidationFailed, referenced, translated
from guanxi.core.masking import mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.customers.value import value_tier

from . import permissions, selectors, services
from .enums import EventKind, RecordKind, Tier
from .forms import LimitForm, RuleForm

PER_PAGE = 30


def _record(kind: str, ids: dict) -> dict:
    if kind == RecordKind.LEAD:
        return {"lead": selectors.pool_lead_get(lead_id=ids["lead_id"])}
    return {"customer": selectors.pool_customer_get(customer_id=ids["customer_id"])}


@login_required
@domain_errors_as_http
def pool_list(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in RecordKind.values else RecordKind.CUSTOMER
    q = request.GET.get("q", "").strip()[:100]
    tier = request.GET.get("tier") if request.GET.get("tier") in Tier.values else ""
    province = request.GET.get("province", "").strip()[:20]
    if tab == RecordKind.LEAD:
        rows = selectors.pool_leads(user=request.user, query=q, province=province)
    else:
        rows = selectors.pool_customers(user=request.user, query=q, tier=tier)
    try:
        page = keyset_page(rows, cursor=request.GET.get("cursor", ""), limit=PER_PAGE)
    except ValidationFailed:
        page = keyset_page(rows, limit=PER_PAGE)
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    customers = tab == RecordKind.CUSTOMER
    items = [{"r": r, "mobile": phone(r.mobile), "tier": Tier(value_tier(r.arpu)).label if customers else ""}
             for r in page.rows]
    held, limit = (selectors.held_count(request.user), selectors.claim_limit_for(request.user)) \
        if permissions.may_hold(request.user) else (None, None)
    return render(request, "pool/pool_list.html", {
        "tab": tab, "items": items, "next_cursor": page.next_cursor, "q": q, "tier": tier, "province": province,
        "tiers": Tier.choices, "can_claim": permissions.may_hold(request.user), "held": held, "limit": limit,
        "masked": not permissions.sees_personal_data(request.user)})


@login_required
@require_POST
@domain_errors_as_http
def pool_claim(request, kind: str, **ids):
    try:
        services.pool_claim(actor=request.user, **_record(kind, ids))
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, translated(exc.message))
    else:
        messages.success(request, _("Claimed from the public pool."))
    return redirect(f"{reverse('pool:list')}?tab={kind}")


@login_required
@require_POST
@domain_errors_as_http
def pool_release(request, kind: str, **ids):
    try:
        services.pool_release(actor=request.user, **_record(kind, ids))
    except Conflict as exc:
        messages.error(request, translated(exc.message))
    else:
        messages.success(request, _("Released to the public pool."))
    return redirect("pool:mine")


@login_required
@domain_errors_as_http
def pool_mine(request):
    held = selectors.my_holdings(user=request.user)
    limit = selectors.claim_limit_for(request.user) if permissions.may_hold(request.user) else None
    return render(request, "pool/pool_mine.html", {"held": held, "limit": limit})


@login_required
@domain_errors_as_http
def pool_rules(request):
    rules = list(selectors.rules(user=request.user))
    can_configure = permissions.can(request.user, "rule", "configure")
    form, limit_form = RuleForm(prefix="rule"), LimitForm(prefix="limit")
    if request.method == "POST":
        permissions.require(request.user, "rule", "configure")
        if "rule-name" in request.POST:
            form = RuleForm(request.POST, prefix="rule")
            if form.is_valid() and _save_rule(request, form):
                return redirect("pool:rules")
        else:
            limit_form = LimitForm(request.POST, prefix="limit")
            if limit_form.is_valid() and _save_limit(request, limit_form):
                return redirect("pool:rules")
    return render(request, "pool/pool_rules.html", {
        "rules": rules, "limits": selectors.claim_limits(user=request.user), "can_configure": can_configure,
        "form": form, "limit_form": limit_form})


def _save_rule(request, form) -> bool:
    try:
        services.rule_save(actor=request.user, data=form.cleaned_data)
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("Rule saved."))
    return True


def _save_limit(request, form) -> bool:
    data = form.cleaned_data
    try:
        user = referenced(user_visible_to, field="username", reason=_("No such user."), viewer=request.user,
                          username=data["username"]) if data["username"] else None
        services.claim_limit_set(actor=request.user, limit=data["limit"], role=data["role"] if not user else "",
                                 user=user)
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("Claim limit saved."))
    return True


@login_required
@require_POST
@domain_errors_as_http
def pool_rule_toggle(request, rule_id: int):
    rule = selectors.rule_get(user=request.user, rule_id=rule_id)
    services.rule_save(actor=request.user, rule=rule, data={"is_enabled": not rule.is_enabled})
    return redirect("pool:rules")


@login_required
@domain_errors_as_http
def pool_log(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in EventKind.values else ""
    rows = selectors.events(user=request.user, kind=kind)
    try:
        page = keyset_page(rows, cursor=request.GET.get("cursor", ""), limit=PER_PAGE * 2)
    except (ValidationFailed, NotFound):
        page = keyset_page(rows, limit=PER_PAGE * 2)
    return render(request, "pool/pool_log.html", {"events": page.rows, "next_cursor": page.next_cursor,
                                                  "kind": kind, "kinds": EventKind.choices})
