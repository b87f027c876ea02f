"""Leads on the customer 360 timeline: a lead matched to the customer or converted into it, when it
was captured, qualified, disqualified or converted."""

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .enums import LeadStatus
from .models import Lead


def lead_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    """The customer's newest lead events at or before `before` (all when None), at most `limit`:
    one index range scan on (customer, created_at); a lead's later steps come with it."""
    leads = Lead.objects.filter(customer=customer)
    if before is not None:
        leads = leads.filter(created_at__lte=before)
    events = []
    for lead in leads.order_by("-created_at", "-id")[:limit]:
        link = reverse("marketing:lead_detail", args=[lead.pk])
        source = lead.get_source_display()
        events.append(TimelineEvent(lead.created_at, "lead_captured", _("Lead captured: %(lead)s") % {"lead": lead},
                                    f"{source} · {lead.interest[:80]}".strip(" ·"), link, {"status": lead.status}))
        steps = ((lead.qualified_at, "lead_qualified", _("Lead qualified")),
                 (lead.closed_at if lead.status == LeadStatus.DISQUALIFIED else None, "lead_disqualified",
                  _("Lead disqualified")),
                 (lead.closed_at if lead.status == LeadStatus.CONVERTED else None, "lead_converted",
                  _("Lead converted")))
        for at, kind, title in steps:
            if at is not None and (before is None or at <= before):
                detail = lead.get_disqualify_reason_display() if kind == "lead_disqualified" else ""
                events.append(TimelineEvent(at, kind, title, detail, link))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
