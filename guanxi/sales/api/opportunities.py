"""`/api/v1/opportunities`: deals (商机) the caller may read, a page at a time; create, change,
move to another stage, win and lose."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.models import User
from guanxi.accounts.selectors import user_visible_to
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import NotFound, ValidationFailed, referenced
from guanxi.core.masking import mask_free_text
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.versioning import expected_version, if_match, set_etag
from guanxi.customers.permissions import can_see_personal_data
from guanxi.customers.selectors import customer_get_for_user
from guanxi.marketing.selectors.campaigns import campaigns_for_attribution

from ..models import Opportunity
from ..schemas.opportunities import (
    LoseIn,
    MoveIn,
    OpportunityDetailOut,
    OpportunityFilterIn,
    OpportunityIn,
    OpportunityPageOut,
    OpportunityUpdateIn,
    WinIn,
)
from ..selectors import configuration as config_selectors
from ..selectors import opportunities as selectors
from ..services import opportunities as services

CENT = Decimal("0.01")
router = Router(tags=["opportunities"], operation_prefix="guanxi_sales_api_opportunities")


def _ref(obj, name: str | None = None):
    return {"id": obj.pk, "name": name if name is not None else str(obj)} if obj is not None else None


def out(user, opportunity: Opportunity, *, history: bool = False) -> dict:
    """One deal; free text with phone and ID numbers masked for roles that may not see them."""
    text = (lambda v: v) if can_see_personal_data(user=user, customer=opportunity.customer) else mask_free_text
    body = {
        "id": opportunity.pk, "name": text(opportunity.name), "customer": _ref(opportunity.customer),
        "owner": _ref(opportunity.owner), "team": _ref(opportunity.team), "amount": opportunity.amount,
        "weighted_amount": opportunity.weighted_amount.quantize(CENT),
        "expected_close_date": opportunity.expected_close_date, "probability": opportunity.probability,
        "probability_overridden": opportunity.probability_overridden, "stage": _ref(opportunity.stage),
        "stage_entered_at": opportunity.stage_entered_at, "status": opportunity.status,
        "channel": _ref(opportunity.channel), "source": text(opportunity.source),
        "source_label": text(opportunity.source_label), "campaign": _ref(opportunity.campaign, getattr(
            opportunity.campaign, "name", None)), "reason": _ref(opportunity.reason),
        "reason_note": text(opportunity.reason_note), "closed_at": opportunity.closed_at,
        "created_at": opportunity.created_at, "version": opportunity.version,
        "competitors": [{"name": c.name, "note": text(c.note)} for c in opportunity.competitors.all()],
    }
    if history:
        body["stage_history"] = [{
            "from_stage": _ref(m.from_stage), "to_stage": _ref(m.to_stage), "changed_at": m.changed_at,
            "changed_by": _ref(m.changed_by), "seconds_in_previous": m.seconds_in_previous,
        } for m in selectors.stage_history(opportunity=opportunity)]
    return body


def _detail(request, opportunity_id: int, response: HttpResponse | None = None) -> dict:
    """The deal as answered (its version as the ETag of `response`)."""
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    if response is not None:
        set_etag(response, opportunity)
    return out(request.user, opportunity, history=True)


def _known(field: str, lookup, **kwargs):
    """A record named in the body; an unknown one is a 422 on that field."""
    try:
        return lookup(**kwargs)
    except NotFound as exc:
        raise ValidationFailed(fields={field: _("does not exist")}) from exc


def _campaign(campaign_id: int):
    """A campaign named in the body: one that does not exist or was never launched is a 422."""
    campaign = campaigns_for_attribution().filter(pk=campaign_id).first()
    if campaign is None:
        raise ValidationFailed(fields={"campaign": _("not a launched campaign")})
    return campaign


def _user(viewer, user_id: int) -> User:
    return referenced(user_visible_to, field="owner", reason=_("does not exist"), viewer=viewer, user_id=user_id)


@router.get("/opportunities", response=OpportunityPageOut)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilterIn], page: Query[CursorPageParams]):
    """Deals the caller may read, newest first: pass `next_cursor` back as `cursor` until it is null."""
    unknown = set(filters.status) - set(Opportunity.Status.values)
    if unknown:
        raise ValidationFailed(fields={"status": _("one of: %(values)s") % {
            "values": ", ".join(Opportunity.Status.values)}})
    query = selectors.OpportunityFilter(
        statuses=tuple(filters.status), stage_id=filters.stage, customer_id=filters.customer,
        owner_id=request.user.pk if filters.mine else filters.owner, team_id=filters.team,
        channel_id=filters.channel, close_after=filters.close_after, close_before=filters.close_before,
        min_amount=filters.min_amount, query=filters.q.strip())
    result = keyset_page(selectors.opportunity_search(user=request.user, filters=query).prefetch_related(
        "competitors"), cursor=page.cursor, limit=page.limit)
    return {"items": [out(request.user, o) for o in result.rows], "next_cursor": result.next_cursor}


@router.post("/opportunities", response={201: OpportunityDetailOut})
def create_opportunity(request: HttpRequest, response: HttpResponse, payload: OpportunityIn):
    """Open a deal with a customer you may read, in an open stage (the first by default)."""
    customer = _known("customer", customer_get_for_user, user=request.user, customer_id=payload.customer)
    stage = _known("stage", config_selectors.stage_get, stage_id=payload.stage) if payload.stage else None
    channel = _known("channel", config_selectors.channel_get, channel_id=payload.channel) \
        if payload.channel else None
    opportunity = services.opportunity_create(
        actor=request.user, customer=customer, name=payload.name, amount=payload.amount,
        expected_close_date=payload.expected_close_date, stage=stage,
        owner=_user(request.user, payload.owner) if payload.owner else None, probability=payload.probability,
        channel=channel, source=payload.source, competitors=[c.dict() for c in payload.competitors],
        campaign=_campaign(payload.campaign) if payload.campaign else None)
    return Status(201, _detail(request, opportunity.pk, response))


@router.get("/opportunities/{opportunity_id}", response=OpportunityDetailOut)
def get_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int):
    """One deal with its stage history (time spent in each stage); the ETag is its version (send it
    back as If-Match, or as `version`, with a change: 409 with what changed when it is older)."""
    return _detail(request, opportunity_id, response)


@router.patch("/opportunities/{opportunity_id}", response=OpportunityDetailOut, openapi_extra=if_match())
def update_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int,
                       payload: OpportunityUpdateIn):
    """Change an open deal: only the fields given; `probability: null` follows the stage again."""
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                     action="write")
    given = payload.dict(exclude_unset=True, exclude={"version"})
    # null clears the channel and gives the probability back to the stage; elsewhere it changes nothing.
    data = {key: value for key, value in given.items()
            if value is not None or key in ("probability", "channel", "campaign")}
    if given.get("campaign"):
        data["campaign"] = _campaign(given["campaign"])
    if given.get("channel"):
        data["channel"] = _known("channel", config_selectors.channel_get, channel_id=given["channel"])
    if given.get("owner"):
        data["owner"] = _user(request.user, given["owner"])
    services.opportunity_update(actor=request.user, opportunity=opportunity, data=data,
                                expected_version=expected_version(request, payload.version))
    return _detail(request, opportunity_id, response)


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityDetailOut, openapi_extra=if_match())
def move_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: MoveIn):
    """Move an open deal to another open stage; the time it spent in the last one is recorded."""
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                     action="write")
    stage = _known("stage", config_selectors.stage_get, stage_id=payload.stage)
    services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage,
                              expected_version=expected_version(request, payload.version))
    return _detail(request, opportunity_id, response)


@router.post("/opportunities/{opportunity_id}/win", response=OpportunityDetailOut, openapi_extra=if_match())
def win_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: WinIn):
    """The deal was won (赢单); a lost deal cannot be won (409)."""
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                     action="write")
    reason = _known("reason", config_selectors.reason_get, reason_id=payload.reason) if payload.reason else None
    services.opportunity_win(actor=request.user, opportunity=opportunity, reason=reason, note=payload.note,
                             expected_version=expected_version(request, payload.version))
    return _detail(request, opportunity_id, response)


@router.post("/opportunities/{opportunity_id}/lose", response=OpportunityDetailOut, openapi_extra=if_match())
def lose_opportunity(request: HttpRequest, response: HttpResponse, opportunity_id: int, payload: LoseIn):
    """The deal was lost (丢单), with a lost reason from the list."""
    opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id,
                                                     action="write")
    reason = _known("reason", config_selectors.reason_get, reason_id=payload.reason)
    services.opportunity_lose(actor=request.user, opportunity=opportunity, reason=reason, note=payload.note,
                              expected_version=expected_version(request, payload.version))
    return _detail(request, opportunity_id, response)
