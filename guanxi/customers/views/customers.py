"""Customer pages: thin views over the scoped selectors and the customer services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from guanxi.core.audit import audit_trail
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.pagination import capped_page
from guanxi.core.versioning import VersionConflict, show_version_conflict
from guanxi.core.views import add_service_errors, domain_errors_as_http, submit_inline_form, template_for

from .. import permissions, services
from ..enums import AddressKind, ContactPointKind, CustomerKind, HoldingStatus, LifecycleStage
from ..exporting import customer_export_response
from ..forms.customers import PERSONAL_FIELDS, CustomerFilterForm, CustomerForm
from ..forms.profile import AddressForm, ContactForm, ContactPointForm
from ..models import Customer
from ..schemas.customers import MASKED_AUDIT_FIELDS, customer_detail, customer_row
from ..selectors import customers as selectors
from ..selectors.dedupe import PossibleDuplicate, customer_possible_duplicates
from .history import history_panels
from .inline import inline_form_fragment
from .merging import merge_banner

PAGE_SIZE = 20

# Reasons the services give, translated when shown next to a field.
SERVICE_REASONS = (
    gettext_noop("required"), gettext_noop("not a valid phone number"), gettext_noop("not a valid e-mail address"),
    gettext_noop("not a valid resident ID number (checksum)"), gettext_noop("this customer already has it"),
    gettext_noop("not a province of China"), gettext_noop("six digits"), gettext_noop("too long"),
    gettext_noop("must not contain < or > (markup)"),
    gettext_noop("must be a past date after 1900"), gettext_noop("contains control characters"),
    gettext_noop("this user is not active"), gettext_noop("unknown field"),
)


def _can(user, action: str, customer: Customer) -> bool:
    return permissions.customer_in_scope(user, customer, action)


# ---------------------------------------------------------------- home panel


def home_panel(user) -> dict:
    """The customers panel of the home page: counts by stage and brand, recent customers."""
    stage_labels = dict(LifecycleStage.choices)
    by_stage = [
        {"name": str(stage_labels.get(value, value)), "value": n}
        for value, n in selectors.customer_counts_by(user=user, field="lifecycle_stage")
    ]
    by_brand = [
        {"name": name or _("No brand"), "value": n}
        for name, n in selectors.customer_counts_by(user=user, field="brand")
    ]
    recent = list(selectors.customer_list(user=user)[:8])
    return {
        "total": sum(item["value"] for item in by_stage),
        "by_stage": by_stage,
        "by_brand": by_brand,
        "recent": [_row(user, c) for c in recent],
        "can_create": permissions.can(user, "customer", "write"),
    }


def _row(user, customer: Customer) -> dict:
    row = customer_row(customer, unmasked=selectors.can_see_personal_data(user=user, customer=customer))
    row["kind_display"] = CustomerKind(customer.kind).label if customer.kind in CustomerKind.values else customer.kind
    row["lifecycle_stage_display"] = customer.get_lifecycle_stage_display()
    return row


# ---------------------------------------------------------------- list


def _filters_from(request):
    """The list's filter form, its cleaned values and the selector filter they make."""
    form = CustomerFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CustomerFilter(
        query=params.get("q", ""), kind=params.get("kind", ""), lifecycle_stage=params.get("lifecycle_stage", ""),
        brand_id=params["brand"].pk if params.get("brand") else None, tag=params.get("tag", ""),
        province=params.get("province", ""),
    )
    return form, params, filters


@login_required
@domain_errors_as_http
def customer_list(request):
    form, params, filters = _filters_from(request)
    ordering = params.get("ordering") or ""
    results = selectors.customer_results(user=request.user, filters=filters, ordering=ordering or None)
    page = capped_page(results.rows, page=params.get("page") or 1, per_page=PAGE_SIZE, cap=results.cap,
                       counted=results.found)
    rows = [_row(request.user, c) for c in page.rows]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("ordering", None)
    context = {
        "form": form, "filter_fields": [form[name] for name in ("kind", "lifecycle_stage", "brand", "province")],
        "page": page, "rows": rows, "ordering": ordering or selectors.CUSTOMER_ORDERING.default,
        "base_query": query.urlencode(),
        "can_create": permissions.can(request.user, "customer", "write"),
        "can_export": permissions.can_export(request.user),
        # An htmx refresh of the table also refreshes the export link, so it exports what is shown.
        "oob": bool(request.htmx) and not request.htmx.boosted,
        "columns": [("code", _("Number")), ("name", _("Name")), (None, _("Kind")), (None, _("Mobile")),
                    (None, _("Brand")), ("lifecycle_stage", _("Stage")), ("arpu", _("ARPU")),
                    (None, _("Owner")), ("updated_at", _("Updated"))],
    }
    return render(request, template_for(request, "customers/customer_list.html",
                                      "customers/partials/_customer_table.html"), context)


# ---------------------------------------------------------------- detail


def possible_duplicates_html(duplicates: list[PossibleDuplicate]) -> str:
    """The warning shown after creating a customer: links to the ones the user may open."""
    return render_to_string("customers/partials/_possible_duplicates.html", {"duplicates": duplicates})


