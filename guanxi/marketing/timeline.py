"""Marketing on the customer 360 timeline: a lead matched to the customer or converted into it, when it
was captured, qualified, disqualified or converted; and the campaigns sent to the customer and their
responses."""

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .enums import LeadStatus
from .models import CampaignMember, CampaignResponse, Lead


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


def campaign_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    """Campaigns sent to the customer (one index range scan on (customer, added_at)) and their responses."""
    members = CampaignMember.objects.filter(customer=customer, sent_at__isnull=False).select_related("campaign")
    if before is not None:
        members = members.filter(added_at__lte=before)
    members = list(members.order_by("-added_at", "-id")[:limit])
    events = []
    for member in members:
        link = reverse("marketing:campaign_detail", args=[member.campaign_id])
        if member.sent_at is not None and (before is None or member.sent_at <= before):
            events.append(TimelineEvent(member.sent_at, "campaign_sent",
                                        _("Campaign sent: %(campaign)s") % {"campaign": member.campaign.name},
                                        member.get_status_display(), link))
    responses = CampaignResponse.objects.filter(member__in=[m.pk for m in members]).select_related("member__campaign")
    for response in responses:
        if before is None or response.responded_at <= before:
            events.append(TimelineEvent(
                response.responded_at, "campaign_response",
                _("Campaign response: %(campaign)s") % {"campaign": response.member.campaign.name},
                f"{response.get_kind_display()} {response.note[:80]}".strip(),
                reverse("marketing:campaign_detail", args=[response.member.campaign_id])))
    return events


MARKETING_EVENTS_IN = ((Lead, "customer"), (CampaignMember, "customer"))  # responses are of members


def marketing_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    """The marketing source of the 360 timeline: leads and campaigns, newest first, at most `limit`."""
    events = lead_events(customer, limit, before) + campaign_events(customer, limit, before)
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
