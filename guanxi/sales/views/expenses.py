"""Sales expense pages (销售费用): the list with filters and totals, entering, changing and deleting
an expense (the representative, their sales manager, an administrator). Thin views over
selectors/expenses and services/expenses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http, list_page
from guanxi.customers.selectors import customer_get_for_user

from .. import permissions
from ..forms.expenses import ExpenseFilterForm, ExpenseForm
from ..selectors import expenses as selectors
from ..selectors.opportunities import opportunity_get_for_user
from ..services import expenses as services

PAGE_SIZE = 50


@login_required
@domain_errors_as_http
def expense_list_page(request):
    permissions.require(request.user, "expense", "read", message=_("Your role has no sales expenses."))
    form = ExpenseFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ExpenseFilter(date_from=data.get("date_from"), date_to=data.get("date_to"),
                                      rep_id=getattr(data.get("rep"), "pk", None), category=data.get("category") or "")
    expenses = selectors.expense_list(user=request.user, filters=filters)
    page, query = list_page(request, expenses, per_page=PAGE_SIZE)
    return render(request, "sales/expense_list.html", {
        "form": form, "page": page, "query": query, "totals": selectors.expense_totals(expenses),
        "can_write": permissions.can(request.user, "expense", "write"), "user": request.user})


def _linked(request, form, data: dict) -> dict | None:
    """The deal and customer named by number, each one the user may read (else an error on the field)."""
    links = {"channel": data.get("channel"), "opportunity": None, "customer": None}
    try:
        if data.get("opportunity"):
            links["opportunity"] = opportunity_get_for_user(user=request.user, opportunity_id=data["opportunity"])
    except NotFound:
        form.add_error("opportunity", _("No opportunity of yours has this number."))
    try:
        if data.get("customer"):
            links["customer"] = customer_get_for_user(user=request.user, customer_id=data["customer"])
    except NotFound:
        form.add_error("customer", _("No customer of yours has this number."))
    return None if form.errors else links


@login_required
@domain_errors_as_http
def expense_create(request):
    permissions.require(request.user, "expense", "write", message=permissions.EXPENSE_DENIED)
    form = ExpenseForm(request.POST or None, user=request.user, initial={"rep": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        links = _linked(request, form, data)
        if links is not None:
            try:
                services.expense_record(actor=request.user, rep=data["rep"], spent_on=data["spent_on"],
                                        category=data["category"], amount=data["amount"], note=data["note"],
                                        **links)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Expense entered."))
                return redirect("sales:expenses")
    return render(request, "sales/expense_form.html", {"form": form, "editing": False},
                  status=400 if form.errors else 200)


@login_required
@domain_errors_as_http
def expense_edit(request, sales_expense_id: int):
    expense = selectors.expense_get_for_user(user=request.user, expense_id=sales_expense_id, action="write")
    initial = {"spent_on": expense.spent_on, "category": expense.category, "amount": expense.amount,
               "opportunity": expense.opportunity_id, "customer": expense.customer_id,
               "channel": expense.channel_id, "note": expense.note}
    form = ExpenseForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        links = _linked(request, form, data)
        if links is not None:
            try:
                services.expense_update(actor=request.user, expense=expense, spent_on=data["spent_on"],
                                        category=data["category"], amount=data["amount"], note=data["note"],
                                        **links)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Expense saved."))
                return redirect("sales:expenses")
    return render(request, "sales/expense_form.html", {"form": form, "editing": True, "expense": expense},
                  status=400 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_POST
def expense_delete(request, sales_expense_id: int):
    expense = selectors.expense_get_for_user(user=request.user, expense_id=sales_expense_id, action="delete")
    services.expense_delete(actor=request.user, expense=expense)
    messages.success(request, _("Expense deleted."))
    return redirect("sales:expenses")
