"""Campaign pages (营销活动): the list, create and edit with the target group's count, the campaign's
page (members funnel, responses, expenses, ROI per channel), launch and cancel, and the opt-outs
(退订). Thin views over selectors/campaigns and services/campaigns."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.pagination import capped_page
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.customers.selectors import customer_get_for_user
from guanxi.segments.selectors import segment_list

from .. import permissions
from ..enums import FUNNEL, CampaignChannel, CampaignStatus, MemberStatus
from ..forms.campaigns import CampaignForm, ExpenseForm, OptOutForm, ResponseForm, campaign_initial
from ..models import Campaign
from ..revenue import revenue_sources
from ..selectors import campaigns as selectors
from ..services import campaigns as services

PAGE_SIZE = 25
MEMBER_ROWS = 50


@login_required
@domain_errors_as_http
def campaign_list(request):
    permissions.campaign_require(request.user, "campaign", "read")
    status = request.GET.get("status", "")
    qs = selectors.campaign_list(user=request.user)
    if status in CampaignStatus.values:
        qs = qs.filter(status=status)
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    page = capped_page(qs, page=page_number, per_page=PAGE_SIZE)
    return render(request, "marketing/campaign_list.html", {
        "page": page, "status": status, "statuses": CampaignStatus.choices,
        "can_write": permissions.campaign_can(request.user, "campaign", "write"),
        "can_opt_outs": permissions.campaign_can(request.user, "opt_out", "read")})


def _form(request, campaign=None) -> CampaignForm:
    initial = campaign_initial(campaign) if campaign else {"send_time": "10:00", "channels": ["sms"]}
    return CampaignForm(request.POST or None, initial=initial, segments=segment_list(user=request.user))


def _save(request, form: CampaignForm, campaign=None):
    try:
        if campaign is None:
            return services.campaign_create(actor=request.user, data=form.service_data(),
                                            segments=form.cleaned_data["segments"])
        return services.campaign_update(actor=request.user, campaign=campaign, data=form.service_data(),
                                        segments=form.cleaned_data["segments"])
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return None


def _form_page(request, form, campaign=None):
    status = 400 if form.errors else 200
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


@login_required
@domain_errors_as_http
def campaign_create(request):
    permissions.campaign_require(request.user, "campaign", "write")
    form = _form(request)
    if request.method == "POST" and form.is_valid() and (campaign := _save(request, form)):
        messages.success(request, _("Campaign saved as a draft."))
        return redirect("marketing:campaign_detail", campaign_id=campaign.pk)
    return _form_page(request, form)


@login_required
@domain_errors_as_http
def campaign_edit(request, campaign_id: int):
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id, action="write")
    if not campaign.is_editable:
        messages.error(request, _("Only a draft campaign can be changed or launched."))
        return redirect("marketing:campaign_detail", campaign_id=campaign.pk)
    form = _form(request, campaign)
    if request.method == "POST" and form.is_valid() and _save(request, form, campaign):
        messages.success(request, _("Campaign saved."))
        return redirect("marketing:campaign_detail", campaign_id=campaign.pk)
    return _form_page(request, form, campaign)


@login_required
@domain_errors_as_http
def campaign_preview(request):
    """htmx: how many customers the form's target group holds now."""
    permissions.campaign_require(request.user, "campaign", "write")
    form = CampaignForm(request.GET, segments=segment_list(user=request.user))
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items()}
    draft = Campaign(channels=data.get("channels") or [], industries=data.get("industries") or "",
                     occupations=data.get("occupations") or "", age_min=data.get("age_min"),
                     age_max=data.get("age_max"))
    form.cleaned_data.setdefault("budget", 0)
    try:
        draft.definition = form.service_data()["definition"]
        preview = selectors.target_preview(user=request.user, campaign=draft, today=timezone.localdate(),
                                           segments=list(data.get("segments") or []))
    except (ValidationFailed, KeyError):
        preview = None
    return render(request, "marketing/partials/_target_count.html", {"preview": preview})


def _roi_context(request, campaign) -> dict:
    if not permissions.campaign_can(request.user, "expense", "read"):
        return {}
    roi = selectors.campaign_roi_for_user(user=request.user, campaign=campaign)
    labels = dict(CampaignChannel.choices)
    rows = [{"channel": labels.get(c.channel, _("Not tied to a channel")), "revenue": c.revenue,
             "expenses": c.expenses, "roi": c.roi} for c in sorted(roi.channels.values(), key=lambda c: c.channel)]
    chart = {"categories": [str(r["channel"]) for r in rows],
             "series": [{"name": _("Attributed revenue"), "data": [float(r["revenue"]) for r in rows]},
                        {"name": _("Approved expenses"), "data": [float(r["expenses"]) for r in rows]}]}
    return {"roi": roi, "roi_rows": rows, "roi_chart": chart, "roi_percent": _percent(roi.roi),
            "revenue_sources": [str(s.label) for s in revenue_sources()]}


def _percent(value: Decimal | None):
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


