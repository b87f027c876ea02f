"""`/api/v1/leads`: leads (线索) — a page at a time with filters, one lead, capture (with the duplicate
check's findings), edits and the qualification workflow. Phones and e-mail are masked for roles that
may not see them."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.selectors import user_visible_to
from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.masking import mask_email, mask_free_text, mask_phone
from guanxi.core.routers import Router

from .. import permissions
from ..enums import LeadSource, LeadStatus
from ..models import Lead
from ..schemas.leads import (
    DuplicatesOut,
    LeadContactIn,
    LeadCreatedOut,
    LeadCreateIn,
    LeadDisqualifyIn,
    LeadFilterIn,
    LeadOut,
    LeadQualifyIn,
    LeadUpdateIn,
)
from ..selectors import leads as selectors
from ..services import leads as services

router = Router(tags=["leads"], operation_prefix="guanxi_marketing_api_leads")
EARLIEST, LATEST = 1900, 2999
DETAIL_FIELDS = ("person_name", "company_name", "mobile", "phone", "email", "province", "city", "industry",
                 "source_detail", "interest", "budget", "need", "timeline", "authority")


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _customer(user, lead: Lead):
    """The linked customer; its name only for those who may read that customer."""
    if lead.customer_id is None:
        return None
    visible = selectors.customer_is_visible(user=user, customer=lead.customer)
    return {"id": lead.customer_id, "name": f"{lead.customer.code} {lead.customer.name}" if visible else ""}


def lead_out(user, lead: Lead) -> dict:
    """One lead as the API shows it to `user`."""
    masked = not permissions.can_see_personal_data(user, lead)
    keep = lambda value: value  # noqa: E731
    phone, email, text = (mask_phone, mask_email, mask_free_text) if masked else (keep, keep, keep)
    return {
        "id": lead.pk, "person_name": lead.person_name, "company_name": lead.company_name,
        "mobile": phone(lead.mobile), "phone": phone(lead.phone), "email": email(lead.email),
        "province": lead.province, "city": lead.city, "industry": lead.industry, "source": lead.source,
        "source_detail": lead.source_detail, "interest": text(lead.interest), "status": lead.status,
        "disqualify_reason": lead.disqualify_reason, "status_note": text(lead.status_note), "budget": lead.budget,
        "need": text(lead.need), "timeline": lead.timeline, "authority": lead.authority, "owner": _ref(lead.owner),
        "created_by": _ref(lead.created_by), "customer": _customer(user, lead), "contacted_at": lead.contacted_at,
        "qualified_at": lead.qualified_at, "closed_at": lead.closed_at, "created_at": lead.created_at,
        "updated_at": lead.updated_at, "personal_data_masked": masked,
    }


def duplicates_out(found: selectors.Duplicates) -> dict:
    return {
        "leads": [{"id": lead.pk, "name": str(lead), "reasons": [_(r) for r in why]} for lead, why in found.leads],
        "customers": [{"id": c.pk, "name": f"{c.code} {c.name}", "reasons": [_(r) for r in why]}
                      for c, why in found.customers],
        "hidden_leads": found.hidden_leads, "hidden_customers": found.hidden_customers,
    }


def _values(lead: Lead) -> dict:
    return {f: getattr(lead, f) for f in ("person_name", "company_name", "mobile", "phone", "email")}


def _sane(moment, field: str):
    if moment is not None and not EARLIEST <= moment.year <= LATEST:
        raise ValidationFailed(fields={field: _("a year from 1900 to 2999")})
    return moment


def _owner(viewer, owner_id: int | None, to_pool: bool, default):
    if to_pool:
        return None
    if owner_id is None:
        return default
    return referenced(user_visible_to, field="owner", reason=_("unknown user"), viewer=viewer, user_id=owner_id)


def _fields(payload) -> dict:
    return {name: getattr(payload, name) for name in DETAIL_FIELDS if name in payload.model_fields_set}


def _reload(request, lead_id: int) -> dict:
    return lead_out(request.user, selectors.lead_get_for_user(user=request.user, lead_id=lead_id))


@router.get("/leads", response=PageOut[LeadOut])
def list_leads(request: HttpRequest, filters: Query[LeadFilterIn], page: Query[PageParams]):
    """The leads the caller may read, newest first; walk the pages with `next_cursor`."""
    unknown_status = set(filters.status) - set(LeadStatus.values)
    unknown_source = set(filters.source) - set(LeadSource.values)
    if unknown_status or unknown_source:
        raise ValidationFailed(fields={"status" if unknown_status else "source": _("unknown value")})
    if page.ordering:
        raise ValidationFailed(fields={"ordering": _("leads are listed newest first")})
    query = selectors.LeadFilter(
        statuses=tuple(filters.status), sources=tuple(filters.source),
        owner_id=request.user.pk if filters.mine else filters.owner, unowned=filters.unowned, query=filters.q,
        created_after=_sane(filters.created_after, "created_after"),
        created_before=_sane(filters.created_before, "created_before"))
    qs = selectors.lead_search(user=request.user, filters=query).select_related("created_by")
    return paginate(qs, page, lambda lead: lead_out(request.user, lead))


@router.post("/leads", response={201: LeadCreatedOut})
def create_lead(request: HttpRequest, payload: LeadCreateIn):
    """Capture a lead. The answer lists the leads and customers it may duplicate (same phone,
    e-mail or name); a lead whose phone or e-mail is a customer's is linked to that customer."""
    owner = _owner(request.user, payload.owner, payload.to_pool, "default")
    lead = services.lead_create(actor=request.user, data=_fields(payload), source=payload.source, owner=owner)
    found = selectors.lead_duplicates(user=request.user, values=_values(lead), exclude=lead.pk)
    return Status(201, {**_reload(request, lead.pk), "duplicates": duplicates_out(found)})


