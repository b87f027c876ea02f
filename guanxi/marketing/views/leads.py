"""Lead pages (线索): the list with filters and search, capture (with the duplicate warning), the lead
page (details, duplicates, qualification workflow, history), edits and the file import. Thin views
over selectors/leads and services/leads."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.audit import audit_trail
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.masking import mask_email, mask_free_text, mask_phone
from guanxi.core.pagination import capped_page
from guanxi.core.views import add_service_errors, domain_errors_as_http

from .. import permissions
from ..enums import LeadStatus
from ..forms.leads import (
    ContactForm,
    DisqualifyForm,
    LeadCreateForm,
    LeadFieldsForm,
    LeadFilterForm,
    QualifyForm,
)
from ..models import Lead
from ..rules import clean_lead_fields
from ..selectors import leads as selectors
from ..services import leads as services

PAGE_SIZE = 25
PERSONAL = frozenset({"mobile", "phone", "email", "interest", "need", "status_note"})
CONTACT_FIELDS = ("person_name", "company_name", "mobile", "phone", "email")


def shown(user, lead: Lead) -> dict:
    """The lead's contact details as `user` may see them."""
    if permissions.can_see_personal_data(user, lead):
        return {"mobile": lead.mobile, "phone": lead.phone, "email": lead.email, "interest": lead.interest,
                "masked": False}
    return {"mobile": mask_phone(lead.mobile), "phone": mask_phone(lead.phone), "email": mask_email(lead.email),
            "interest": mask_free_text(lead.interest), "masked": True}


@login_required
@domain_errors_as_http
def lead_list(request):
    form = LeadFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "all"
    filters = selectors.LeadFilter(
        statuses=(data["status"],) if data.get("status") else (), sources=(data["source"],) if data.get("source")
        else (), owner_id=request.user.pk if view == "mine" else None, unowned=view == "pool",
        query=data.get("q") or "")
    counts = selectors.lead_counts_by_status(user=request.user)
    page = capped_page(selectors.lead_search(user=request.user, filters=filters), page=data.get("page") or 1,
                       per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "marketing/lead_list.html", {
        "form": form, "page": page, "view": view, "base_query": query.urlencode(),
        "rows": [{"lead": lead, **shown(request.user, lead)} for lead in page.rows],
        "status_counts": [(label, counts.get(value, 0)) for value, label in LeadStatus.choices],
        "can_create": permissions.can(request.user, "lead", "write"),
        "can_import": permissions.can(request.user, "import", "write"),
    })


@login_required
@domain_errors_as_http
def lead_create(request):
    """Capture a lead; when it looks like existing leads or customers, show them and ask to confirm."""
    permissions.require(request.user, "lead", "write", message=permissions.CREATE_DENIED)
    form = LeadCreateForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: v for k, v in data.items() if k not in ("source", "confirm_duplicate") and v}
        duplicates = selectors.lead_duplicates(user=request.user, values=_normalised(fields))
        if duplicates.any and not data["confirm_duplicate"]:
            form.add_error(None, _("This lead looks like the records below. Check them, then save it anyway "
                                   "if it is someone else."))
        else:
            try:
                lead = services.lead_create(actor=request.user, data=fields, source=data["source"])
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Lead saved."))
                return redirect("marketing:lead_detail", lead_id=lead.pk)
    return render(request, "marketing/lead_form.html", {"form": form, "duplicates": duplicates,
                                                          "status": 400 if form.errors else 200},
                  status=400 if form.errors else 200)


def _normalised(fields: dict) -> dict:
    """The contact fields as the duplicate check compares them (invalid values are left out)."""
    clean, errors = clean_lead_fields({k: v for k, v in fields.items() if k in CONTACT_FIELDS})
    return {k: v for k, v in clean.items() if k not in errors}


def _detail_context(request, lead: Lead) -> dict:
    user = request.user
    can_write = permissions.lead_in_scope(user, lead, "write")
    unmasked = permissions.can_see_personal_data(user, lead)
    values = {f: getattr(lead, f) for f in CONTACT_FIELDS}
    return {
        "lead": lead, **shown(user, lead),
        "customer_visible": selectors.customer_is_visible(user=user, customer=lead.customer),
        "can_write": can_write and lead.status != LeadStatus.CONVERTED,
        "duplicates": selectors.lead_duplicates(user=user, values=values, exclude=lead.pk),
        "history": audit_trail(lead, masked_fields=frozenset() if unmasked else PERSONAL, limit=30),
        "contact_form": ContactForm(prefix="contact"), "qualify_form": QualifyForm(prefix="qualify", initial={
            "budget": lead.budget, "need": lead.need, "timeline": lead.timeline, "authority": lead.authority}),
        "disqualify_form": DisqualifyForm(prefix="disqualify"),
    }


@login_required
@domain_errors_as_http
def lead_detail(request, lead_id: int):
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return render(request, "marketing/lead_detail.html", _detail_context(request, lead))


@login_required
@domain_errors_as_http
def lead_edit(request, lead_id: int):
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    if not permissions.can_see_personal_data(request.user, lead):
        messages.error(request, _("Your role sees this lead's contact details masked, so it cannot edit them."))
        return redirect("marketing:lead_detail", lead_id=lead.pk)
    initial = {f: getattr(lead, f) for f in LeadFieldsForm.base_fields}
    form = LeadFieldsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            services.lead_update(actor=request.user, lead=lead, data=changed)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("marketing:lead_detail", lead_id=lead.pk)
    return render(request, "marketing/lead_edit.html", {"form": form, "lead": lead},
                  status=400 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_POST
def lead_action(request, lead_id: int, action: str):
    """One step of the qualification workflow: contact, qualify, disqualify or reopen."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    forms = {"contact": ContactForm, "qualify": QualifyForm, "disqualify": DisqualifyForm}
    form = forms[action](request.POST, prefix=action) if action in forms else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("marketing:lead_detail", lead_id=lead.pk)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "contact":
            services.lead_contact(actor=request.user, lead=lead, note=data["note"])
        elif action == "qualify":
            bant = {k: data[k] for k in ("budget", "need", "timeline", "authority") if data[k] not in (None, "")}
            services.lead_qualify(actor=request.user, lead=lead, data=bant, note=data["note"])
        elif action == "disqualify":
            services.lead_disqualify(actor=request.user, lead=lead, reason=data["reason"], note=data["note"])
        else:
            services.lead_reopen(actor=request.user, lead=lead)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationFailed as exc:
        messages.error(request, " ".join(_(str(reason)) for reason in exc.fields.values()) or exc.message)
    else:
        messages.success(request, {"contact": _("Contact recorded."), "qualify": _("Lead qualified."),
                                   "disqualify": _("Lead disqualified."), "reopen": _("Lead reopened.")}[action])
    return redirect("marketing:lead_detail", lead_id=lead.pk)
