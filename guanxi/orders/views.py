"""Pages of orders, contracts, payments and receivables: thin views over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.catalog.selectors import product_get_for_user
from guanxi.core.errors import DomainError, NotFound, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.customers.permissions import can_see_personal_data
from guanxi.customers.selectors import customer_get_for_user

from . import permissions, selectors, services
from .forms import AgeingForm, CancelForm, LineFormSet, OrderForm, PaymentForm
from .models import Contract, Order

PER_PAGE = 30
ACTIONS = ("confirm", "deliver", "cancel")


def _page(request, queryset):
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    return Paginator(queryset, PER_PAGE).get_page(number)


def _error_text(exc: DomainError) -> str:
    if exc.fields:
        return "；".join(f"{_(str(reason))}" for reason in exc.fields.values())
    return str(exc.message)


@login_required
@domain_errors_as_http
def order_list(request):
    status = request.GET.get("status", "")
    filters = selectors.OrderFilter(status=status if status in Order.Status.values else "",
                                    open_only=request.GET.get("open") == "1")
    return render(request, "orders/order_list.html", {
        "page": _page(request, selectors.order_search(user=request.user, filters=filters)),
        "statuses": Order.Status.choices, "status": filters.status, "open_only": filters.open_only,
        "can_create": permissions.can(request.user, "order", "write"),
        "can_see_receivables": permissions.can(request.user, "receivable", "read"),
    })


def _lines_of(request, formset) -> list[dict]:
    lines, errors = [], {}
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data:
            continue
        try:
            product = product_get_for_user(user=request.user, product_id=data["product"])
        except NotFound:
            errors[f"lines[{index}].product"] = _("does not exist")
            continue
        lines.append({"product": product, "quantity": data["quantity"], "unit_price": data.get("unit_price"),
                      "serial": data.get("serial") or ""})
    if errors:
        raise ValidationFailed(fields=errors)
    return lines


@login_required
@domain_errors_as_http
def order_create(request):
    """A draft order (the customer page links here with ?customer=); lines are added with htmx."""
    permissions.require(request.user, "order", "write", message=_("Your role cannot create orders."))
    form = OrderForm(request.POST or None, initial={"customer": request.GET.get("customer", ""),
                                                    "order_date": timezone.localdate()})
    formset = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_get_for_user(user=request.user, customer_id=data["customer"])
            order = services.order_create(actor=request.user, customer=customer, order_date=data["order_date"],
                                          due_on=data.get("due_on"), lines=_lines_of(request, formset),
                                          note=data.get("note") or "")
        except NotFound:
            form.add_error("customer", _("No customer of yours has this number."))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Order created."))
            return redirect("orders:order", order.pk)
    return render(request, "orders/order_form.html", {"form": form, "formset": formset})


@login_required
def order_line_row(request):
    """One more empty line for the order form (htmx)."""
    try:
        index = max(0, min(199, int(request.GET.get("index", "0"))))
    except ValueError:
        index = 0
    form = LineFormSet(prefix="lines").empty_form
    form.prefix = f"lines-{index}"
    return render(request, "orders/partials/_line_row.html", {"line": form})


@login_required
@domain_errors_as_http
def order_detail(request, order_id: int):
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    text = (lambda v: v) if can_see_personal_data(user=request.user, customer=order.customer) else mask_free_text
    can_write = permissions.in_reach(request.user, "order", order)
    return render(request, "orders/order_detail.html", {
        "order": order, "note": text(order.note), "lines": selectors.order_lines(order=order),
        "plan": selectors.plan_of(order=order), "allocations": selectors.allocations_of(order=order),
        "can_write": can_write, "cancel_form": CancelForm(prefix="cancel"),
    })


@require_POST
@login_required
@domain_errors_as_http
def order_action(request, order_id: int, action: str):
    if action not in ACTIONS:
        raise Http404
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    try:
        if action == "confirm":
            services.order_confirm(actor=request.user, order=order)
        elif action == "deliver":
            services.order_deliver(actor=request.user, order=order)
        else:
            form = CancelForm(request.POST, prefix="cancel")
            if not form.is_valid():
                raise ValidationFailed(fields={"reason": _("required, at most 200 characters")})
            services.order_cancel(actor=request.user, order=order, reason=form.cleaned_data["reason"])
    except (ValidationFailed, DomainError) as exc:
        if getattr(exc, "status", 400) == 403:
            raise
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, {"confirm": _("Order confirmed."), "deliver": _("Order delivered."),
                                   "cancel": _("Order cancelled.")}[action])
    return redirect("orders:order", order.pk)


@login_required
@domain_errors_as_http
def contract_list(request):
    status = request.GET.get("status", "")
    status = status if status in Contract.Status.values else ""
    return render(request, "orders/contract_list.html", {
        "page": _page(request, selectors.contract_search(user=request.user, status=status)),
        "statuses": Contract.Status.choices, "status": status})


@login_required
@domain_errors_as_http
def contract_detail(request, contract_id: int):
    contract = selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
    return render(request, "orders/contract_detail.html", {
        "contract": contract, "chain": selectors.renewal_chain(contract=contract),
        "orders": selectors.order_search(user=request.user,
                                         filters=selectors.OrderFilter(contract_id=contract.pk))[:50],
        "plan": selectors.plan_of(contract=contract)})


@login_required
@domain_errors_as_http
def payment_list(request):
    return render(request, "orders/payment_list.html", {
        "page": _page(request, selectors.payment_search(user=request.user)),
        "can_create": permissions.can(request.user, "payment", "write")})


@login_required
@domain_errors_as_http
def payment_create(request):
    """Record a payment received (回款单), applied to one order or kept for later allocation."""
    permissions.require(request.user, "payment", "write", message=_("Your role cannot record payments."))
    form = PaymentForm(request.POST or None, initial={"customer": request.GET.get("customer", ""),
                                                      "order": request.GET.get("order", ""),
                                                      "received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_get_for_user(user=request.user, customer_id=data["customer"])
            allocations = []
            if data.get("order"):
                order = selectors.order_get_for_user(user=request.user, order_id=data["order"])
                allocations = [{"order": order, "amount": min(data["amount"], order.outstanding)}]
            payment = services.payment_record(
                actor=request.user, customer=customer, amount=data["amount"], received_on=data["received_on"],
                method=data["method"], is_overpayment=data["is_overpayment"], allocations=allocations,
                note=data.get("note") or "")
        except NotFound:
            form.add_error(None, _("No customer or order of yours has this number."))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("orders:payment", payment.pk)
    return render(request, "orders/payment_form.html", {"form": form})


@login_required
@domain_errors_as_http
def payment_detail(request, payment_id: int):
    payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
    return render(request, "orders/payment_detail.html", {
        "payment": payment, "allocations": selectors.allocations_of(payment=payment),
        "refunds": selectors.refunds_of(payment=payment)})


@login_required
@domain_errors_as_http
def receivables(request):
    """Receivables and their ageing (账龄), with a stacked bar chart of the buckets."""
    permissions.require(request.user, "receivable", "read")
    form = AgeingForm(request.GET or None)
    by = (form.cleaned_data.get("by") if form.is_valid() else "") or "customer"
    report = selectors.ageing_report(user=request.user, by=by, limit=20)
    labels = selectors.BUCKET_LABELS
    chart = {"categories": [str(r.label) for r in report.rows],
             "series": [{"name": str(labels[code]), "data": [float(r.buckets[code]) for r in report.rows]}
                        for code, _low, _high in selectors.BUCKETS],
             "totals": [{"name": str(labels[code]), "value": float(report.totals[code])}
                        for code, _low, _high in selectors.BUCKETS]}
    return render(request, "orders/receivables.html", {
        "report": report, "by": by, "form": form, "chart": chart,
        "buckets": [(code, labels[code]) for code, _low, _high in selectors.BUCKETS],
        "by_choices": form.fields["by"].choices})
