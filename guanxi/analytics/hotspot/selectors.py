"""Reads of the hotspot analysis: the newest snapshot, its series by day, week or month with the
density (share of the period's cases), and the cases behind a topic, keyword or spike — those the
viewer may read in the service desk, their text masked as the service desk masks it — and the
interactions behind them: those of customers the viewer may read in customers, their notes masked
as the customers app masks them, each leading to its customer's 360."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.customers.models import Interaction
from guanxi.customers.permissions import customer_read_scope
from guanxi.customers.selectors import can_see_personal_data, customer_visible_to
from guanxi.customers.selectors.dedupe import mask_name
from guanxi.servicedesk.enums import CustomerTier, TicketType
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.selectors.tickets import case_text, case_text_unmasked, ticket_list

from ..models import HotspotCase, HotspotInteraction, HotspotRun
from ..permissions import permissions
from .source import CASE_TYPES

UNITS = ("day", "week", "month")


def hotspot_run_latest(*, user) -> HotspotRun | None:
    """The newest finished analysis (None before the first one)."""
    permissions.require(user, "hotspot", "read")
    return HotspotRun.objects.filter(status=HotspotRun.Status.DONE).order_by("-id").first()


def hotspot_run_get(*, user, run_id: int | None = None) -> HotspotRun:
    """One finished analysis (default the newest); not found when there is none."""
    permissions.require(user, "hotspot", "read")
    qs = HotspotRun.objects.filter(status=HotspotRun.Status.DONE)
    run = qs.filter(pk=run_id).first() if run_id else qs.order_by("-id").first()
    if run is None:
        raise NotFound(_("No hotspot analysis yet."))
    return run


def bucket_start(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def bucket_end(start: dt.date, unit: str) -> dt.date:
    """The last day of the bucket starting on `start`."""
    if unit == "week":
        return start + dt.timedelta(days=6)
    if unit == "month":
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return start


def _check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise ValidationFailed(_("The time unit must be day, week or month."), code="bad_unit")
    return unit


def _buckets(days: list[str], unit: str) -> tuple[list[dt.date], list[int]]:
    """The buckets' first days and, per day of the run, its bucket's position."""
    starts: OrderedDict[dt.date, int] = OrderedDict()
    positions = []
    for day in days:
        start = bucket_start(dt.date.fromisoformat(day), unit)
        positions.append(starts.setdefault(start, len(starts)))
    return list(starts), positions


def _fold(daily: list[int], positions: list[int], size: int) -> list[int]:
    out = [0] * size
    for value, position in zip(daily, positions, strict=True):
        out[position] += value
    return out


def hotspot_series(*, run: HotspotRun, unit: str = "week") -> dict:
    """The run's figures by `unit`: bucket starts, cases per bucket, and for each keyword and topic
    its count and density (share of the bucket's cases, per cent) per bucket."""
    _check_unit(unit)
    result = run.result or {}
    starts, positions = _buckets(result.get("days", []), unit)
    totals = _fold(result.get("daily_totals", []), positions, len(starts))

    def series(daily: list[int]) -> dict:
        counts = _fold(daily, positions, len(starts))
        return {"counts": counts,
                "density": [round(100 * c / t, 2) if t else 0.0 for c, t in zip(counts, totals, strict=True)]}

    return {
        "unit": unit, "buckets": [s.isoformat() for s in starts], "totals": totals,
        "keywords": [{"term": k["term"], "count": k["count"], **series(k["daily"])}
                     for k in result.get("keywords", [])],
        "topics": [{"id": t["id"], "label": t["label"], "terms": t["terms"], "count": t["count"],
                    "concentration": _concentration_in_words(t["concentration"]), **series(t["daily"])}
                   for t in result.get("topics", [])],
    }


_LABEL_CHOICES = {"type": dict(TicketType.choices), "tier": dict(CustomerTier.choices)}


def _concentration_in_words(concentration: dict) -> dict:
    """Type and tier codes as their names (the business and the department are names already)."""
    return {name: [{**row, "name": str(_LABEL_CHOICES.get(name, {}).get(row["name"], row["name"]))}
                   for row in rows] for name, rows in concentration.items()}


def hotspot_spikes(*, run: HotspotRun, kind: str = "") -> list[dict]:
    """The run's spikes, strongest first (optionally only keyword or topic spikes), with the week's end."""
    spikes = [s for s in (run.result or {}).get("spikes", []) if not kind or s["kind"] == kind]
    return [{**s, "week_end": (dt.date.fromisoformat(s["week"]) + dt.timedelta(days=6)).isoformat()}
            for s in spikes]


def _period_bounds(run: HotspotRun, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    start = max(start or run.period_start, run.period_start)
    end = min(end or run.period_end, run.period_end)
    if start > end:
        raise ValidationFailed(_("The period must start before it ends."), code="bad_period")
    return start, end


def hotspot_case_list(*, user, run: HotspotRun, topic: int | None = None, keyword: str = "",
                      start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Ticket]:
    """The cases behind a topic or a keyword (in the run's period, or the part of it asked for) that
    `user` may read in the service desk, newest first (ordered for keyset paging)."""
    permissions.require(user, "hotspot", "read")
    if topic is None and not keyword:
        raise ValidationFailed(_("Choose a topic or a keyword."), code="no_filter")
    start, end = _period_bounds(run, start, end)
    qs = ticket_list(user=user)
    if topic is not None:
        if not any(t["id"] == topic for t in (run.result or {}).get("topics", [])):
            raise NotFound(_("No such topic."))
        qs = qs.filter(pk__in=HotspotCase.objects.filter(run=run, topic=topic, day__gte=start, day__lte=end)
                       .values("ticket_id"))
    if keyword:
        tz = timezone.get_current_timezone()
        qs = qs.filter(Q(subject__icontains=keyword) | Q(description__icontains=keyword), type__in=CASE_TYPES,
                       created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
                       created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.select_related("customer").order_by("-created_at", "-id")


def hotspot_case_rows(*, user, tickets) -> list[dict]:
    """The cases as listed: number, subject and description masked for a viewer who may not see
    the customer's personal data, type, status, opening time."""
    rows = []
    for ticket in tickets:
        unmasked = case_text_unmasked(user=user, ticket=ticket)
        rows.append({"id": ticket.pk, "number": ticket.number, "subject": case_text(ticket.subject, unmasked=unmasked),
                     "description": case_text(ticket.description, unmasked=unmasked)[:200],
                     "type": ticket.get_type_display(), "status": ticket.get_status_display(),
                     "created_at": ticket.created_at})
    return rows


def hotspot_interaction_list(*, user, run: HotspotRun, topic: int | None = None, keyword: str = "",
                             start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Interaction]:
    """The interactions behind a topic or a keyword (in the run's period, or the part of it asked
    for) of live customers `user` may read, newest first (ordered for keyset paging)."""
    permissions.require(user, "hotspot", "read")
    if topic is None and not keyword:
        raise ValidationFailed(_("Choose a topic or a keyword."), code="no_filter")
    start, end = _period_bounds(run, start, end)
    qs = Interaction.objects.filter(customer__deleted_at__isnull=True)
    if customer_read_scope(user) is Scope.NONE:
        return qs.none()
    if customer_read_scope(user) is not Scope.ALL:
        qs = qs.filter(customer__in=customer_visible_to(user=user))
    if topic is not None:
        if not any(t["id"] == topic for t in (run.result or {}).get("topics", [])):
            raise NotFound(_("No such topic."))
        qs = qs.filter(pk__in=HotspotInteraction.objects.filter(run=run, topic=topic, day__gte=start, day__lte=end)
                       .values("interaction_id"))
    if keyword:
        tz = timezone.get_current_timezone()
        qs = qs.filter(Q(subject__icontains=keyword) | Q(content__icontains=keyword),
                       occurred_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
                       occurred_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.select_related("customer").order_by("-occurred_at", "-id")


def hotspot_interaction_rows(*, user, interactions) -> list[dict]:
    """The interactions as listed: customer (name masked unless the viewer sees the customer's
    personal data, as are subject and notes), channel, time, and the customer's 360 page."""
    from django.urls import reverse

    rows = []
    for row in interactions:
        unmasked = can_see_personal_data(user=user, customer=row.customer)
        text = (lambda v: v or "") if unmasked else (lambda v: mask_free_text(v or ""))
        rows.append({"id": row.pk, "customer_id": row.customer_id,
                     "customer_name": row.customer.name if unmasked else mask_name(row.customer.name),
                     "customer_url": reverse("customers:detail", args=[row.customer_id]),
                     "channel": row.get_channel_display(), "subject": text(row.subject),
                     "content": text(row.content)[:200], "occurred_at": row.occurred_at})
    return rows
