"""Writes of the scheduled reports: subscriptions (owned by their creator, audited by their
history) and the sending of due periods, once each.

A subscription names a report kind and, for a saved explorer view or a data-mining analysis, its
source; the source must exist, be visible to the owner and (views) not be deleted when it is
created, else it is refused with the reason (422). Sending one period takes the subscription's row
lock; if the source was deleted since, the subscription is stopped with the reason (shown on the
page) and nothing is sent. Otherwise every recipient is checked again (active, an address, still
allowed to see the source: the view shared with them and its measures and dimensions allowed to
their role, the analysis theirs to open…) — one who is not is skipped with the reason recorded on
the delivery — and each of the others gets an XLSX and a PDF rendered with their own rights,
stored privately (ReportFile, served only to them) and sent through the messaging backends: by
e-mail with both as attachments, else by SMS with a link to the copy kept in the application. The
delivery is unique per subscription and period (a second worker or a re-run finds it and sends
nothing); a failure rolls the period back, so the next beat tries it again."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM, is_system, user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from guanxi.integrations.messaging.attachments import Attachment
from guanxi.integrations.messaging.enums import MessageChannel
from guanxi.integrations.messaging.services import message_send

from ..dashboard.read import visible_cards
from ..models import ExplorerView, MiningAnalysis, ReportDelivery, ReportFile, ReportSubscription
from ..permissions import permissions
from .periods import report_period

logger = logging.getLogger(__name__)
MAX_RECIPIENTS = 50
Kind = ReportSubscription.Kind
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- who may see what


def source_deleted_reason(subscription: ReportSubscription) -> str:
    """Why the subscription's source is gone ("" while it is there)."""
    if subscription.kind == Kind.EXPLORER_VIEW:
        view = subscription.explorer_view
        if view is None or view.deleted_at is not None:
            name = view.name if view is not None else subscription.name
            return _("The saved view “%(name)s” was deleted.") % {"name": name}
    if subscription.kind == Kind.MINING and subscription.analysis is None:
        return _("The data-mining analysis of “%(name)s” was deleted.") % {"name": subscription.name}
    return ""


def refusal(*, user: User, subscription: ReportSubscription) -> str:
    """Why `user` may not see the report of `subscription` (its source as they would see it), or ""."""
    kind = subscription.kind
    if kind == Kind.HOTSPOT_WEEKLY:
        return "" if permissions.can(user, "hotspot", "read") else _("may not see the hotspot analysis")
    if kind == Kind.QUALITY:
        return "" if permissions.can(user, "quality", "read") else _("may not see the CRM quality assessment")
    if kind == Kind.DASHBOARD_SUMMARY:
        owner_cards = set(visible_cards(subscription.owner))
        if owner_cards and owner_cards <= set(visible_cards(user)):
            return ""
        return _("may not see the dashboard's figures")
    if kind == Kind.EXPLORER_VIEW:
        from ..explorer.query import ExplorerQuery, validate
        from ..explorer.saved import ViewDeleted, explorer_view_get_for_user

        try:
            view = explorer_view_get_for_user(user=user, view_id=subscription.explorer_view_id or 0)
            validate(user, ExplorerQuery.from_dict(view.definition))
        except ViewDeleted:
            return _("the saved view was deleted")
        except NotFound:
            return _("the saved view is not shared with them")
        except DomainError as exc:
            return exc.message
        return ""
    if kind == Kind.MINING:
        from ..workbench.selectors import mining_analysis_get_for_user

        try:
            mining_analysis_get_for_user(user=user, analysis_id=subscription.analysis_id or 0)
        except NotFound:
            return _("may not open this analysis")
        except DomainError as exc:
            return exc.message
        return ""
    return _("unknown report")


def recipient_refusal(*, user: User, subscription: ReportSubscription) -> str:
    """`refusal`, and: an active user with an e-mail address or a mobile number."""
    if not user.is_active:
        return _("the account is disabled")
    if not (user.email or user.mobile):
        return _("no e-mail address or mobile number")
    return refusal(user=user, subscription=subscription)


def may_receive(*, user: User, subscription: ReportSubscription) -> bool:
    return not recipient_refusal(user=user, subscription=subscription)


# ---------------------------------------------------------------- subscriptions


