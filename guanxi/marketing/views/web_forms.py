"""The public lead forms' pages (线索收集表单): the list with each form's public address (and a copy
button), create and edit. Sales managers and administrators (`lead` configure); others get 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http

from .. import permissions
from ..forms.web_forms import WebFormForm
from ..selectors.leads import web_form_get, web_form_list
from ..services import leads as services

FIELDS = ("title", "slug", "intro", "interest_label", "thanks_text", "campaign", "owner", "is_active")


def _public_url(request, form) -> str:
    return request.build_absolute_uri(reverse("marketing_public:form", args=[form.slug]))


@login_required
@domain_errors_as_http
def web_form_list_page(request):
    permissions.require(request.user, "lead", "configure")
    rows = [(form, _public_url(request, form)) for form in web_form_list()]
    return render(request, "marketing/web_form_list.html", {"rows": rows})


@login_required
@domain_errors_as_http
def web_form_edit(request, web_form_id: int | None = None):
    """Create (no id) or change a public form: one service call."""
    permissions.require(request.user, "lead", "configure")
    web_form = web_form_get(web_form_id=web_form_id) if web_form_id is not None else None
    initial = {name: getattr(web_form, name) for name in FIELDS} if web_form else None
    form = WebFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if web_form is None:
                web_form = services.web_form_create(actor=request.user, **form.cleaned_data)
            else:
                services.web_form_update(actor=request.user, form=web_form, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Web form saved."))
            return redirect("marketing:web_forms")
    return render(request, "marketing/web_form_form.html", {
        "form": form, "web_form": web_form,
        "public_url": _public_url(request, web_form) if web_form and web_form.pk else None},
        status=400 if form.errors else 200)
