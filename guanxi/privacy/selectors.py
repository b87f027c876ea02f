"""Reads for personal data requests; every read checks the privacy table first."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from guanxi.core.errors import NotFound
from guanxi.customers.models import Customer

from . import permissions
from .models import DataRequest, PersonalDataAccess, RetentionRule, RetentionRun

MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them


def privacy_customer_get(*, user, customer_id: int) -> Customer:
    """Any customer record, deleted or merged ones too (a person's data outlives its deletion)."""
    permissions.require(user, "export", "read")
    customer = Customer.objects.filter(pk=customer_id).first() if 0 < customer_id <= MAX_ID else None
    if customer is None:
        raise NotFound()
    return customer


def data_request_list(*, user, kind: str = "", status: str = "", customer_id: int | None = None) -> QuerySet:
    permissions.require(user, "export", "read")
    requests = DataRequest.objects.select_related("customer", "requested_by", "reviewed_by", "executed_by")
    if kind:
        requests = requests.filter(kind=kind)
    if status:
        requests = requests.filter(status=status)
    if customer_id is not None:
        requests = requests.filter(customer_id=customer_id)
    return requests.order_by("-created_at", "-id")


def data_request_get(*, user, request_id: int) -> DataRequest:
    request = data_request_list(user=user).filter(pk=request_id).first() if 0 < request_id <= MAX_ID else None
    if request is None:
        raise NotFound()
    return request


def access_log(*, user, staff: str = "", customer_id: int | None = None, date_from=None, date_to=None,
               channel: str = "") -> QuerySet:
    """The personal-data access log, newest first, filtered by staff member (username or id), customer
    (also within an export's customers), date range (China dates, both ends included) and channel."""
    permissions.require(user, "access_log", "read")
    rows = PersonalDataAccess.objects.select_related("user")
    staff = staff.strip()
    if staff:
        is_id = staff.isdigit() and len(staff) <= 18  # larger numbers are ids of nobody: read as a username
        rows = rows.filter(user_id=int(staff)) if is_id else rows.filter(user__username=staff)
    if customer_id is not None:
        rows = rows.filter(Q(customer_id=customer_id)
                           | Q(channel=PersonalDataAccess.Channel.EXPORT, customer_ids__contains=f",{customer_id},"))
    if date_from is not None and date_from > EARLIEST:  # earlier: no bound (and no overflow)
        rows = rows.filter(at__gte=_day_start(date_from))
    if date_to is not None and date_to < LATEST:
        rows = rows.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if channel:
        rows = rows.filter(channel=channel)
    return rows.order_by("-at", "-id")


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(9999, 1, 1)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def retention_rule_list(*, user) -> list[RetentionRule]:
    """Every retention rule in kind order, each with `last_run` (its newest real run, or None)."""
    permissions.require(user, "retention", "read")
    rules = list(RetentionRule.objects.select_related("updated_by").order_by("id"))
    for rule in rules:
        rule.last_run = RetentionRun.objects.filter(kind=rule.kind).order_by("-started_at", "-id").first()
    return rules


def retention_rule_get(*, user, rule_id: int) -> RetentionRule:
    permissions.require(user, "retention", "read")
    rule = RetentionRule.objects.filter(pk=rule_id).first() if 0 < rule_id <= MAX_ID else None
    if rule is None:
        raise NotFound()
    rule.last_run = RetentionRun.objects.filter(kind=rule.kind).order_by("-started_at", "-id").first()
    return rule


def retention_run_list(*, user, kind: str = "", status: str = "") -> QuerySet:
    """The retention runs, newest first."""
    permissions.require(user, "retention", "read")
    runs = RetentionRun.objects.select_related("actor")
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-started_at", "-id")