@login_required
@domain_errors_as_http
def campaign_detail(request, campaign_id: int):
    """The campaign's page; its members (by status) and responses in pages of MEMBER_ROWS, each
    list's page alone for htmx (the pager's target names the list)."""
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    user = request.user
    status = request.GET.get("status", "")
    status = status if status in MemberStatus.values else ""
    members = capped_page(selectors.member_list(user=user, campaign=campaign, status=status or None),
                          page=_page_number(request, "page"), per_page=MEMBER_ROWS)
    responses = capped_page(selectors.response_list(user=user, campaign=campaign),
                            page=_page_number(request, "responses_page"), per_page=MEMBER_ROWS)
    counts = selectors.member_counts(campaign=campaign)
    context = {
        "campaign": campaign, "members": members, "responses": responses, "status": status,
        "member_filters": _member_filters(counts, status, responses.number),
        "members_query": _query(status=status, responses_page=responses.number),
        "responses_query": _query(status=status, page=members.number),
        "can_respond": permissions.campaign_can(user, "response", "write"), "response_form": ResponseForm(),
    }
    target = request.htmx.target if request.htmx and not request.htmx.boosted else None
    if target in ("gx-campaign-members", "gx-campaign-responses"):
        return render(request, f"marketing/partials/_campaign_{target.removeprefix('gx-campaign-')}.html", context)
    labels = dict(MemberStatus.choices)
    funnel = [{"name": str(labels[s]), "value": n} for s, n in selectors.member_funnel(counts)]
    context.update({
        "counts": [(labels[s], counts[s]) for s in MemberStatus.values if counts[s]],
        "funnel": {"steps": funnel}, "funnel_statuses": FUNNEL,
        "can_write": permissions.campaign_can(user, "campaign", "write"), "expense_form": ExpenseForm(),
        "expenses": selectors.expense_list(user=user, campaign=campaign)
        if permissions.campaign_can(user, "expense", "read") else None,
        "can_submit_expense": permissions.campaign_can(user, "expense", "write"),
        "can_decide": permissions.campaign_can(user, "expense", "configure"),
        **_roi_context(request, campaign),
    })
    return render(request, "marketing/campaign_detail.html", context)


def _page_number(request, name: str) -> int:
    try:
        return max(1, int(request.GET.get(name, 1)))
    except ValueError:
        return 1


def _query(**params) -> str:
    """A query string of the parameters that are set (page 1 left out)."""
    return urlencode({k: v for k, v in params.items() if v and v != 1})


def _member_filters(counts: dict[str, int], status: str, responses_page: int) -> list[dict]:
    """Links to the members of each status present (and to all), keeping the responses' page."""
    if not any(counts.values()):
        return []
    labels = dict(MemberStatus.choices)
    options = [("", _("All"), sum(counts.values()))] + [(s, labels[s], counts[s]) for s in MemberStatus.values
                                                       if counts[s]]
    return [{"label": label, "count": n, "active": value == status,
             "url": "?" + _query(status=value, responses_page=responses_page)} for value, label, n in options]


def _act(request, campaign_id: int, action, done: str):
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id, action="write")
    try:
        action(campaign)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("marketing:campaign_detail", campaign_id=campaign_id)


@login_required
@require_POST
@domain_errors_as_http
def campaign_launch(request, campaign_id: int):
    return _act(request, campaign_id, lambda c: services.campaign_launch(actor=request.user, campaign=c),
                _("Campaign launched: its members are fixed and it is sent from its start."))


@login_required
@require_POST
@domain_errors_as_http
def campaign_cancel(request, campaign_id: int):
    return _act(request, campaign_id, lambda c: services.campaign_cancel(actor=request.user, campaign=c),
                _("Campaign cancelled."))


@login_required
@require_POST
@domain_errors_as_http
def response_create(request, campaign_id: int):
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a response."))
        return redirect("marketing:campaign_detail", campaign_id=campaign_id)
    data = form.cleaned_data
    try:
        member = selectors.member_get_for_user(user=request.user, campaign=campaign, member_id=data["member"])
        services.response_record(actor=request.user, member=member, kind=data["kind"], channel=data["channel"],
                                 note=data["note"], create_lead=data["create_lead"])
    except (ValidationFailed, Conflict, NotFound) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Response recorded."))
    return redirect("marketing:campaign_detail", campaign_id=campaign_id)


@login_required
@require_POST
@domain_errors_as_http
def expense_create(request, campaign_id: int):
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    permissions.campaign_require(request.user, "expense", "write")
    form = ExpenseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the expense: amount, category and date are required."))
        return redirect("marketing:campaign_detail", campaign_id=campaign_id)
    try:
        services.expense_submit(actor=request.user, campaign=campaign, **form.cleaned_data)
    except ValidationFailed as exc:
        messages.error(request, "; ".join(exc.fields.values()) or exc.message)
    else:
        messages.success(request, _("Expense submitted for approval."))
    return redirect("marketing:campaign_detail", campaign_id=campaign_id)


@login_required
@require_POST
@domain_errors_as_http
def expense_decide(request, campaign_id: int, expense_id: int):
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    expense = selectors.expense_get_for_user(user=request.user, campaign=campaign, expense_id=expense_id)
    try:
        services.expense_decide(actor=request.user, expense=expense, approve=request.POST.get("approve") == "1")
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("marketing:campaign_detail", campaign_id=campaign_id)


@login_required
@domain_errors_as_http
def opt_out_list(request):
    form = OptOutForm(request.POST or None)
    user = request.user
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_get_for_user(user=user, customer_id=form.cleaned_data["customer"])
            services.opt_out_record(actor=user, customer=customer, channel=form.cleaned_data["channel"],
                                    note=form.cleaned_data["note"])
        except NotFound:
            form.add_error("customer", _("unknown customer"))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Opt-out recorded."))
            return redirect("marketing:opt_outs")
    rows = selectors.opt_out_list(user=user)[:200]
    return render(request, "marketing/opt_out_list.html", {
        "form": form, "rows": rows, "can_write": permissions.campaign_can(user, "opt_out", "write")},
        status=400 if form.errors else 200)


@login_required
@require_POST
@domain_errors_as_http
def opt_out_withdraw(request, opt_out_id: int):
    opt_out = selectors.opt_out_list(user=request.user).filter(pk=opt_out_id).first()
    if opt_out is None:
        raise NotFound(_("Opt-out not found."))
    services.opt_out_withdraw(actor=request.user, opt_out=opt_out)
    messages.success(request, _("Opt-out withdrawn."))
    return redirect("marketing:opt_outs")