def _detail_context(request, customer: Customer) -> dict:
    user = request.user
    unmasked = selectors.can_see_personal_data(user=user, customer=customer)
    c = customer_detail(customer, selectors.customer_profile(customer=customer), unmasked=unmasked)
    c["kind_display"] = customer.get_kind_display()
    for name in ("gender", "id_type", "lifecycle_stage", "source", "payment_method", "credit_level"):
        c[f"{name}_display"] = getattr(customer, f"get_{name}_display")() if getattr(customer, name) else ""
    for point in c["contact_points"]:
        point["kind_display"] = dict(ContactPointKind.choices).get(point["kind"], point["kind"])
    for address in c["addresses"]:
        address["kind_display"] = dict(AddressKind.choices).get(address["kind"], address["kind"])
    c["holdings"] = [
        {"product": h.product, "category": h.category, "started_on": h.started_on, "monthly_fee": h.monthly_fee,
         "status": dict(HoldingStatus.choices).get(h.status, h.status), "is_competitor": h.is_competitor}
        for h in c["holdings"]
    ]
    history = audit_trail(customer, masked_fields=frozenset() if unmasked else MASKED_AUDIT_FIELDS)
    can_write = _can(user, "write", customer) and not customer.is_merged
    return {
        "c": c, "customer_id": customer.pk, "history": history, "personal_data_masked": not unmasked,
        "can_write": can_write, "can_delete": _can(user, "delete", customer) and not customer.is_merged,
        **merge_banner(customer),
        **history_panels(user, customer, unmasked=unmasked),
    }


@login_required
@domain_errors_as_http
def customer_detail_view(request, customer_id: int):
    # A record merged into another one still opens, with a banner pointing to its survivor.
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, include_merged=True)
    return render(request, "customers/customer_detail.html", _detail_context(request, customer))


# ---------------------------------------------------------------- create / edit / delete


def _customer_form(request, form: CustomerForm, save, customer: Customer | None = None):
    """The create and edit pages: on a valid POST `save(data, tags)` writes through the service (its
    refusals shown on the form) and the page goes to the customer; otherwise the form again."""
    if request.method == "POST" and form.is_valid():
        data, tags = form.service_data()
        try:
            saved = save(data, tags)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except VersionConflict as exc:
            show_version_conflict(form, exc)
        except Conflict:
            form.add_error(None, _("Someone else changed this customer; reload the page and try again."))
        else:
            return redirect("customers:detail", customer_id=saved.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def customer_create(request):
    permissions.require(request.user, "customer", "write", message=permissions.CREATE_DENIED)

    def save(data, tags):
        customer = services.customer_create(actor=request.user, data=data, tags=tags)
        messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
        duplicates = customer_possible_duplicates(user=request.user, customer=customer)
        if duplicates:
            messages.warning(request, possible_duplicates_html(duplicates))
        return customer

    return _customer_form(request, CustomerForm(request.POST or None, user=request.user), save)


def _initial(customer: Customer, masked: dict) -> dict:
    initial = {name: getattr(customer, name) for name in CustomerForm.base_fields
               if name not in ("tags", "version", "owner", "team", "brand")}
    initial.update(owner=customer.owner_id, team=customer.team_id, brand=customer.brand_id,
                   tags=", ".join(customer.tags.values_list("name", flat=True)),
                   version=customer.version)
    for name in masked:
        initial[name] = ""
    return initial


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    shown = customer_detail(customer, {"tags": [], "contacts": [], "holdings": [], "contact_points": [],
                                       "addresses": []}, unmasked=False)
    masked = {} if unmasked else {name: shown[name] for name in PERSONAL_FIELDS}
    form = CustomerForm(request.POST or None, user=request.user, masked=masked, initial=_initial(customer, masked))

    def save(data, tags):
        services.customer_update(actor=request.user, customer=customer, data=data, tags=tags,
                                 expected_version=form.cleaned_data.get("version"))
        messages.success(request, _("Customer saved."))
        return customer

    return _customer_form(request, form, save, customer)


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def customer_delete(request, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="delete")
    if request.method == "POST":
        services.customer_delete(actor=request.user, customer=customer)
        messages.success(request, _("Customer %(name)s deleted.") % {"name": customer.name})
        return redirect("customers:list")
    return render(request, "customers/customer_confirm_delete.html", {"customer": customer})


# ---------------------------------------------------------------- inline profile forms (htmx)


def _profile_form_view(name: str, add, form_class, prefix: str, key: str, section: str):
    """The view of one inline form of the customer page. GET: the empty form, fetched when its
    section is opened (htmx). A valid POST goes to `add` (the service); the answer is the page (with
    a message) or, for htmx, its section with a fresh or invalid form."""

    def view(request, customer_id: int):
        customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
        action = reverse(f"customers:{name}", args=[customer.pk])
        if request.method == "GET":
            return inline_form_fragment(request, form_class(prefix=prefix), action=action, target=section,
                                        page=reverse("customers:detail", args=[customer.pk]) + f"#{section}")
        form = submit_inline_form(request, form_class(request.POST, prefix=prefix),
                                  lambda **data: add(actor=request.user, customer=customer, **data), _("Saved."))
        if not request.htmx:
            if form.errors:
                messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
            return redirect(reverse("customers:detail", args=[customer.pk]) + f"#{section}")
        context = _detail_context(request, customer)
        context[f"{key}_form"] = form
        return render(request, f"customers/partials/_{section}.html", context)

    view.__name__ = view.__qualname__ = name
    return login_required(domain_errors_as_http(require_http_methods(["GET", "POST"])(view)))


add_contact_point = _profile_form_view("add_contact_point", services.contact_point_add, ContactPointForm, "cp",
                                       "contact_point", "contact_points")
add_address = _profile_form_view("add_address", services.address_add, AddressForm, "addr", "address", "addresses")
add_contact = _profile_form_view("add_contact", services.contact_add, ContactForm, "ct", "contact", "contacts")


@login_required
@domain_errors_as_http
def customer_export(request):
    """The list as filtered on the page, as CSV, masked as for the user's role."""
    _, _, filters = _filters_from(request)
    return customer_export_response(user=request.user, filters=filters)
