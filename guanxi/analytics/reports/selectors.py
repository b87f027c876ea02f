"""Reads of the scheduled reports: one's own subscriptions (every one for an administrator), the
reports one received (each recipient's own files only) and one such file, for its recipient while
they may still see the report's source."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.errors import NotFound

from ..models import ExplorerView, MiningAnalysis, ReportFile, ReportSubscription
from ..permissions import permissions
from .services import recipient_refusal, source_deleted_reason


def report_subscription_list(*, user) -> QuerySet[ReportSubscription]:
    permissions.require(user, "report_subscription", "read")
    condition = permissions.condition(user, "report_subscription", "read", own=Q(owner=user))
    return (ReportSubscription.objects.filter(condition).select_related("owner", "explorer_view", "analysis")
            .prefetch_related("recipients").order_by("-id"))


def report_subscription_get_for_user(*, user, subscription_id: int) -> ReportSubscription:
    subscription = report_subscription_list(user=user).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("Scheduled report not found."))
    return subscription


def report_file_list(*, user) -> QuerySet[ReportFile]:
    """The files of the reports sent to `user`, newest first (content left out)."""
    return (ReportFile.objects.filter(recipient_id=user.pk).defer("content")
            .select_related("delivery__subscription").order_by("-id"))


def _still_allowed(user, subscription: ReportSubscription) -> bool:
    """A recipient keeps a copy of a report whose source was deleted since; otherwise they must still
    be allowed to see its source."""
    if source_deleted_reason(subscription):
        return True
    return not recipient_refusal(user=user, subscription=subscription)


def report_file_get_for_user(*, user, file_id: int) -> ReportFile:
    found = (ReportFile.objects.filter(pk=file_id, recipient_id=user.pk)
             .select_related("delivery__subscription__owner", "delivery__subscription__explorer_view",
                             "delivery__subscription__analysis").first())
    if found is None or not _still_allowed(user, found.delivery.subscription):
        raise NotFound(_("Report not found."))
    return found


def report_delivery_pdf_for_user(*, user, delivery_id: int) -> ReportFile:
    """The PDF of a sent report as it was rendered for `user` (the link in the e-mail)."""
    found = (ReportFile.objects.filter(delivery_id=delivery_id, recipient_id=user.pk, content_type="application/pdf")
             .order_by("id").first())
    if found is None:
        raise NotFound(_("Report not found."))
    return report_file_get_for_user(user=user, file_id=found.pk)


def report_recipient_choices() -> QuerySet[User]:
    """Active staff with an e-mail address or a mobile number, to choose recipients from."""
    return User.objects.filter(is_active=True).exclude(email="", mobile="").order_by("username")


def report_source_choices(*, user) -> dict:
    """The saved views and the finished data-mining analyses `user` may schedule."""
    from ..explorer.saved import explorer_view_list
    from ..workbench.selectors import mining_analysis_list

    views: list[ExplorerView] = []
    analyses: list[MiningAnalysis] = []
    if permissions.can(user, "explorer", "read"):
        views = list(explorer_view_list(user=user)[:500])
    if permissions.can(user, "mining", "read"):
        analyses = list(mining_analysis_list(user=user).filter(status=MiningAnalysis.Status.DONE)[:500])
    return {"views": views, "analyses": analyses}