@router.get("/leads/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, lead_id: int):
    return _reload(request, lead_id)


@router.get("/leads/{lead_id}/duplicates", response=DuplicatesOut)
def lead_duplicates(request: HttpRequest, lead_id: int):
    """Leads and customers that look like this lead (same phone, e-mail or name)."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    return duplicates_out(selectors.lead_duplicates(user=request.user, values=_values(lead), exclude=lead.pk))


@router.patch("/leads/{lead_id}", response=LeadOut)
def update_lead(request: HttpRequest, lead_id: int, payload: LeadUpdateIn):
    """Change the fields sent; `owner` or `to_pool` hand the lead over."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    owner = _owner(request.user, payload.owner, payload.to_pool, "unchanged")
    services.lead_update(actor=request.user, lead=lead, data=_fields(payload), owner=owner)
    return _reload(request, lead_id)


@router.post("/leads/{lead_id}/contact", response=LeadOut)
def contact_lead(request: HttpRequest, lead_id: int, payload: LeadContactIn):
    """The lead was reached: new → contacted."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    services.lead_contact(actor=request.user, lead=lead, note=payload.note)
    return _reload(request, lead_id)


@router.post("/leads/{lead_id}/qualify", response=LeadOut)
def qualify_lead(request: HttpRequest, lead_id: int, payload: LeadQualifyIn):
    """The lead is worth pursuing; record what is known of budget, need, timeline and authority."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    data = {k: getattr(payload, k) for k in ("budget", "need", "timeline", "authority")
            if getattr(payload, k) is not None}
    services.lead_qualify(actor=request.user, lead=lead, data=data, note=payload.note)
    return _reload(request, lead_id)


@router.post("/leads/{lead_id}/disqualify", response=LeadOut)
def disqualify_lead(request: HttpRequest, lead_id: int, payload: LeadDisqualifyIn):
    """Drop the lead with a reason (and a note when the reason is other)."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    services.lead_disqualify(actor=request.user, lead=lead, reason=payload.reason, note=payload.note)
    return _reload(request, lead_id)