def _source(*, owner: User, kind: str, explorer_view_id: int | None, analysis_id: int | None,
            errors: dict) -> tuple[ExplorerView | None, MiningAnalysis | None]:
    from ..explorer.saved import ViewDeleted, explorer_view_get_for_user
    from ..workbench.selectors import mining_analysis_get_for_user

    view = analysis = None
    if kind == Kind.EXPLORER_VIEW:
        try:
            view = explorer_view_get_for_user(user=owner, view_id=int(explorer_view_id or 0))
        except ViewDeleted:
            errors["explorer_view"] = _("This saved view was deleted.")
        except (NotFound, PermissionDenied):
            errors["explorer_view"] = _("Choose a saved view you may open.")
    elif kind == Kind.MINING:
        try:
            analysis = mining_analysis_get_for_user(user=owner, analysis_id=int(analysis_id or 0))
        except (NotFound, PermissionDenied):
            errors["analysis"] = _("Choose a data-mining analysis you may open (it may have been deleted).")
        else:
            if analysis.status != MiningAnalysis.Status.DONE:
                errors["analysis"] = _("This analysis has no result yet.")
    return view, analysis


def _clean(*, owner: User, name: str, kind: str, cadence: str, recipient_ids: list[int],
           explorer_view_id: int | None, analysis_id: int | None) -> tuple[str, list[User], ReportSubscription]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Required, at most 100 characters.")
    if kind not in Kind.values:
        errors["kind"] = _("Choose a report.")
    if cadence not in ReportSubscription.Cadence.values:
        errors["cadence"] = _("Choose daily, weekly or monthly.")
    view, analysis = _source(owner=owner, kind=kind, explorer_view_id=explorer_view_id, analysis_id=analysis_id,
                             errors=errors)
    draft = ReportSubscription(name=name, kind=kind, cadence=cadence, owner=owner, explorer_view=view,
                               analysis=analysis)
    recipients = list(User.objects.filter(pk__in=recipient_ids[:MAX_RECIPIENTS + 1]))
    if not recipients or len(recipients) != len(set(recipient_ids)) or len(recipients) > MAX_RECIPIENTS:
        errors["recipients"] = _("Choose 1 to 50 existing users.")
    elif kind in Kind.values and not errors.get("explorer_view") and not errors.get("analysis"):
        if reason := refusal(user=owner, subscription=draft):
            errors["kind"] = _("You may not see this report: %(reason)s") % {"reason": reason}
        refused = [f"{u.username}（{reason}）" for u in recipients
                   if (reason := recipient_refusal(user=u, subscription=draft))]
        if refused:
            errors["recipients"] = _("Not allowed to see this report, or without an address: %(users)s") % {
                "users": ", ".join(refused)}
    if errors:
        raise ValidationFailed(_("The scheduled report is not valid."), fields=errors)
    return name, recipients, draft


@transaction.atomic
def report_subscription_create(*, actor, name: str, kind: str, cadence: str, recipient_ids: list[int],
                               explorer_view_id: int | None = None,
                               analysis_id: int | None = None) -> ReportSubscription:
    """Schedule a report owned by `actor`; its source must exist and every recipient be allowed to see it."""
    permissions.require(actor, "report_subscription", "write")
    owner = user_of(actor)
    if owner is None:
        raise PermissionDenied(_("Only a user may own a scheduled report."))
    name, recipients, subscription = _clean(owner=owner, name=name, kind=kind, cadence=cadence,
                                            recipient_ids=list(recipient_ids), explorer_view_id=explorer_view_id,
                                            analysis_id=analysis_id)
    subscription.save()
    subscription.recipients.set(recipients)
    return subscription


def _require_mine(actor, subscription: ReportSubscription, action: str) -> None:
    allowed = permissions.may_own(actor, "report_subscription", action, subscription.owner_id)
    permissions.require(actor, "report_subscription", action, allowed=allowed)


@transaction.atomic
def report_subscription_delete(*, actor, subscription: ReportSubscription) -> None:
    """Stop and remove a scheduled report (its sent periods and files go with it)."""
    _require_mine(actor, subscription, "delete")
    subscription.delete()


# ---------------------------------------------------------------- sending


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


