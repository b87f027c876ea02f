"""Opportunities (商机): create, change, move through the stages, win and lose. Every write checks
the actor against `permissions.py`, records the stage history and the audit trail, and alerts the
managers when a deal reaches the big-deal amount."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import is_system, user_of
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.core.versioning import require_version
from guanxi.customers.models import Customer
from guanxi.customers.permissions import can_see_personal_data, customer_in_scope

from .. import permissions
from ..models import Competitor, DealReason, Opportunity, OpportunityStage, SalesChannel, StageChange
from ..selectors.configuration import first_open_stage, lost_stage, won_stage
from .alerts import big_deal_check

Status = Opportunity.Status
MAX_AMOUNT = Decimal("999999999999.99")
MAX_COMPETITORS = 20
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)
FIELDS = ("name", "amount", "expected_close_date", "probability", "channel", "source", "owner", "competitors",
          "product", "outlet", "campaign")


def _amount(value) -> tuple[Decimal | None, str | None]:
    """The amount, or why it is not one (negative, beyond the largest, finer than a fen)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        return None, _("an amount of 0 or more")
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        return None, _("at most 999,999,999,999.99, in fen")
    return amount.quantize(Decimal("0.01")), None


def _clean(data: dict, errors: dict) -> dict:
    """The given fields checked; reasons collected in `errors`."""
    clean = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 200:
            errors["name"] = _("required, at most 200 characters")
        clean["name"] = name
    if "amount" in data:
        clean["amount"], reason = _amount(data["amount"])
        if reason:
            errors["amount"] = reason
    if "expected_close_date" in data:
        date = data["expected_close_date"]
        if not isinstance(date, dt.date) or not EARLIEST <= date <= LATEST:
            errors["expected_close_date"] = _("a date from 2000 to 2999")
        clean["expected_close_date"] = date
    if data.get("probability") is not None:
        if not 0 <= data["probability"] <= 100:
            errors["probability"] = _("a percentage from 0 to 100")
        clean["probability"] = data["probability"]
    if "source" in data:
        source = (data["source"] or "").strip()
        if len(source) > 100:
            errors["source"] = _("at most 100 characters")
        clean["source"] = source
    if "campaign" in data:
        clean["campaign"] = data["campaign"]
    if "channel" in data:
        channel = data["channel"]
        if channel is not None and (not isinstance(channel, SalesChannel) or not channel.is_active):
            errors["channel"] = _("not an active sales channel")
        clean["channel"] = channel
    if "competitors" in data:
        clean["competitors"] = _competitors(data["competitors"] or [], errors)
    if data.get("outlet") is not None and not data["outlet"].is_active:
        errors["outlet"] = _("not an active outlet")
    for key in ("product", "outlet"):
        if key in data:
            clean[key] = data[key]
    return clean


def _partner(owner: User):
    """The partner organisation of a deal owned by a partner user (its team of kind partner), or None."""
    team = owner.team
    return team if owner.role == Role.PARTNER and team is not None and team.kind == TeamKind.PARTNER else None


def _competitors(rows, errors: dict) -> list[tuple[str, str]]:
    out, seen = [], set()
    for row in rows:
        name, note = (row.get("name") or "").strip(), (row.get("note") or "").strip()
        if not name or len(name) > 100 or len(note) > 500 or name in seen:
            errors["competitors"] = _("each with a distinct name (at most 100 characters) and a note of at most 500")
            break
        seen.add(name)
        out.append((name, note))
    if len(out) > MAX_COMPETITORS:
        errors["competitors"] = _("at most 20 competitors")
    return out


def _owner(actor, owner: User | None) -> User:
    """The deal's owner: the actor by default; someone else only for those who write beyond their own."""
    if owner is None:
        if is_system(actor) or not permissions.may_own_opportunities(actor):
            raise ValidationFailed(fields={"owner": _("name the representative who owns the deal")})
        return actor
    if not owner.is_active or not permissions.may_own_opportunities(owner):
        raise ValidationFailed(fields={"owner": _("not an active member of the sales force")})
    if owner.pk != getattr(actor, "pk", None):
        reach = permissions.scope(actor, "opportunity", "write")
        allowed = reach is Scope.ALL or (reach is Scope.TEAM and actor.team_id and owner.team_id == actor.team_id)
        if not allowed:
            raise PermissionDenied(_("You can give deals only to people of your own team."))
    return owner


def _save(opportunity: Opportunity, actor) -> None:
    opportunity._history_user = user_of(actor)
    opportunity.save()


