"""Reads of the sales configuration: stages, reasons, channels, regions, outlets, settings. Every
staff role reads them (they label what it sees)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import SYSTEM_ROLE
from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound

from .. import permissions
from ..models import DealReason, OpportunityStage, Outlet, Region, RepAssignment, SalesChannel, SalesSettings


def stage_list(*, active_only: bool = False) -> QuerySet[OpportunityStage]:
    stages = OpportunityStage.objects.order_by("order", "id")
    return stages.filter(is_active=True) if active_only else stages


def stage_get(*, stage_id: int) -> OpportunityStage:
    stage = OpportunityStage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("Stage not found."))
    return stage


def first_open_stage() -> OpportunityStage | None:
    return stage_list(active_only=True).filter(is_won=False, is_lost=False).first()


def won_stage() -> OpportunityStage | None:
    return stage_list(active_only=True).filter(is_won=True).first()


def lost_stage() -> OpportunityStage | None:
    return stage_list(active_only=True).filter(is_lost=True).first()


def reason_list(*, kind: str = "", active_only: bool = False) -> QuerySet[DealReason]:
    reasons = DealReason.objects.order_by("kind", "name")
    if kind:
        reasons = reasons.filter(kind=kind)
    return reasons.filter(is_active=True) if active_only else reasons


def reason_get(*, reason_id: int) -> DealReason:
    reason = DealReason.objects.filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("Reason not found."))
    return reason


def channel_list(*, active_only: bool = False) -> QuerySet[SalesChannel]:
    channels = SalesChannel.objects.order_by("order", "id")
    return channels.filter(is_active=True) if active_only else channels


def channel_get(*, channel_id: int) -> SalesChannel:
    channel = SalesChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotFound(_("Sales channel not found."))
    return channel


def region_list() -> QuerySet[Region]:
    return Region.objects.select_related("parent").order_by("name")


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.select_related("region").order_by("name")


def sales_settings() -> SalesSettings:
    """The one settings row (created with the defaults on first use)."""
    settings = SalesSettings.objects.order_by("pk").first()
    return settings if settings is not None else SalesSettings.objects.create()


def region_tree() -> list[tuple[Region, int]]:
    """Every region with its depth, each followed by those inside it (by name): the regions' tree."""
    children: dict[int | None, list[Region]] = {}
    for region in Region.objects.order_by("name"):
        children.setdefault(region.parent_id, []).append(region)
    rows, stack = [], [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        region, depth = stack.pop()
        rows.append((region, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(region.pk, [])))
    return rows


def region_get(*, region_id: int) -> Region:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound(_("Region not found."))
    return region


def outlet_get(*, outlet_id: int) -> Outlet:
    outlet = Outlet.objects.filter(pk=outlet_id).select_related("region").first()
    if outlet is None:
        raise NotFound(_("Outlet not found."))
    return outlet


def sales_force() -> QuerySet[User]:
    """The active users who may own deals: those a manager assigns to regions and outlets."""
    roles = [role for role, row in permissions.TABLE.items()
             if "opportunity" in row and row["opportunity"].write is not Scope.NONE and role != SYSTEM_ROLE]
    return User.objects.filter(is_active=True, role__in=roles).select_related("team").order_by("username", "id")


def rep_assignment_list() -> QuerySet[RepAssignment]:
    return RepAssignment.objects.select_related("user", "region", "outlet").order_by("user__username", "id")
