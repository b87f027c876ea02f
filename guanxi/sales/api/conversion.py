"""`POST /api/v1/leads/{id}/convert`: a lead becomes a customer (or is linked to the one it is), a
contact and an opportunity, in one transaction (sales owns the conversion; marketing the lead)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status

from guanxi.core.errors import referenced
from guanxi.core.routers import Router
from guanxi.marketing.selectors.leads import lead_get_for_user

from ..schemas.conversion import SalesLeadConversionOut, SalesLeadConvertIn
from ..selectors import configuration as config_selectors
from ..services.conversion import lead_convert
from .opportunities import _detail, _user

router = Router(tags=["leads"], operation_prefix="guanxi_sales_api_conversion")


@router.post("/leads/{lead_id}/convert", response={201: SalesLeadConversionOut})
def convert_lead(request: HttpRequest, lead_id: int, payload: SalesLeadConvertIn):
    """Convert an open lead: the customer (linked when the duplicate check finds one), the contact
    person and an opportunity. A converted or disqualified lead is a 409 with nothing changed."""
    lead = lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    stage = referenced(config_selectors.stage_get, field="stage", reason=_("does not exist"),
                       stage_id=payload.stage) if payload.stage else None
    channel = referenced(config_selectors.channel_get, field="channel", reason=_("does not exist"),
                         channel_id=payload.channel) if payload.channel else None
    result = lead_convert(actor=request.user, lead=lead, name=payload.name, amount=payload.amount,
                          expected_close_date=payload.expected_close_date, stage=stage,
                          owner=_user(payload.owner) if payload.owner else None, channel=channel)
    contact = result.contact
    return Status(201, {
        "lead": {"id": result.lead.pk, "name": str(result.lead)},
        "customer": {"id": result.customer.pk, "name": result.customer.name},
        "customer_created": result.customer_created,
        "contact": {"id": contact.pk, "name": contact.name} if contact else None,
        "opportunity": _detail(request, result.opportunity.pk),
    })
