"""三包 pages: look a unit up by serial number, see each part's period, ask for a decision and
read it with the rules that applied."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http

from . import selectors, services
from .forms import DecisionForm, SerialLookupForm
from .models import Remedy
from .reasons import reason_text

# The engine explains each rule in English with its figures; pages name the rule in the user's
# language and show the figures (dates, days, amount) beside it.
RULE_TITLES = {
    "start_invoice": _("The period runs from the invoice date"),
    "start_proof": _("No invoice: the period runs from the date of the other proof"),
    "start_factory_fallback": _("No proof of purchase: the period runs from the factory date plus the grace days"),
    "exchange_restart": _("An exchange restarted the period"),
    "repair_days_excluded": _("Days in repair do not count towards the period"),
    "gift_covered": _("A gift is covered like a purchase"),
    "repair_guarantee": _("A repaired product must keep working: the repair is free"),
    "out_of_period": _("Outside the period: a paid repair"),
    "in_period": _("The fault is inside the period"),
    "repair_overdue_exchange": _("The repair took too long: free exchange"),
    "repair_overdue_loaner": _("The repair takes long: a free loaner"),
    "refund_window": _("Fault within the refund window: refund, exchange or repair"),
    "exchange_window": _("Fault within the exchange window: exchange or repair"),
    "repeated_repair_exchange": _("Still faulty after repeated repairs: exchange"),
    "free_repair": _("Inside the period: free repair"),
    "no_stock_refund": _("The same model is out of stock: full refund"),
    "depreciated_refund": _("The customer prefers money: refund less depreciation"),
}


REMEDY_LABELS = dict(Remedy.choices)


def _parts(unit) -> list[tuple[str, str]]:
    return [(part.policy.code, part.policy.name) for part in selectors.coverages_of(product_id=unit.product_id)]


@login_required
@require_http_methods(["GET"])
def warranty_home(request):
    """Look up a serial number; the latest decisions on customers the user may read."""
    form = SerialLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("warranty:serial", serial=form.cleaned_data["serial"].strip())
    decisions = selectors.decision_list(user=request.user)[:20]
    return render(request, "warranty/home.html", {"form": form, "decisions": decisions})


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def serial_detail(request, serial: str):
    """One unit: its sale, each part's period as of today, and the form that asks for a decision."""
    unit, sale = selectors.serial_get_for_user(user=request.user, serial=serial)
    form = DecisionForm(request.POST or None, parts=_parts(unit))
    if request.method == "POST":
        if sale is None:
            raise NotFound("No sale of this serial number found.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.warranty_decide(
                    actor=request.user, sale=sale, part=data["part"], fault_date=data["fault_date"],
                    customer_wants=data["customer_wants"] or None, stock_available=data["stock_available"])
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                return redirect("warranty:decision", decision_id=decision.pk)
    context = {"unit": unit, "sale": sale, "form": form,
               "parts": selectors.serial_status(sale=sale, unit=unit),
               "decisions": selectors.decision_list(user=request.user).filter(sale__serial=unit)[:10]}
    return render(request, "warranty/serial.html", context, status=422 if form.errors else 200)


@login_required
@domain_errors_as_http
def decision_detail(request, decision_id: int):
    decision = selectors.decision_get_for_user(user=request.user, decision_id=decision_id)
    rules = [{"code": r["code"], "title": RULE_TITLES.get(r["code"], r["code"]),
              "reason": reason_text(r["code"], r["reason"])} for r in decision.rules]
    return render(request, "warranty/decision.html", {"decision": decision, "rules": rules,
                                                      "allowed": [REMEDY_LABELS.get(r, r) for r in decision.allowed]})
