"""`/api/v1/campaigns`: marketing campaigns (营销活动) — list, one campaign, create, edit, launch,
send and cancel; members, responses, expense claims and ROI; `/api/v1/campaign-opt-outs`: 退订."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.customers.selectors import customer_get_for_user
from guanxi.segments.selectors import segment_get_for_user

from .. import permissions
from ..enums import CampaignStatus
from ..models import Campaign
from ..revenue import revenue_sources
from ..schemas.campaigns import (
    CampaignCreateIn,
    CampaignExpenseDecisionIn,
    CampaignExpenseIn,
    CampaignExpenseOut,
    CampaignExpensePageOut,
    CampaignFieldsIn,
    CampaignFilterIn,
    CampaignLaunchOut,
    CampaignMemberAddIn,
    CampaignMemberOut,
    CampaignMemberPageOut,
    CampaignMemberTrackIn,
    CampaignOut,
    CampaignPageOut,
    CampaignResponseIn,
    CampaignResponseOut,
    CampaignResponsePageOut,
    CampaignRoiOut,
    MarketingOptOutIn,
    MarketingOptOutOut,
    MarketingOptOutPageOut,
)
from ..selectors import campaigns as selectors
from ..services import campaigns as services

router = Router(tags=["campaigns"], operation_prefix="guanxi_marketing_api_campaigns")
FIELDS = ("name", "objective", "channels", "starts_on", "ends_on", "send_time", "budget", "message_subject",
          "message_text", "definition", "industries", "occupations", "age_min", "age_max")


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _customer(customer):
    return {"id": customer.pk, "name": f"{customer.code} {customer.name}"}


def campaign_out(campaign: Campaign) -> dict:
    return {**{name: getattr(campaign, name) for name in FIELDS}, "send_time": campaign.send_time.strftime("%H:%M"),
            "id": campaign.pk, "owner": _ref(campaign.owner),
            "status": campaign.status, "segments": [_ref(s) for s in campaign.segments.all()],
            "member_counts": selectors.member_counts(campaign=campaign), "launched_at": campaign.launched_at,
            "sent_at": campaign.sent_at, "closed_at": campaign.closed_at, "created_at": campaign.created_at}


def _page(queryset, params: CursorPageParams, row) -> dict:
    page = keyset_page(queryset, cursor=params.cursor, limit=params.limit)
    return {"items": [row(obj) for obj in page.rows], "next_cursor": page.next_cursor}


def _fields(payload) -> dict:
    data = {name: getattr(payload, name) for name in FIELDS if name in payload.model_fields_set}
    if data.get("send_time"):
        data["send_time"] = dt.time.fromisoformat(data["send_time"])
    return data


def _segments(request, ids):
    if ids is None:
        return None
    return [referenced(segment_get_for_user, field="segments", reason=_("unknown segment"), user=request.user,
                       segment_id=pk) for pk in ids]


def _campaign(request, campaign_id: int, action: str = "read") -> Campaign:
    return selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id, action=action)


@router.get("/campaigns", response=CampaignPageOut)
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilterIn], params: Query[CursorPageParams]):
    """The campaigns, newest start first; walk the pages with `next_cursor`."""
    permissions.campaign_require(request.user, "campaign", "read")
    qs = selectors.campaign_list(user=request.user).prefetch_related("segments")
    if filters.status:
        if filters.status not in CampaignStatus.values:
            raise ValidationFailed(fields={"status": _("unknown value")})
        qs = qs.filter(status=filters.status)
    return _page(qs, params, campaign_out)


@router.post("/campaigns", response={201: CampaignOut})
def create_campaign(request: HttpRequest, payload: CampaignCreateIn):
    """A draft campaign; launch it to freeze its members."""
    permissions.campaign_require(request.user, "campaign", "write")
    campaign = services.campaign_create(actor=request.user, data=_fields(payload),
                                        segments=_segments(request, payload.segments) or [])
    return Status(201, campaign_out(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def get_campaign(request: HttpRequest, campaign_id: int):
    return campaign_out(_campaign(request, campaign_id))


@router.patch("/campaigns/{campaign_id}", response=CampaignOut)
def update_campaign(request: HttpRequest, campaign_id: int, payload: CampaignFieldsIn):
    """Change a draft (a launched campaign is frozen: 409)."""
    campaign = _campaign(request, campaign_id, "write")
    services.campaign_update(actor=request.user, campaign=campaign, data=_fields(payload),
                             segments=_segments(request, payload.segments))
    return campaign_out(_campaign(request, campaign_id))


@router.post("/campaigns/{campaign_id}/launch", response=CampaignLaunchOut)
def launch_campaign(request: HttpRequest, campaign_id: int):
    """Freeze the target group into members (without those opted out) and schedule the sending."""
    campaign = _campaign(request, campaign_id, "write")
    count = services.campaign_launch(actor=request.user, campaign=campaign)
    return {"campaign": campaign_out(_campaign(request, campaign_id)), "members": count}


@router.post("/campaigns/{campaign_id}/cancel", response=CampaignOut)
def cancel_campaign(request: HttpRequest, campaign_id: int):
    campaign = _campaign(request, campaign_id, "write")
    services.campaign_cancel(actor=request.user, campaign=campaign)
    return campaign_out(_campaign(request, campaign_id))


def member_out(member) -> dict:
    return {"id": member.pk, "customer": _customer(member.customer), "status": member.status,
            "added_at": member.added_at, "sent_at": member.sent_at, "responded_at": member.responded_at}


@router.get("/campaigns/{campaign_id}/members", response=CampaignMemberPageOut)
def list_campaign_members(request: HttpRequest, campaign_id: int, params: Query[CursorPageParams],
                          status: str = ""):
    """The members (of the customers the caller may read), in the order they were added."""
    campaign = _campaign(request, campaign_id)
    return _page(selectors.member_list(user=request.user, campaign=campaign, status=status or None), params,
                 member_out)


@router.post("/campaigns/{campaign_id}/members", response={201: CampaignMemberOut})
def add_campaign_member(request: HttpRequest, campaign_id: int, payload: CampaignMemberAddIn):
    """Add one customer to a launched campaign: 409 when a member already or opted out."""
    campaign = _campaign(request, campaign_id, "write")
    customer = referenced(customer_get_for_user, field="customer", reason=_("unknown customer"), user=request.user,
                          customer_id=payload.customer)
    return Status(201, member_out(services.member_add(actor=request.user, campaign=campaign, customer=customer)))


@router.post("/campaigns/{campaign_id}/members/{member_id}/send", response=CampaignMemberOut)
def send_campaign_member(request: HttpRequest, campaign_id: int, member_id: int):
    """Send one waiting member now: 409 when already sent or opted out."""
    campaign = _campaign(request, campaign_id, "write")
    member = selectors.member_get_for_user(user=request.user, campaign=campaign, member_id=member_id)
    return member_out(services.member_send(actor=request.user, member=member))


@router.post("/campaigns/{campaign_id}/members/{member_id}/track", response=CampaignMemberOut)
def track_campaign_member(request: HttpRequest, campaign_id: int, member_id: int, payload: CampaignMemberTrackIn):
    """A delivery or open/click report for a sent member (never moves a member back in the funnel)."""
    campaign = _campaign(request, campaign_id, "write")
    member = selectors.member_get_for_user(user=request.user, campaign=campaign, member_id=member_id)
    return member_out(services.member_track(actor=request.user, member=member, status=payload.status))


def response_out(response) -> dict:
    return {"id": response.pk, "member": response.member_id, "customer": _customer(response.member.customer),
            "kind": response.kind, "channel": response.channel, "note": response.note,
            "responded_at": response.responded_at, "lead": response.lead_id}


@router.get("/campaigns/{campaign_id}/responses", response=CampaignResponsePageOut)
def list_campaign_responses(request: HttpRequest, campaign_id: int, params: Query[CursorPageParams]):
    campaign = _campaign(request, campaign_id)
    return _page(selectors.response_list(user=request.user, campaign=campaign), params, response_out)


@router.post("/campaigns/{campaign_id}/responses", response={201: CampaignResponseOut})
def record_campaign_response(request: HttpRequest, campaign_id: int, payload: CampaignResponseIn):
    """A member's response; `create_lead` captures a lead attributed to the campaign."""
    campaign = _campaign(request, campaign_id)
    member = referenced(selectors.member_get_for_user, field="member", reason=_("unknown member"),
                        user=request.user, campaign=campaign, member_id=payload.member)
    response = services.response_record(actor=request.user, member=member, kind=payload.kind,
                                        channel=payload.channel, note=payload.note, create_lead=payload.create_lead)
    return Status(201, response_out(response))


