"""Reads of the sales configuration: stages, reasons, channels, regions, outlets, settings. Every
staff role reads them (they label what it sees)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import NotFound

from ..models import DealReason, OpportunityStage, Outlet, Region, SalesChannel, SalesSettings


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
