"""The case category tree (业务分类), kept by administrators and service managers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http

from .. import permissions
from ..forms.categories import CategoryForm
from ..selectors import categories as category_selectors
from ..services import categories as category_services
from .tickets import conflict_message


def _require_category_configurer(user) -> None:
    if not permissions.can(user, "category", "configure"):
        raise DjangoPermissionDenied


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def category_list(request):
    """The case category tree: add, rename, move and delete categories (administrators and
    service managers)."""
    _require_category_configurer(request.user)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = category_services.category_create(actor=request.user, name=form.cleaned_data["name"],
                                                         parent=form.cleaned_data["parent"])
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("servicedesk:categories")
    nodes = category_selectors.category_tree()
    rows = [{"node": node, "form": CategoryForm(prefix=f"c{node.category.pk}", initial={
        "name": node.category.name, "parent": node.category.parent_id})} for node in nodes]
    return render(request, "servicedesk/category_list.html", {"form": form, "rows": rows},
                  status=422 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_POST
def category_edit(request, category_id: int):
    _require_category_configurer(request.user)
    category = category_selectors.category_get(category_id=category_id)
    form = CategoryForm(request.POST, prefix=f"c{category_id}")
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("servicedesk:categories")
    try:
        category_services.category_update(actor=request.user, category=category, name=form.cleaned_data["name"],
                                          parent=form.cleaned_data["parent"])
    except ValidationFailed as exc:
        reasons = [exc.message] if exc.fields.keys() <= {"parent"} else []
        messages.error(request, "; ".join(_(r) for r in reasons or [str(v) for v in exc.fields.values()]))
    else:
        messages.success(request, _("Category saved."))
    return redirect("servicedesk:categories")


@login_required
@domain_errors_as_http
@require_POST
def category_delete(request, category_id: int):
    _require_category_configurer(request.user)
    category = category_selectors.category_get(category_id=category_id)
    try:
        category_services.category_delete(actor=request.user, category=category)
    except Conflict as exc:
        messages.error(request, conflict_message(exc))
    else:
        messages.success(request, _("Category deleted."))
    return redirect("servicedesk:categories")
