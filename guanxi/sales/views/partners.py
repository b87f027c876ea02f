"""Channel partners (代理商): the managers' performance table and each partner's page with the
forecast of its monthly won amount (chart with the interval band, static/js/sales_analysis.js), and
the partner users' own home — their pipeline (stage, amount and close date changed in place), their
leads, a link to submit one, and their performance."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Role
from guanxi.core.errors import DomainError, ValidationFailed
from guanxi.core.masking import mask_email, mask_phone
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.marketing import permissions as lead_permissions
from guanxi.marketing.selectors.leads import lead_list

from .. import permissions
from ..forms.analysis import PartnerDealForm
from ..selectors import opportunities as opportunity_selectors
from ..selectors import partners as selectors
from ..services import partners as services

PIPELINE_ROWS = 50
LEAD_ROWS = 20


def _year(today: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months up to today."""
    end = today + dt.timedelta(days=1)
    return selectors.year_before(end), end


def _money(value) -> float | None:
    return None if value is None else float(value)


@login_required
@domain_errors_as_http
def partner_list_page(request):
    permissions.require(request.user, "partner", "read", message=permissions.PARTNER_DENIED)
    start, end = _year(timezone.localdate())
    rows = selectors.partner_performance(user=request.user, start=start, end=end)
    return render(request, "sales/partners.html", {"rows": rows, "start": start, "end": end})


def forecast_chart(result) -> dict:
    """The history and the forecast on one month axis; the band drawn as lower + (upper − lower)."""
    history = result.history[-24:]
    months = [m.strftime("%Y-%m") for m, _v in history] + [p.month.strftime("%Y-%m") for p in result.points]
    pad = [None] * len(history)
    return {"months": months, "won": [_money(v) for _m, v in history] + [None] * len(result.points),
            "mean": pad + [_money(p.mean) for p in result.points],
            "lower": pad + [_money(p.lower) for p in result.points],
            "band": pad + [_money(p.upper - p.lower) for p in result.points],
            "names": {"won": _("Won per month"), "mean": _("Forecast"), "band": _("80% interval")}}


@login_required
@domain_errors_as_http
def partner_detail(request, partner_id: int):
    partner = selectors.partner_get_for_user(user=request.user, partner_id=partner_id)
    start, end = _year(timezone.localdate())
    performance = selectors.partner_performance(user=request.user, start=start, end=end, partner_id=partner_id)[0]
    result = selectors.partner_forecast(user=request.user, partner_id=partner_id)
    return render(request, "sales/partner_detail.html", {
        "partner": partner, "performance": performance, "forecast": result, "start": start, "end": end,
        "chart": forecast_chart(result)})


def _lead_rows(user) -> list[dict]:
    rows = []
    for lead in lead_list(user=user)[:LEAD_ROWS]:
        unmasked = lead_permissions.can_see_personal_data(user, lead)
        rows.append({"lead": lead, "mobile": lead.mobile if unmasked else mask_phone(lead.mobile),
                     "email": lead.email if unmasked else mask_email(lead.email)})
    return rows


def partner_home_context(user) -> dict:
    """What a partner user's home shows (the page and the home panel)."""
    open_deals = opportunity_selectors.opportunity_list(user=user).filter(status="open")
    pipeline = list(open_deals.select_related("customer", "stage", "owner")
                    .order_by("expected_close_date", "id")[:PIPELINE_ROWS])
    start, end = _year(timezone.localdate())
    performance = selectors.partner_performance(user=user, start=start, end=end, partner_id=user.team_id)[0] \
        if user.team_id and selectors.partner_list(user=user).filter(pk=user.team_id).exists() else None
    return {"pipeline": pipeline, "open_count": open_deals.count(), "performance": performance, "start": start,
            "end": end,
            "forms": {o.pk: PartnerDealForm(initial={"stage": o.stage_id, "amount": o.amount,
                                                     "expected_close_date": o.expected_close_date},
                                            prefix=f"deal{o.pk}") for o in pipeline}}


@login_required
@domain_errors_as_http
def partner_home(request):
    if request.user.role != Role.PARTNER:
        return redirect("sales:partners")
    context = partner_home_context(request.user)
    context["deals"] = [(o, context["forms"][o.pk]) for o in context["pipeline"]]
    context["leads"] = _lead_rows(request.user)
    return render(request, "sales/partner_home.html", context)


@login_required
@require_POST
@domain_errors_as_http
def partner_deal_update(request, opportunity_id: int):
    """A partner changes its deal's stage, amount and expected close date (one transaction each)."""
    opportunity = opportunity_selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                                 action="write")
    form = PartnerDealForm(request.POST, prefix=f"deal{opportunity.pk}")
    if not form.is_valid():
        messages.error(request, _("The deal was not changed: %(errors)s") % {
            "errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect("sales:partner_home")
    data = form.cleaned_data
    try:
        services.partner_deal_update(actor=request.user, opportunity=opportunity, stage=data["stage"],
                                     amount=data["amount"], expected_close_date=data["expected_close_date"])
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        messages.error(request, _("The deal was not changed: %(errors)s") % {
            "errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect("sales:partner_home")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("sales:partner_home")
    messages.success(request, _("Deal %(name)s updated.") % {"name": opportunity.name})
    return redirect("sales:partner_home")