def expense_out(expense) -> dict:
    return {"id": expense.pk, "amount": expense.amount, "category": expense.category, "channel": expense.channel,
            "spent_on": expense.spent_on, "description": expense.description, "status": expense.status,
            "submitted_by": _ref(expense.submitted_by), "decided_by": _ref(expense.decided_by),
            "decided_at": expense.decided_at}


@router.get("/campaigns/{campaign_id}/expenses", response=CampaignExpensePageOut)
def list_campaign_expenses(request: HttpRequest, campaign_id: int, params: Query[CursorPageParams]):
    campaign = _campaign(request, campaign_id)
    return _page(selectors.expense_list(user=request.user, campaign=campaign), params, expense_out)


@router.post("/campaigns/{campaign_id}/expenses", response={201: CampaignExpenseOut})
def submit_campaign_expense(request: HttpRequest, campaign_id: int, payload: CampaignExpenseIn):
    """An expense claim (费用报销), waiting for a manager's approval; amounts above 0."""
    campaign = _campaign(request, campaign_id)
    expense = services.expense_submit(actor=request.user, campaign=campaign, amount=payload.amount,
                                      category=payload.category, spent_on=payload.spent_on,
                                      channel=payload.channel, description=payload.description)
    return Status(201, expense_out(expense))


@router.post("/campaigns/{campaign_id}/expenses/{expense_id}/decide", response=CampaignExpenseOut)
def decide_campaign_expense(request: HttpRequest, campaign_id: int, expense_id: int,
                            payload: CampaignExpenseDecisionIn):
    """Approve or reject a submitted claim (409 once decided)."""
    campaign = _campaign(request, campaign_id)
    expense = selectors.expense_get_for_user(user=request.user, campaign=campaign, expense_id=expense_id)
    return expense_out(services.expense_decide(actor=request.user, expense=expense, approve=payload.approve))


