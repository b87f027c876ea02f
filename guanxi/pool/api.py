"""`/api/v1/pool`: the 公海 pool's unowned leads and customers (cursor-paged, phones masked for
representatives), claim, release and assign, what I hold and when it returns, the recycling rules
and the log."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.selectors import user_visible_to
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.masking import mask_email, mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.customers.value import value_tier

from . import permissions, selectors, services
from .enums import EventKind, RecordKind, Tier
from .schemas import (
    PoolAssignIn,
    PoolClaimOut,
    PoolCustomerPageOut,
    PoolEventFilterIn,
    PoolEventPageOut,
    PoolFilterIn,
    PoolHoldingOut,
    PoolLeadPageOut,
    PoolRecordIn,
    PoolRuleIn,
    PoolRuleOut,
    PoolRulePageOut,
    PoolRuleUpdateIn,
)

router = Router(tags=["pool"], operation_prefix="guanxi_pool_api")


def _ref(user):
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _masks(user):
    plain = permissions.sees_personal_data(user)
    return (lambda v: v) if plain else mask_phone, (lambda v: v) if plain else mask_email


def _target(payload: PoolRecordIn) -> dict:
    """The record named in the body; absent or gone is a 422 on `id`."""
    if payload.record not in RecordKind.values:
        raise ValidationFailed(fields={"record": _("lead or customer")})
    if payload.record == RecordKind.LEAD:
        return {"lead": referenced(selectors.pool_lead_get, field="id", reason=_("does not exist"),
                                   lead_id=payload.id)}
    return {"customer": referenced(selectors.pool_customer_get, field="id", reason=_("does not exist"),
                                   customer_id=payload.id)}


@router.get("/pool/leads", response=PoolLeadPageOut)
def list_pool_leads(request: HttpRequest, filters: Query[PoolFilterIn], page: Query[CursorPageParams]):
    """Unowned open leads, newest first: pass `next_cursor` back as `cursor` until it is null."""
    phone, email = _masks(request.user)
    result = keyset_page(selectors.pool_leads(user=request.user, query=filters.q.strip(),
                                              province=filters.province.strip()),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [{"id": lead.pk, "name": lead.person_name or lead.company_name,
                       "company_name": lead.company_name, "mobile": phone(lead.mobile), "email": email(lead.email),
                       "province": lead.province, "city": lead.city, "source": lead.source, "status": lead.status,
                       "created_at": lead.created_at} for lead in result.rows],
            "next_cursor": result.next_cursor}


@router.get("/pool/customers", response=PoolCustomerPageOut)
def list_pool_customers(request: HttpRequest, filters: Query[PoolFilterIn], page: Query[CursorPageParams]):
    """Unowned customers, most recently changed first."""
    if filters.tier and filters.tier not in Tier.values:
        raise ValidationFailed(fields={"tier": _("one of: %(values)s") % {"values": ", ".join(Tier.values)}})
    phone, _email = _masks(request.user)
    result = keyset_page(selectors.pool_customers(user=request.user, query=filters.q.strip(), tier=filters.tier),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [{"id": c.pk, "code": c.code, "name": c.name, "kind": c.kind, "mobile": phone(c.mobile),
                       "tier": value_tier(c.arpu), "updated_at": c.updated_at} for c in result.rows],
            "next_cursor": result.next_cursor}


def _claimed(holding, owner) -> dict:
    return {"record": holding.record_kind, "id": holding.lead_id or holding.customer_id, "owner": _ref(owner),
            "since": holding.since, "held": selectors.held_count(owner), "limit": selectors.claim_limit_for(owner)}


@router.post("/pool/claim", response={201: PoolClaimOut})
def claim(request: HttpRequest, payload: PoolRecordIn):
    """Take a record from the pool; 409 beyond your claim limit (the limit in the message) or when
    someone else claimed it first."""
    holding = services.pool_claim(actor=request.user, **_target(payload))
    return Status(201, _claimed(holding, request.user))


@router.post("/pool/assign", response={201: PoolClaimOut})
def assign(request: HttpRequest, payload: PoolAssignIn):
    """Give a pool record to a representative (sales managers: of their team)."""
    owner = referenced(user_visible_to, field="owner", reason=_("does not exist"), viewer=request.user,
                       user_id=payload.owner)
    holding = services.pool_assign(actor=request.user, owner=owner, **_target(payload))
    return Status(201, _claimed(holding, owner))


@router.post("/pool/release", response={204: None})
def release(request: HttpRequest, payload: PoolRecordIn):
    """Put a record you own back into the pool (managers: anyone's)."""
    services.pool_release(actor=request.user, **_target(payload))
    return Status(204, None)


@router.get("/pool/mine", response=list[PoolHoldingOut])
def mine(request: HttpRequest):
    """What I hold from the pool, with the day the earliest rule returns each record."""
    return [{"record": h.holding.record_kind, "id": h.record.pk, "name": str(h.record), "how": h.holding.how,
             "since": h.holding.since, "last_activity": h.last_activity, "returns_on": h.returns_on,
             "days_left": h.days_left, "warned": h.warned} for h in selectors.my_holdings(user=request.user)]


@router.get("/pool/rules", response=PoolRulePageOut)
def list_rules(request: HttpRequest, page: Query[CursorPageParams]):
    """The recycling rules."""
    result = keyset_page(selectors.rules(user=request.user).order_by("id"), cursor=page.cursor, limit=page.limit)
    return {"items": result.rows, "next_cursor": result.next_cursor}


@router.post("/pool/rules", response={201: PoolRuleOut})
def create_rule(request: HttpRequest, payload: PoolRuleIn):
    """A recycling rule (sales managers and administrators)."""
    return Status(201, services.rule_save(actor=request.user, data=payload.dict()))


@router.patch("/pool/rules/{rule_id}", response=PoolRuleOut)
def update_rule(request: HttpRequest, rule_id: int, payload: PoolRuleUpdateIn):
    """Change a rule: the fields given (`is_enabled: false` switches it off)."""
    rule = selectors.rule_get(user=request.user, rule_id=rule_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.rule_save(actor=request.user, rule=rule, data=data)


@router.get("/pool/events", response=PoolEventPageOut)
def list_events(request: HttpRequest, filters: Query[PoolEventFilterIn], page: Query[CursorPageParams]):
    """The pool log, newest first: claims, releases, assignments, warnings and returns by rule."""
    if filters.kind and filters.kind not in EventKind.values:
        raise ValidationFailed(fields={"kind": _("one of: %(values)s") % {"values": ", ".join(EventKind.values)}})
    if filters.record and filters.record not in RecordKind.values:
        raise ValidationFailed(fields={"record": _("lead or customer")})
    rows = selectors.events(user=request.user, kind=filters.kind, record_kind=filters.record,
                            customer_id=filters.customer, lead_id=filters.lead)
    result = keyset_page(rows, cursor=page.cursor, limit=page.limit)
    return {"items": [{"id": e.pk, "kind": e.kind, "record": e.record_kind, "record_id": e.lead_id or e.customer_id,
                       "record_name": str(e.lead or e.customer), "owner": _ref(e.owner), "actor": _ref(e.actor),
                       "rule": e.rule_name, "at": e.at} for e in result.rows],
            "next_cursor": result.next_cursor}