def _filename(subscription: ReportSubscription, start: dt.date, end: dt.date, suffix: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "_", subscription.name).strip() or subscription.kind
    days = f"{start:%Y%m%d}" if start == end else f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"{name[:100]}-{days}.{suffix}"


def _render_for(subscription: ReportSubscription, user: User, start: dt.date, end: dt.date, shared: dict):
    from . import render  # reportlab, numpy and pandas: loaded when a report is rendered, not at start-up

    kind = subscription.kind
    if kind in render.SHARED_KINDS:  # company-wide: the same for everyone, rendered once
        if "rendered" not in shared:
            shared["rendered"] = (render.hotspot_report(start=start, end=end) if kind == Kind.HOTSPOT_WEEKLY
                                  else render.quality_report(end=end))
        return shared["rendered"]
    if kind == Kind.DASHBOARD_SUMMARY:
        return render.dashboard_report(user=user, start=start, end=end)
    if kind == Kind.EXPLORER_VIEW:
        return render.explorer_view_report(user=user, view=subscription.explorer_view)
    return render.mining_report(user=user, analysis=subscription.analysis)


@transaction.atomic
def report_send(*, actor, subscription_id: int, today: dt.date) -> ReportDelivery | None:
    """Render and send the subscription's last complete period before `today`, unless it was sent or
    the subscription is stopped (None then; a deleted source stops it here, with the reason). The
    system sends due reports; an owner may send theirs now (the same period)."""
    subscription = (ReportSubscription.objects.select_for_update(of=("self",))
                    .select_related("owner", "explorer_view", "analysis").get(pk=subscription_id))
    if not is_system(actor):
        _require_mine(actor, subscription, "write")
    if not subscription.is_active:
        if is_system(actor):
            return None
        raise Conflict(_("This scheduled report is stopped: %(reason)s") % {
            "reason": subscription.stopped_reason or _("no reason given")}, code="report_stopped")
    start, end = report_period(subscription.cadence, today)
    if ReportDelivery.objects.filter(subscription=subscription, period_start=start).exists():
        return None
    now = timezone.now()
    if reason := source_deleted_reason(subscription):
        subscription.is_active, subscription.stopped_reason, subscription.last_run_at = False, reason[:300], now
        subscription.save(update_fields=["is_active", "stopped_reason", "last_run_at"])
        logger.info("scheduled report %s stopped: %s", subscription.pk, reason)
        return None
    delivery = ReportDelivery.objects.create(subscription=subscription, period_start=start, period_end=end,
                                             created_at=now)
    base = settings.REPORTS_BASE_URL.rstrip("/")
    link = base + reverse("analytics:report_delivery_pdf", args=[delivery.pk])
    subject = f"{subscription.name}（{start} ~ {end}）" if start != end else f"{subscription.name}（{start}）"
    shared: dict = {}
    for user in subscription.recipients.all().order_by("id"):
        if reason := recipient_refusal(user=user, subscription=subscription):
            delivery.skipped.append({"user": user.username, "reason": reason})
            continue
        rendered = _render_for(subscription, user, start, end, shared)
        files = [Attachment(_filename(subscription, start, end, "xlsx"), XLSX_TYPE, rendered.xlsx),
                 Attachment(_filename(subscription, start, end, "pdf"), "application/pdf", rendered.pdf)]
        ReportFile.objects.bulk_create([ReportFile(delivery=delivery, recipient=user, filename=f.filename,
                                                   content_type=f.content_type, content=f.content,
                                                   size=len(f.content)) for f in files])
        if user.email:
            body = (f"{rendered.summary}\n\n{_('Attached: the report as XLSX and PDF.')}\n"
                    f"{_('The report (PDF):')} {link}\n")
            message_send(channel=MessageChannel.EMAIL, recipient=user.email, subject=subject, body=body,
                         attachments=files)
        else:
            first = rendered.summary.splitlines()[0] if rendered.summary else ""
            received = base + reverse("analytics:report_received")
            body = f"{subscription.name}（{start}）：{first[:120]} {_('Report:')} {received}"
            message_send(channel=MessageChannel.SMS, recipient=user.mobile, body=body)
        delivery.recipients.append(user.username)
    delivery.save(update_fields=["recipients", "skipped"])
    subscription.last_period_start, subscription.last_run_at = start, now
    subscription.save(update_fields=["last_period_start", "last_run_at"])
    return delivery
