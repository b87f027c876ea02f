"""Reads of the workbench: one's analyses (administrators: everyone's), one analysis, and its
customers limited to those the reader may read, with names masked as customers masks them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound
from guanxi.customers.permissions import customer_read_scope
from guanxi.customers.selectors import customer_visible_to

from ..models import MiningAnalysis, MiningPrediction, MiningSelection
from ..permissions import permissions


def mining_analysis_list(*, user) -> QuerySet[MiningAnalysis]:
    """The user's analyses and the system's (the demo's), newest first; administrators see all."""
    permissions.require(user, "mining", "read")
    qs = MiningAnalysis.objects.select_related("owner").defer("reasons").order_by("-id")
    if getattr(user, "is_administrator", False):
        return qs
    return qs.filter(Q(owner=user) | Q(owner__isnull=True))


def mining_analysis_get_for_user(*, user, analysis_id: int) -> MiningAnalysis:
    analysis = mining_analysis_list(user=user).defer(None).filter(pk=analysis_id).first()
    if analysis is None:
        raise NotFound(_("Analysis not found."))
    return analysis


def mining_prediction_list(*, user, analysis: MiningAnalysis, label: int | None = None) -> QuerySet[MiningPrediction]:
    """The analysis' customers that `user` may read (live ones), by rank; of one label if given."""
    qs = MiningPrediction.objects.filter(analysis=analysis, customer__deleted_at__isnull=True)
    if permissions.scope(user, "mining", "read") is Scope.NONE:
        return qs.none()
    if customer_read_scope(user) is not Scope.ALL:
        qs = qs.filter(customer__in=customer_visible_to(user=user))
    if label is not None:
        qs = qs.filter(label=label)
    return qs.select_related("customer").order_by("rank", "id")


def mining_selection_list(*, analysis: MiningAnalysis) -> QuerySet[MiningSelection]:
    return MiningSelection.objects.filter(analysis=analysis).select_related("segment").order_by("-id")
