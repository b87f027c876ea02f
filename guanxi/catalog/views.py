"""Catalogue pages: the list with search and filters, a product with its price history and parts,
and the forms that keep them (for the roles that keep the catalogue)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.audit import audit_trail
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.pagination import capped_page
from guanxi.core.views import add_service_errors, domain_errors_as_http, template_for

from . import permissions, selectors, services
from .forms import PartForm, PriceForm, ProductFilterForm, ProductForm
from .models import PriceUnit

PAGE_SIZE = 25


@login_required
@domain_errors_as_http
@require_http_methods(["GET"])
def product_list(request):
    form = ProductFilterForm(request.GET or None, brands=selectors.brand_list(user=request.user))
    filters = form.filters() if form.is_valid() else selectors.ProductFilter()
    page_number = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    qs = selectors.product_list(user=request.user, filters=filters).order_by("model_code")
    page = capped_page(qs, page=page_number, per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "base_query": query.urlencode(), "ordering": "",
               "target": "#gx-product-rows", "can_write": permissions.can(request.user, "product", "write")}
    return render(request, template_for(request, "catalog/product_list.html", "catalog/partials/_product_rows.html"),
                  context)


def _detail_context(request, product, **forms) -> dict:
    product = selectors.product_with_parts(user=request.user, product_id=product.pk)
    today = timezone.localdate()
    return {
        "product": product, "parts": list(product.parts.all()), "prices": list(product.prices.all()),
        "current": {unit: selectors.price_at(product=product, on=today, unit=unit) for unit in PriceUnit.values},
        "history": audit_trail(product, limit=20),
        "can_write": permissions.can(request.user, "product", "write"),
        "price_form": forms.get("price_form") or PriceForm(initial={"effective_from": today}),
        "part_form": forms.get("part_form") or PartForm(),
    }


@login_required
@domain_errors_as_http
@require_http_methods(["GET"])
def product_detail(request, product_id: int):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    return render(request, "catalog/product_detail.html", _detail_context(request, product))


def _save_product(request, form, product=None):
    data = dict(form.cleaned_data)
    data["category"] = selectors.category_get(category_id=data["category"]) if data["category"] else None
    if product is None:
        return services.product_create(actor=request.user, **data)
    data.pop("model_code", None)
    return services.product_update(actor=request.user, product=product, **data)


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def product_create(request):
    permissions.require(request.user, "product", "write")
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = _save_product(request, form)
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("catalog:detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": None},
                  status=422 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def product_edit(request, product_id: int):
    permissions.require(request.user, "product", "write")
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    initial = {"model_code": product.model_code, "name": product.name, "kind": product.kind, "brand": product.brand,
               "category": product.category_id, "description": product.description}
    form = ProductForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            _save_product(request, form, product)
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("catalog:detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": product},
                  status=422 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_POST
def product_active(request, product_id: int):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    services.product_set_active(actor=request.user, product=product, active=request.POST.get("active") == "1")
    return redirect("catalog:detail", product_id=product.pk)


@login_required
@domain_errors_as_http
@require_POST
def price_add(request, product_id: int):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            services.price_set(actor=request.user, product=product, **form.cleaned_data)
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("catalog:detail", product_id=product.pk)
    return render(request, "catalog/product_detail.html", _detail_context(request, product, price_form=form),
                  status=422)


@login_required
@domain_errors_as_http
@require_POST
def part_add(request, product_id: int):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    form = PartForm(request.POST)
    if form.is_valid():
        try:
            services.part_add(actor=request.user, product=product, **form.cleaned_data)
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("catalog:detail", product_id=product.pk)
    return render(request, "catalog/product_detail.html", _detail_context(request, product, part_form=form),
                  status=422)
