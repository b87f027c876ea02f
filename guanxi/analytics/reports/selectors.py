"""Reads of the scheduled reports: one's own subscriptions (every one for an administrator) and a
sent report's PDF, for its owner and its recipients while they may still see it."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.errors import NotFound

from ..models import ReportDelivery, ReportSubscription
from ..permissions import permissions
from .services import may_receive


def report_subscription_list(*, user) -> QuerySet[ReportSubscription]:
    permissions.require(user, "report_subscription", "read")
    condition = permissions.condition(user, "report_subscription", "read", own=Q(owner=user))
    return (ReportSubscription.objects.filter(condition).select_related("owner")
            .prefetch_related("recipients").order_by("-id"))


def report_subscription_get_for_user(*, user, subscription_id: int) -> ReportSubscription:
    subscription = report_subscription_list(user=user).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("Scheduled report not found."))
    return subscription


def report_delivery_get_for_user(*, user, delivery_id: int) -> ReportDelivery:
    """A sent report: its owner, or a recipient of it who may still see that kind of report."""
    delivery = ReportDelivery.objects.select_related("subscription__owner").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(_("Report not found."))
    subscription = delivery.subscription
    is_owner = subscription.owner_id == user.pk
    is_recipient = user.username in delivery.recipients and may_receive(user=user, kind=subscription.kind,
                                                                         owner=subscription.owner)
    if not (is_owner or is_recipient):
        raise NotFound(_("Report not found."))
    return delivery


def report_recipient_choices() -> QuerySet[User]:
    """Active staff with an e-mail address, to choose recipients from."""
    return User.objects.filter(is_active=True).exclude(email="").order_by("username")
