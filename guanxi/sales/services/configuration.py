"""Sales configuration kept by sales managers and administrators: pipeline stages, won/lost reasons,
sales channels, regions, outlets, where representatives work and the big-deal amount."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, ValidationFailed

from .. import permissions
from ..models import (
    DealReason,
    Opportunity,
    OpportunityStage,
    Outlet,
    Region,
    RepAssignment,
    SalesChannel,
    StageChange,
)
from ..selectors.configuration import sales_settings

MAX_AMOUNT = Decimal("999999999999.99")
MAX_REGION_DEPTH = 4


def _name(value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise ValidationFailed(fields={"name": _("required, at most %(limit)s characters") % {"limit": limit}})
    return value


def _save(actor, instance) -> None:
    instance._history_user = user_of(actor)
    instance.save()


def _clean_stage(*, name: str, order: int, probability: int, is_won: bool, is_lost: bool,
                 stage: OpportunityStage | None) -> dict:
    errors = {}
    if not 0 <= probability <= 100:
        errors["probability"] = _("a percentage from 0 to 100")
    if not 0 <= order <= 1000:
        errors["order"] = _("from 0 to 1000")
    if is_won and is_lost:
        errors["is_lost"] = _("a stage is won or lost, not both")
    elif is_won and probability != 100:
        errors["probability"] = _("a won stage has a probability of 100")
    elif is_lost and probability != 0:
        errors["probability"] = _("a lost stage has a probability of 0")
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = _("required, at most %(limit)s characters") % {"limit": 50}
    if errors:
        raise ValidationFailed(fields=errors)
    if OpportunityStage.objects.filter(name=name).exclude(pk=getattr(stage, "pk", None)).exists():
        raise ValidationFailed(fields={"name": _("another stage has this name")})
    return {"name": name, "order": order, "probability": probability, "is_won": is_won, "is_lost": is_lost}


@transaction.atomic
def stage_save(*, actor, stage: OpportunityStage | None = None, name: str, order: int, probability: int,
               is_won: bool = False, is_lost: bool = False, is_active: bool = True) -> OpportunityStage:
    """Create or change a pipeline stage. A stage that holds deals keeps its won/lost kind (the deals'
    status follows it)."""
    permissions.require_configure(actor)
    data = _clean_stage(name=name, order=order, probability=probability, is_won=is_won, is_lost=is_lost, stage=stage)
    if stage is not None and (stage.is_won, stage.is_lost) != (is_won, is_lost) and stage.opportunities.exists():
        raise Conflict(_("Deals are in this stage: its won/lost kind cannot change."), code="stage_in_use")
    if stage is not None and not is_active and stage.opportunities.filter(status=Opportunity.Status.OPEN).exists():
        raise Conflict(_("Open deals are in this stage: move them before deactivating it."), code="stage_in_use")
    stage = stage or OpportunityStage()
    for key, value in data.items():
        setattr(stage, key, value)
    stage.is_active = is_active
    _save(actor, stage)
    _check_pipeline()
    return stage


def stage_in_use(stage: OpportunityStage) -> bool:
    """Whether any deal is, or ever was, in the stage (its history names it)."""
    return stage.opportunities.exists() or StageChange.objects.filter(
        Q(from_stage=stage) | Q(to_stage=stage)).exists()


@transaction.atomic
def stage_delete(*, actor, stage: OpportunityStage) -> None:
    """Delete a stage no deal has ever been in (audited); one in use is only deactivated
    (`stage_save(is_active=False)`), so that the deals and their history keep it."""
    permissions.require_configure(actor)
    stage = OpportunityStage.objects.select_for_update().get(pk=stage.pk)
    if stage_in_use(stage):
        raise Conflict(_("Deals are or were in this stage: it cannot be deleted, only deactivated."),
                       code="stage_in_use")
    stage._history_user = user_of(actor)
    stage.delete()
    _check_pipeline()


def _check_pipeline() -> None:
    active = OpportunityStage.objects.filter(is_active=True)
    if not active.filter(is_won=True).exists() or not active.filter(is_lost=True).exists() or not active.filter(
            is_won=False, is_lost=False).exists():
        raise Conflict(_("The pipeline needs at least one open, one won and one lost stage."), code="pipeline")


@transaction.atomic
def reason_save(*, actor, reason: DealReason | None = None, kind: str, name: str, is_active: bool = True
                ) -> DealReason:
    permissions.require_configure(actor)
    if kind not in DealReason.Kind.values:
        raise ValidationFailed(fields={"kind": _("won or lost")})
    name = _name(name, 100)
    if DealReason.objects.filter(kind=kind, name=name).exclude(pk=getattr(reason, "pk", None)).exists():
        raise ValidationFailed(fields={"name": _("this reason exists already")})
    reason = reason or DealReason()
    reason.kind, reason.name, reason.is_active = kind, name, is_active
    _save(actor, reason)
    return reason


@transaction.atomic
def channel_save(*, actor, channel: SalesChannel | None = None, code: str, name: str, order: int = 0,
                 is_active: bool = True) -> SalesChannel:
    permissions.require_configure(actor)
    code = (code or "").strip()
    if not code or len(code) > 30 or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise ValidationFailed(fields={"code": _("letters, digits, - and _, at most 30")})
    name = _name(name, 50)
    if SalesChannel.objects.filter(code=code).exclude(pk=getattr(channel, "pk", None)).exists():
        raise ValidationFailed(fields={"code": _("another channel has this code")})
    channel = channel or SalesChannel()
    channel.code, channel.name, channel.order, channel.is_active = code, name, order, is_active
    _save(actor, channel)
    return channel


def _depth(region: Region | None) -> int:
    depth = 0
    while region is not None:
        depth, region = depth + 1, region.parent
    return depth


@transaction.atomic
def region_save(*, actor, region: Region | None = None, name: str, parent: Region | None = None) -> Region:
    permissions.require_configure(actor)
    name = _name(name, 100)
    ancestor = parent
    while ancestor is not None:
        if region is not None and ancestor.pk == region.pk:
            raise ValidationFailed(fields={"parent": _("a region cannot lie inside itself")})
        ancestor = ancestor.parent
    if _depth(parent) >= MAX_REGION_DEPTH:
        raise ValidationFailed(fields={"parent": _("regions nest at most 4 levels deep")})
    if Region.objects.filter(name=name).exclude(pk=getattr(region, "pk", None)).exists():
        raise ValidationFailed(fields={"name": _("another region has this name")})
    region = region or Region()
    region.name, region.parent = name, parent
    _save(actor, region)
    return region


@transaction.atomic
def outlet_save(*, actor, outlet: Outlet | None = None, name: str, region: Region, address: str = "",
                is_active: bool = True) -> Outlet:
    permissions.require_configure(actor)
    name = _name(name, 100)
    if len(address or "") > 200:
        raise ValidationFailed(fields={"address": _("at most 200 characters")})
    if Outlet.objects.filter(name=name).exclude(pk=getattr(outlet, "pk", None)).exists():
        raise ValidationFailed(fields={"name": _("another outlet has this name")})
    outlet = outlet or Outlet()
    outlet.name, outlet.region, outlet.address, outlet.is_active = name, region, (address or "").strip(), is_active
    _save(actor, outlet)
    return outlet


@transaction.atomic
def rep_assign(*, actor, user: User, region: Region | None = None, outlet: Outlet | None = None) -> RepAssignment:
    """Where a representative works: a region, an outlet (whose region it then is), or neither."""
    permissions.require_configure(actor)
    if not permissions.may_own_opportunities(user) or not user.is_active:
        raise ValidationFailed(fields={"user": _("not an active member of the sales force")})
    if outlet is not None:
        region = outlet.region
    assignment = RepAssignment.objects.filter(user=user).first() or RepAssignment(user=user)
    assignment.region, assignment.outlet = region, outlet
    _save(actor, assignment)
    return assignment


@transaction.atomic
def big_deal_amount_set(*, actor, amount: Decimal) -> Decimal:
    """From which amount managers are alerted of a deal (大额业务提醒)."""
    permissions.require_configure(actor)
    if amount is None or not Decimal(1) <= amount <= MAX_AMOUNT:
        raise ValidationFailed(fields={"amount": _("a positive amount")})
    settings = sales_settings()
    settings.big_deal_amount = amount
    _save(actor, settings)
    return amount
