"""Lead conversion (线索转化): a qualified (or any open) lead becomes a customer — or is linked to the
customer it already is — with its contact person and ways to reach them, and an opportunity; all in
one transaction, and the lead is marked converted by marketing's own service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import is_system
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.customers.enums import ContactPointKind, CustomerKind
from guanxi.customers.models import Contact, Customer
from guanxi.customers.permissions import customer_in_scope
from guanxi.customers.services.customers import customer_create
from guanxi.customers.services.profile import contact_add, contact_point_add
from guanxi.marketing import permissions as lead_permissions
from guanxi.marketing.enums import LeadStatus
from guanxi.marketing.models import Lead
from guanxi.marketing.selectors.leads import customer_matching
from guanxi.marketing.services.leads import lead_mark_converted

from ..models import Opportunity, OpportunityStage, SalesChannel
from .opportunities import opportunity_create

ALREADY = {
    LeadStatus.CONVERTED: _("This lead was already converted; it cannot be converted again."),
    LeadStatus.DISQUALIFIED: _("This lead was disqualified; reopen it before converting it."),
}


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    customer: Customer
    customer_created: bool
    contact: Contact | None
    opportunity: Opportunity


def _customer_for(actor, lead: Lead) -> tuple[Customer, bool]:
    """The customer the lead already is (linked, or found by the duplicate check) or a new one."""
    existing = lead.customer if lead.customer_id and lead.customer.deleted_at is None else None
    existing = existing or customer_matching(values={"mobile": lead.mobile, "phone": lead.phone,
                                                     "email": lead.email, "person_name": lead.person_name,
                                                     "company_name": lead.company_name})
    if existing is not None:
        if not is_system(actor) and not customer_in_scope(actor, existing, "read"):
            raise PermissionDenied(_("This lead matches a customer you cannot see; ask a manager to convert it."))
        return existing, False
    organisation = bool(lead.company_name)
    data = {"kind": CustomerKind.ORGANISATION if organisation else CustomerKind.INDIVIDUAL,
            "name": lead.company_name or lead.person_name, "mobile": lead.mobile, "email": lead.email,
            "industry": lead.industry, "owner": lead.owner or (actor if isinstance(actor, User) else None)}
    return customer_create(actor=actor, data={k: v for k, v in data.items() if v not in ("", None)}), True


def _contact(actor, customer: Customer, lead: Lead, created: bool) -> Contact | None:
    """The lead's person as the customer's contact (联系人) with the lead's phone and e-mail, unless
    the customer already has a contact of that name."""
    name = lead.person_name if lead.company_name else ""
    if not name or customer.contacts.filter(name=name).exists():
        return None
    contact = contact_add(actor=actor, customer=customer, name=name, is_key_person=created)
    points = [(ContactPointKind.MOBILE, lead.mobile), (ContactPointKind.PHONE, lead.phone),
              (ContactPointKind.EMAIL, lead.email)]
    for kind, value in points:
        if value and not customer.contact_points.filter(kind=kind, value=value).exists():
            contact_point_add(actor=actor, customer=customer, kind=kind, value=value, contact=contact)
    return contact


@transaction.atomic
def lead_convert(*, actor, lead: Lead, name: str = "", amount, expected_close_date: dt.date,
                 stage: OpportunityStage | None = None, owner: User | None = None,
                 channel: SalesChannel | None = None, at: dt.datetime | None = None) -> Conversion:
    """Convert an open lead: the customer (linked when the lead matches one, else created), the lead's
    contact person, and an opportunity (name, amount, expected close, stage, owner); then the lead is
    marked converted. One transaction: any refusal leaves nothing written. A converted lead is a 409,
    a disqualified one too (reopen it first)."""
    lead = Lead.objects.select_for_update(of=("self",)).select_related("customer", "owner").get(pk=lead.pk)
    lead_permissions.require_lead(actor, lead, "write")
    if lead.status in ALREADY:
        raise Conflict(ALREADY[lead.status], code=f"lead_{lead.status}")
    if not (name or "").strip():
        name = (lead.interest or str(lead))[:200].strip() or str(lead)
    customer, created = _customer_for(actor, lead)
    contact = _contact(actor, customer, lead, created)
    opportunity = opportunity_create(
        actor=actor, customer=customer, name=name, amount=amount, expected_close_date=expected_close_date,
        stage=stage, owner=owner or (lead.owner if is_system(actor) else None),
        channel=channel, source=lead.source, campaign=lead.campaign, at=at)
    lead = lead_mark_converted(actor=actor, lead=lead, customer=customer, at=at or timezone.now())
    return Conversion(lead, customer, created, contact, opportunity)