def _record_move(opportunity: Opportunity, previous: OpportunityStage | None, entered: dt.datetime | None,
                 actor, at: dt.datetime) -> None:
    seconds = max(0, int((at - entered).total_seconds())) if entered is not None else None
    StageChange.objects.create(opportunity=opportunity, from_stage=previous, to_stage=opportunity.stage,
                               changed_at=at, changed_by=user_of(actor), seconds_in_previous=seconds)


def _set_competitors(opportunity: Opportunity, rows: list[tuple[str, str]], actor) -> None:
    opportunity.competitors.exclude(name__in=[name for name, _note in rows]).delete()
    existing = {c.name: c for c in opportunity.competitors.all()}
    for name, note in rows:
        competitor = existing.get(name) or Competitor(opportunity=opportunity, name=name)
        if competitor.pk is None or competitor.note != note:
            competitor.note = note
            competitor._history_user = user_of(actor)
            competitor.save()


@transaction.atomic
def opportunity_create(*, actor, customer: Customer, name: str, amount, expected_close_date: dt.date,
                       stage: OpportunityStage | None = None, owner: User | None = None,
                       probability: int | None = None, channel: SalesChannel | None = None, source: str = "",
                       competitors: list[dict] | None = None, product=None, outlet=None,
                       at: dt.datetime | None = None, campaign=None) -> Opportunity:
    """A new open deal with a customer the actor may read, in `stage` (the first open stage by
    default), owned by the actor (or by `owner`, for managers), taking the stage's probability unless
    one is given."""
    permissions.require(actor, "opportunity", "write", message=_("Your role cannot create opportunities."))
    if not is_system(actor) and not customer_in_scope(actor, customer, "read"):
        raise PermissionDenied(_("You cannot sell to a customer you cannot see."))
    errors: dict = {}
    clean = _clean({"name": name, "amount": amount, "expected_close_date": expected_close_date,
                    "probability": probability, "channel": channel, "source": source,
                    "competitors": competitors or [], "product": product, "outlet": outlet,
                    "campaign": campaign}, errors)
    stage = stage or first_open_stage()
    if stage is None or not stage.is_active or stage.is_terminal:
        errors["stage"] = _("an active stage that is neither won nor lost")
    if customer.deleted_at is not None:
        errors["customer"] = _("this customer was deleted")
    if errors:
        raise ValidationFailed(fields=errors)
    owner = _owner(actor, owner)
    at = at or timezone.now()
    opportunity = Opportunity(
        customer=customer, name=clean["name"], owner=owner, team=owner.team, amount=clean["amount"],
        expected_close_date=clean["expected_close_date"], stage=stage, stage_entered_at=at,
        probability=stage.probability if probability is None else probability,
        probability_overridden=probability is not None, channel=clean["channel"], source=clean["source"],
        campaign=clean["campaign"], created_by=user_of(actor), partner=_partner(owner), product=clean["product"],
        outlet=clean["outlet"])
    _save(opportunity, actor)
    if at != opportunity.created_at:
        Opportunity.objects.filter(pk=opportunity.pk).update(created_at=at)
        opportunity.created_at = at
    _record_move(opportunity, None, None, actor, at)
    _set_competitors(opportunity, clean["competitors"], actor)
    big_deal_check(opportunity)
    return opportunity


# The fields a version conflict may list as changed (free text masked as its reader sees it).
VERSIONED_FIELDS = ("name", "amount", "expected_close_date", "probability", "stage", "status", "channel",
                    "source", "owner", "campaign", "product", "outlet", "reason", "reason_note")


def _locked(actor, opportunity: Opportunity, expected_version: int | None = None) -> Opportunity:
    """The deal locked, once `actor` may change it and read it at its current version (else 409)."""
    # Lock first, then read with the joins: a locking query that joins the stage would, after waiting
    # for a concurrent move, re-check the join against the old stage row and find no deal at all.
    Opportunity.objects.select_for_update().filter(pk=opportunity.pk).values_list("pk", flat=True).get()
    opportunity = Opportunity.objects.select_related("customer", "stage").get(pk=opportunity.pk)
    permissions.require_opportunity_write(actor, opportunity)
    if expected_version is not None:
        plain = can_see_personal_data(user=actor, customer=opportunity.customer)
        require_version(opportunity, expected_version, fields=VERSIONED_FIELDS,
                        masked={} if plain else dict.fromkeys(("name", "source", "reason_note"), mask_free_text))
    return opportunity


def _require_open(opportunity: Opportunity) -> None:
    if not opportunity.is_open:
        message = _("This deal was won; it cannot change any more.") if opportunity.status == Status.WON else \
            _("This deal was lost; it cannot change any more.")
        raise Conflict(message, code=f"already_{opportunity.status}")


