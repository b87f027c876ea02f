"""Demo scheduled report: the service manager's weekly hotspot report, with the team leads, and last
week's report sent as the hourly task would have sent it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role

from ..models import ReportSubscription
from .services import report_send, report_subscription_create


def reports_demo_load(*, seed, scale, staff, customers, now: dt.datetime) -> str:
    managers = staff.by_role(Role.SERVICE_MANAGER)
    if not managers:
        return "no service manager: no scheduled report"
    readers = [managers[0], *staff.by_role(Role.TEAM_LEAD)]
    subscription = report_subscription_create(
        actor=managers[0], name="每周焦点分析报告", kind=ReportSubscription.Kind.HOTSPOT_WEEKLY,
        cadence=ReportSubscription.Cadence.WEEKLY, recipient_ids=[user.pk for user in readers])
    with transaction.atomic():
        delivery = report_send(actor=SYSTEM, subscription_id=subscription.pk, today=timezone.localdate(now))
    return f"reports: weekly hotspot report sent to {len(delivery.recipients) if delivery else 0} people"
