"""Writes of the scheduled reports: subscriptions (owned by their creator, audited by their
history) and the sending of due periods, once each.

Sending one period takes the subscription's row lock, renders the PDF, stores it as a
ReportDelivery (unique per subscription and period: a second worker or a re-run finds it and
sends nothing) and queues one e-mail per recipient allowed to see the report, delivered after
the commit. A failure rolls the period back, so the next beat tries it again."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM, is_system, user_of
from guanxi.accounts.models import User
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.integrations.messaging.enums import MessageChannel
from guanxi.integrations.messaging.services import message_send

from ..dashboard.read import visible_cards
from ..models import ReportDelivery, ReportSubscription
from ..permissions import permissions
from .periods import report_period

logger = logging.getLogger(__name__)
MAX_RECIPIENTS = 50


def may_see(*, user: User, kind: str, owner: User) -> bool:
    """Whether `user` may see a report of `kind` whose figures are those `owner` sees."""
    if kind == ReportSubscription.Kind.HOTSPOT_WEEKLY:
        return permissions.can(user, "hotspot", "read")
    owner_cards = set(visible_cards(owner))
    return bool(owner_cards) and owner_cards <= set(visible_cards(user))


def may_receive(*, user: User, kind: str, owner: User) -> bool:
    """`may_see`, for an active user with an e-mail address."""
    return user.is_active and bool(user.email) and may_see(user=user, kind=kind, owner=owner)


def _clean(*, owner: User, name: str, kind: str, cadence: str, recipient_ids: list[int]) -> tuple[str, list[User]]:
    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Required, at most 100 characters.")
    if kind not in ReportSubscription.Kind.values:
        errors["kind"] = _("Choose a report.")
    if cadence not in ReportSubscription.Cadence.values:
        errors["cadence"] = _("Choose weekly or monthly.")
    recipients = list(User.objects.filter(pk__in=recipient_ids[:MAX_RECIPIENTS + 1]))
    if not recipients or len(recipients) != len(set(recipient_ids)) or len(recipients) > MAX_RECIPIENTS:
        errors["recipients"] = _("Choose 1 to 50 existing users.")
    elif kind in ReportSubscription.Kind.values:
        if not may_see(user=owner, kind=kind, owner=owner):
            errors["kind"] = _("You may not see this report.")
        refused = [u.username for u in recipients if not may_receive(user=u, kind=kind, owner=owner)]
        if refused:
            errors["recipients"] = _("Not allowed to see this report, or without an e-mail address: %(users)s") % {
                "users": ", ".join(refused)}
    if errors:
        raise ValidationFailed(_("The scheduled report is not valid."), fields=errors)
    return name, recipients


@transaction.atomic
def report_subscription_create(*, actor, name: str, kind: str, cadence: str,
                               recipient_ids: list[int]) -> ReportSubscription:
    """Schedule a report owned by `actor`; every recipient must be allowed to see it."""
    permissions.require(actor, "report_subscription", "write")
    owner = user_of(actor)
    if owner is None:
        raise PermissionDenied(_("Only a user may own a scheduled report."))
    name, recipients = _clean(owner=owner, name=name, kind=kind, cadence=cadence, recipient_ids=recipient_ids)
    subscription = ReportSubscription.objects.create(name=name, kind=kind, cadence=cadence, owner=owner)
    subscription.recipients.set(recipients)
    return subscription


def _require_mine(actor, subscription: ReportSubscription, action: str) -> None:
    allowed = permissions.may_own(actor, "report_subscription", action, subscription.owner_id)
    permissions.require(actor, "report_subscription", action, allowed=allowed)


@transaction.atomic
def report_subscription_delete(*, actor, subscription: ReportSubscription) -> None:
    """Stop and remove a scheduled report (its sent periods go with it)."""
    _require_mine(actor, subscription, "delete")
    subscription.delete()


def reports_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every active subscription's last complete period that was not sent yet; the periods sent."""
    today = timezone.localdate(now or timezone.now())
    sent = 0
    for subscription_id, cadence in ReportSubscription.objects.filter(is_active=True).order_by("id").values_list(
            "id", "cadence"):
        start, _end = report_period(cadence, today)
        if ReportDelivery.objects.filter(subscription_id=subscription_id, period_start=start).exists():
            continue
        try:
            sent += report_send(actor=SYSTEM, subscription_id=subscription_id, today=today) is not None
        except Exception:  # one broken report must not stop the others; the next beat retries it
            logger.exception("scheduled report %s failed", subscription_id)
    return sent


@transaction.atomic
def report_send(*, actor, subscription_id: int, today: dt.date) -> ReportDelivery | None:
    """Render and send the subscription's last complete period before `today`, unless it was sent
    (None then). The system sends due reports; an owner may send theirs now (the same period)."""
    subscription = ReportSubscription.objects.select_for_update().select_related("owner").get(pk=subscription_id)
    if not is_system(actor):
        _require_mine(actor, subscription, "write")
    start, end = report_period(subscription.cadence, today)
    if ReportDelivery.objects.filter(subscription=subscription, period_start=start).exists():
        return None
    recipients = [u for u in subscription.recipients.all().order_by("id")
                  if may_receive(user=u, kind=subscription.kind, owner=subscription.owner)]
    from . import render  # reportlab, numpy and pandas: loaded when a report is rendered, not at start-up

    if subscription.kind == ReportSubscription.Kind.HOTSPOT_WEEKLY:
        pdf, summary = render.hotspot_report(start=start, end=end)
    else:
        pdf, summary = render.dashboard_report(owner=subscription.owner, start=start, end=end)
    now = timezone.now()
    delivery = ReportDelivery.objects.create(subscription=subscription, period_start=start, period_end=end,
                                             created_at=now, pdf=pdf, recipients=[u.username for u in recipients])
    link = settings.REPORTS_BASE_URL.rstrip("/") + reverse("analytics:report_delivery_pdf", args=[delivery.pk])
    subject = f"{subscription.name}（{start} ~ {end}）"
    body = f"{summary}\n\n{_('The report (PDF):')} {link}\n"
    for user in recipients:
        message_send(channel=MessageChannel.EMAIL, recipient=user.email, subject=subject, body=body)
    subscription.last_period_start, subscription.last_run_at = start, now
    subscription.save(update_fields=["last_period_start", "last_run_at"])
    return delivery