@transaction.atomic
def opportunity_update(*, actor, opportunity: Opportunity, data: dict,
                       expected_version: int | None = None) -> Opportunity:
    """Change an open deal's name, amount, close date, probability (None: back to the stage's),
    channel, source, owner or competitors (the whole list). 409 when the caller read an older version."""
    opportunity = _locked(actor, opportunity, expected_version)
    _require_open(opportunity)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: _("not a field of an opportunity") for name in unknown})
    errors: dict = {}
    clean = _clean(data, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if "owner" in data and data["owner"] is not None and data["owner"].pk != opportunity.owner_id:
        opportunity.owner = _owner(actor, data["owner"])
        opportunity.team = opportunity.owner.team
        opportunity.partner = _partner(opportunity.owner) or opportunity.partner
    for key in ("name", "amount", "expected_close_date", "channel", "source", "product", "outlet", "campaign"):
        if key in clean:
            setattr(opportunity, key, clean[key])
    if "probability" in data:
        overridden = data["probability"] is not None
        opportunity.probability = clean["probability"] if overridden else opportunity.stage.probability
        opportunity.probability_overridden = overridden
    _save(opportunity, actor)
    if "competitors" in clean:
        _set_competitors(opportunity, clean["competitors"], actor)
    big_deal_check(opportunity)
    return opportunity


def _enter(opportunity: Opportunity, stage: OpportunityStage, actor, at: dt.datetime) -> None:
    if at < opportunity.stage_entered_at:
        raise ValidationFailed(fields={"at": _("before the deal entered its current stage")})
    previous, entered = opportunity.stage, opportunity.stage_entered_at
    opportunity.stage, opportunity.stage_entered_at = stage, at
    if not opportunity.probability_overridden or stage.is_terminal:
        opportunity.probability = stage.probability
    _save(opportunity, actor)
    _record_move(opportunity, previous, entered, actor, at)


@transaction.atomic
def opportunity_move(*, actor, opportunity: Opportunity, stage: OpportunityStage,
                     at: dt.datetime | None = None, expected_version: int | None = None) -> Opportunity:
    """Move an open deal to another open stage (winning and losing have their own services); 409 when
    the caller read an older version."""
    opportunity = _locked(actor, opportunity, expected_version)
    _require_open(opportunity)
    if not stage.is_active:
        raise ValidationFailed(fields={"stage": _("this stage is no longer used")})
    if stage.is_terminal:
        raise ValidationFailed(_("Win or lose the deal instead: a lost deal needs its reason."),
                               fields={"stage": _("a won or lost stage")})
    if stage.pk != opportunity.stage_id:
        _enter(opportunity, stage, actor, at or timezone.now())
    return opportunity


def _reason(reason: DealReason | None, kind: str, required: bool) -> DealReason | None:
    if reason is None:
        if required:
            raise ValidationFailed(fields={"reason": _("say why the deal was lost")})
        return None
    if reason.kind != kind or not reason.is_active:
        raise ValidationFailed(fields={"reason": _("not an active reason of this kind")})
    return reason


def _close(*, actor, opportunity: Opportunity, status: str, stage: OpportunityStage | None,
           reason: DealReason | None, note: str, at: dt.datetime | None, expected_version: int | None) -> Opportunity:
    opportunity = _locked(actor, opportunity, expected_version)
    _require_open(opportunity)
    if stage is None:
        raise Conflict(_("No active won or lost stage is configured."), code="pipeline")
    if len(note or "") > 500:
        raise ValidationFailed(fields={"note": _("at most 500 characters")})
    at = at or timezone.now()
    opportunity.status, opportunity.closed_at = status, at
    opportunity.reason, opportunity.reason_note = reason, (note or "").strip()
    _enter(opportunity, stage, actor, at)
    return opportunity


@transaction.atomic
def opportunity_win(*, actor, opportunity: Opportunity, reason: DealReason | None = None, note: str = "",
                    at: dt.datetime | None = None, expected_version: int | None = None) -> Opportunity:
    """The deal was won (赢单), with an optional reason from the list; 409 from an older version."""
    return _close(actor=actor, opportunity=opportunity, status=Status.WON, stage=won_stage(),
                  reason=_reason(reason, DealReason.Kind.WON, required=False), note=note, at=at,
                  expected_version=expected_version)


@transaction.atomic
def opportunity_lose(*, actor, opportunity: Opportunity, reason: DealReason | None, note: str = "",
                     at: dt.datetime | None = None, expected_version: int | None = None) -> Opportunity:
    """The deal was lost (丢单), with its reason from the list; 409 from an older version."""
    return _close(actor=actor, opportunity=opportunity, status=Status.LOST, stage=lost_stage(),
                  reason=_reason(reason, DealReason.Kind.LOST, required=True), note=note, at=at,
                  expected_version=expected_version)
