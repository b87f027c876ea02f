"""An opportunity's page (its stage history, competitors, move / win / lose) and the forms to open
and change one; thin views over selectors/opportunities and services/opportunities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError, NotFound, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.core.versioning import VersionConflict, show_version_conflict
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.customers.permissions import can_see_personal_data
from guanxi.customers.selectors import customer_get_for_user
from guanxi.marketing.selectors.campaigns import campaign_list

from .. import permissions
from ..forms.opportunities import CloseForm, MoveForm, OpportunityForm, competitors_text
from ..models import DealReason
from ..selectors import opportunities as selectors
from ..services import opportunities as services
from .board import error_text


def _text(user, opportunity):
    return (lambda v: v) if can_see_personal_data(user=user, customer=opportunity.customer) else mask_free_text


@login_required
@domain_errors_as_http
def opportunity_detail(request, opportunity_id: int):
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    text = _text(request.user, opportunity)
    can_write = opportunity.is_open and permissions.can_write_opportunity(request.user, opportunity)
    history = selectors.stage_history(opportunity=opportunity)
    version = {"version": opportunity.version}
    return render(request, "sales/opportunity_detail.html", {
        "o": opportunity, "name": text(opportunity.name), "reason_note": text(opportunity.reason_note),
        "competitors": [(c.name, text(c.note)) for c in opportunity.competitors.all()],
        "history": [{"m": m, "days": round(m.seconds_in_previous / 86400, 1)
                     if m.seconds_in_previous is not None else None} for m in history],
        "can_write": can_write,
        "move_form": MoveForm(initial={"stage": opportunity.stage_id, **version}) if can_write else None,
        "win_form": CloseForm(kind=DealReason.Kind.WON, prefix="win", initial=version) if can_write else None,
        "lose_form": CloseForm(kind=DealReason.Kind.LOST, prefix="lose", initial=version) if can_write else None,
        # the campaign as a link only for those who may open it (an agent sees its name, not a 404)
        "campaign_link": bool(opportunity.campaign_id) and campaign_list(user=request.user).filter(
            pk=opportunity.campaign_id).exists(),
    })


def _form_data(form) -> dict:
    data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    data["source"] = data.get("source") or ""
    return data


@login_required
@domain_errors_as_http
def opportunity_create(request):
    """Open a deal with a customer (the customer page links here with ?customer=)."""
    permissions.require(request.user, "opportunity", "write", message=_("Your role cannot create opportunities."))
    form = OpportunityForm(request.POST or None, initial={"customer": request.GET.get("customer", "")})
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        try:
            customer = customer_get_for_user(user=request.user, customer_id=data["customer"])
            opportunity = services.opportunity_create(
                actor=request.user, customer=customer, name=data["name"], amount=data["amount"],
                expected_close_date=data["expected_close_date"], stage=data.get("stage"),
                probability=data.get("probability"), channel=data.get("channel"), source=data["source"],
                competitors=data["competitors"], campaign=data.get("campaign"))
        except NotFound:
            form.add_error("customer", _("No customer of yours has this number."))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Opportunity opened."))
            return redirect("sales:opportunity", opportunity.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "editing": False})


@login_required
@domain_errors_as_http
def opportunity_edit(request, opportunity_id: int):
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                     action="write")
    initial = {"name": opportunity.name, "amount": opportunity.amount,
               "expected_close_date": opportunity.expected_close_date,
               "probability": opportunity.probability if opportunity.probability_overridden else None,
               "channel": opportunity.channel_id, "source": opportunity.source, "campaign": opportunity.campaign_id,
               "competitors": competitors_text(opportunity), "version": opportunity.version}
    form = OpportunityForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(actor=request.user, opportunity=opportunity, data=_form_data(form),
                                        expected_version=form.cleaned_data.get("version"))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except VersionConflict as exc:
            show_version_conflict(form, exc)
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect("sales:opportunity", opportunity.pk)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("sales:opportunity", opportunity.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "editing": True, "o": opportunity})


@login_required
@domain_errors_as_http
@require_POST
def opportunity_action(request, opportunity_id: int, action: str):
    """Move, win or lose from the deal's page."""
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                     action="write")
    if action == "move":
        form = MoveForm(request.POST)
    else:
        kind = DealReason.Kind.WON if action == "win" else DealReason.Kind.LOST
        form = CloseForm(request.POST, kind=kind, prefix=action)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("sales:opportunity", opportunity.pk)
    data = form.cleaned_data
    version = data.get("version")
    try:
        if action == "move":
            services.opportunity_move(actor=request.user, opportunity=opportunity, stage=data["stage"],
                                      expected_version=version)
        elif action == "win":
            services.opportunity_win(actor=request.user, opportunity=opportunity, reason=data.get("reason"),
                                     note=data.get("note") or "", expected_version=version)
        else:
            services.opportunity_lose(actor=request.user, opportunity=opportunity, reason=data.get("reason"),
                                      note=data.get("note") or "", expected_version=version)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, {"move": _("Stage changed."), "win": _("Deal won."),
                                   "lose": _("Deal lost.")}[action])
    return redirect("sales:opportunity", opportunity.pk)