@router.get("/campaigns/{campaign_id}/roi", response=CampaignRoiOut)
def campaign_roi(request: HttpRequest, campaign_id: int):
    """ROI = (attributed revenue − approved expenses) / approved expenses, overall and per channel
    ("" = not tied to one channel); null without expenses."""
    campaign = _campaign(request, campaign_id)
    roi = selectors.campaign_roi_for_user(user=request.user, campaign=campaign)
    return {"campaign": campaign.pk, "revenue": roi.revenue, "expenses": roi.expenses, "roi": roi.roi,
            "revenue_by_source": roi.by_source, "sources": {s.key: str(s.label) for s in revenue_sources()},
            "channels": [{"channel": c.channel, "revenue": c.revenue, "expenses": c.expenses, "roi": c.roi}
                         for c in sorted(roi.channels.values(), key=lambda c: c.channel)]}


def opt_out_out(opt_out) -> dict:
    return {"id": opt_out.pk, "customer": _customer(opt_out.customer), "channel": opt_out.channel,
            "source": opt_out.source, "note": opt_out.note, "created_at": opt_out.created_at}


@router.get("/campaign-opt-outs", response=MarketingOptOutPageOut)
def list_campaign_opt_outs(request: HttpRequest, params: Query[CursorPageParams]):
    """Customers' opt-outs of marketing (退订), newest first."""
    return _page(selectors.opt_out_list(user=request.user), params, opt_out_out)


@router.post("/campaign-opt-outs", response={201: MarketingOptOutOut})
def record_campaign_opt_out(request: HttpRequest, payload: MarketingOptOutIn):
    """The customer refuses marketing on a channel (or all); honoured by every send."""
    permissions.campaign_require(request.user, "opt_out", "write")
    customer = referenced(customer_get_for_user, field="customer", reason=_("unknown customer"), user=request.user,
                          customer_id=payload.customer)
    opt_out = services.opt_out_record(actor=request.user, customer=customer, channel=payload.channel,
                                      note=payload.note)
    return Status(201, opt_out_out(opt_out))


