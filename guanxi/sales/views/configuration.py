"""The sales settings (销售设置): stages, won/lost reasons, sales channels, the regions' tree,
outlets with their representatives, and the big-deal amount. Sales managers and administrators
only (`permissions.require_configure`; others get 403). Thin views: one service call per form."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http, submit_inline_form

from .. import permissions
from ..forms.configuration import (
    BigDealForm,
    ChannelForm,
    OutletForm,
    ReasonForm,
    RegionForm,
    RepAssignForm,
    StageForm,
)
from ..selectors import configuration as selectors
from ..services import configuration as services


@dataclass(frozen=True)
class Kind:
    """One kind of setting: its form, how to find one, the service that saves it."""

    form: type
    arg: str  # the service's keyword for the record being changed
    get: Any
    save: Any
    fields: tuple[str, ...]
    new_title: Any
    edit_title: Any


KINDS = {
    "stages": Kind(StageForm, "stage", lambda pk: selectors.stage_get(stage_id=pk), services.stage_save,
                   ("name", "order", "probability", "is_won", "is_lost", "is_active"),
                   gettext_lazy("New stage"), gettext_lazy("Edit stage")),
    "reasons": Kind(ReasonForm, "reason", lambda pk: selectors.reason_get(reason_id=pk), services.reason_save,
                    ("kind", "name", "is_active"), gettext_lazy("New won/lost reason"),
                    gettext_lazy("Edit won/lost reason")),
    "channels": Kind(ChannelForm, "channel", lambda pk: selectors.channel_get(channel_id=pk), services.channel_save,
                     ("code", "name", "order", "is_active"), gettext_lazy("New sales method"),
                     gettext_lazy("Edit sales method")),
    "regions": Kind(RegionForm, "region", lambda pk: selectors.region_get(region_id=pk), services.region_save,
                    ("name", "parent"), gettext_lazy("New region"), gettext_lazy("Edit region")),
    "outlets": Kind(OutletForm, "outlet", lambda pk: selectors.outlet_get(outlet_id=pk), services.outlet_save,
                    ("name", "region", "address", "is_active"), gettext_lazy("New outlet"),
                    gettext_lazy("Edit outlet")),
}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _assignments_by_outlet() -> dict[int, list]:
    by_outlet: dict[int, list] = {}
    for assignment in selectors.rep_assignment_list().filter(outlet__isnull=False):
        by_outlet.setdefault(assignment.outlet_id, []).append(assignment.user)
    return by_outlet


def _home_context(*, rep_form=None, big_deal_form=None) -> dict:
    reps = _assignments_by_outlet()
    return {
        "stages": [(s, services.stage_in_use(s)) for s in selectors.stage_list()],
        "reasons": selectors.reason_list(), "channels": selectors.channel_list(),
        "regions": selectors.region_tree(),
        "outlets": [(o, reps.get(o.pk, [])) for o in selectors.outlet_list()],
        "assignments": selectors.rep_assignment_list(),
        "rep_form": rep_form or RepAssignForm(prefix="rep"),
        "big_deal_form": big_deal_form or BigDealForm(
            prefix="big", initial={"amount": selectors.sales_settings().big_deal_amount}),
    }


@login_required
@domain_errors_as_http
def settings_home(request):
    permissions.require_configure(request.user)
    return render(request, "sales/settings/home.html", _home_context())


@login_required
@domain_errors_as_http
def setting_edit(request, setting_kind: str, setting_id: int | None = None):
    """Create (no `setting_id`) or change one stage, reason, channel, region or outlet."""
    kind, pk = setting_kind, setting_id
    permissions.require_configure(request.user)
    spec = _kind(kind)
    instance = spec.get(pk) if pk is not None else None
    initial = {name: getattr(instance, name) for name in spec.fields} if instance is not None else None
    form = spec.form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            spec.save(actor=request.user, **{spec.arg: instance}, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("sales:settings") + f"#{kind}")
    return render(request, "sales/settings/edit.html", {
        "form": form, "kind": kind, "instance": instance,
        "title": spec.edit_title if instance is not None else spec.new_title,
        "in_use": kind == "stages" and instance is not None and services.stage_in_use(instance)},
        status=400 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_POST
def stage_delete(request, setting_id: int):
    """Delete a stage no deal was ever in; one in use stays, with the reason and what to do instead."""
    permissions.require_configure(request.user)
    stage = selectors.stage_get(stage_id=setting_id)
    try:
        services.stage_delete(actor=request.user, stage=stage)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("sales:setting_edit", setting_kind="stages", setting_id=stage.pk)
    messages.success(request, _("Stage %(name)s deleted.") % {"name": stage.name})
    return redirect(reverse("sales:settings") + "#stages")


@login_required
@domain_errors_as_http
@require_POST
def rep_assign(request):
    """Assign a representative to an outlet or a region (htmx: the section comes back)."""
    permissions.require_configure(request.user)
    form = submit_inline_form(request, RepAssignForm(request.POST, prefix="rep"),
                              lambda **data: services.rep_assign(actor=request.user, **data),
                              _("Representative assigned."))
    return _section(request, "reps", rep_form=form)


@login_required
@domain_errors_as_http
@require_POST
def big_deal_amount(request):
    """Set the big-deal alert amount (大额业务提醒) (htmx: the section comes back)."""
    permissions.require_configure(request.user)
    form = submit_inline_form(request, BigDealForm(request.POST, prefix="big"),
                              lambda amount: services.big_deal_amount_set(actor=request.user, amount=amount),
                              _("Big-deal amount saved."))
    if not form.errors and not form.is_bound:
        form = BigDealForm(prefix="big", initial={"amount": selectors.sales_settings().big_deal_amount})
    return _section(request, "big_deal", big_deal_form=form)


def _section(request, name: str, **forms):
    if not request.htmx:
        for form in forms.values():
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
        return redirect(reverse("sales:settings") + f"#{name}")
    # htmx swaps 2xx answers only: the section comes back with its errors next to the fields.
    return render(request, f"sales/settings/partials/_{name}.html", _home_context(**forms))
