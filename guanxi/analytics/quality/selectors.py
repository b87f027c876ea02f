"""Reads of the CRM quality assessment: the assessments (newest first) and the figures as of today,
for managers and analysts (company-wide aggregates)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound

from ..models import QualityAssessment
from ..permissions import permissions
from .figures import compute


def quality_assessment_list(*, user) -> QuerySet[QualityAssessment]:
    permissions.require(user, "quality", "read")
    return QualityAssessment.objects.select_related("created_by").order_by("-as_of", "-id")


def quality_assessment_get_for_user(*, user, assessment_id: int) -> QualityAssessment:
    found = quality_assessment_list(user=user).filter(pk=assessment_id).first()
    if found is None:
        raise NotFound(_("Assessment not found."))
    return found


def quality_figures(*, user) -> dict:
    """The figures as of today, computed now (what the next assessment will record)."""
    permissions.require(user, "quality", "read")
    return compute(timezone.localdate())
