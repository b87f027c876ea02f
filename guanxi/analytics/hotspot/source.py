"""What the hotspot analysis reads: the cases that are consultations, queries and complaints (咨询、
查询、投诉, SPEC I.1) of every department, merged duplicates left out, and the customers'
interactions (the notes and summaries of calls, visits, chats: consultations and queries that never
became a case), or both. Interactions enter the analysis with negative ids (-id), so that one run
holds both without their ids colliding; `interaction_id` tells them apart."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from guanxi.customers.models import Interaction
from guanxi.servicedesk.enums import TicketStatus, TicketType
from guanxi.servicedesk.models import Ticket

# 咨询、查询、投诉: what customers ask about and complain of (SPEC I.1).
CASE_TYPES = (TicketType.CONSULTATION, TicketType.QUERY, TicketType.COMPLAINT)
LABELS = ("type", "tier", "category", "team")


def hotspot_cases(*, start: dt.date, end: dt.date):
    """(id, day, text, type, tier, business, department) of every analysed case in the period, in id
    order; the day is the local date it was opened; the business is its category's root."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = (Ticket.objects.filter(created_at__gte=since, created_at__lt=until, type__in=CASE_TYPES)
          .exclude(status=TicketStatus.MERGED)
          .annotate(day=TruncDate("created_at", tzinfo=tz),
                    business=Coalesce(F("category__parent__name"), F("category__name")))
          .order_by("id"))
    for row in qs.values_list("id", "day", "subject", "description", "type", "customer_tier", "business",
                              "team__name").iterator(chunk_size=20_000):
        yield (row[0], row[1], f"{row[2]}\n{row[3]}", *row[4:])


SOURCES = ("cases", "interactions", "both")


def interaction_id(document_id: int) -> int | None:
    """The interaction behind an analysed document id, or None for a case."""
    return -int(document_id) if document_id < 0 else None


def hotspot_interactions(*, start: dt.date, end: dt.date):
    """(-id, day, text, "interaction", "", channel, department) of every interaction with a subject or
    notes that occurred in the period, in occurrence order; the day is its local date; the channel
    stands where a case has its business."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = (Interaction.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
          .exclude(subject="", content="")
          .annotate(day=TruncDate("occurred_at", tzinfo=tz))
          .order_by("occurred_at", "id"))
    for row in qs.values_list("id", "day", "subject", "content", "channel", "team__name").iterator(chunk_size=20_000):
        yield (-row[0], row[1], f"{row[2]}\n{row[3]}", "interaction", "", row[4], row[5])


def hotspot_documents(*, source: str = "cases", start: dt.date, end: dt.date):
    """The rows of `source` (cases, interactions or both) in the period, for `documents_build`."""
    if source not in SOURCES:
        raise ValueError(source)
    if source in ("cases", "both"):
        yield from hotspot_cases(start=start, end=end)
    if source in ("interactions", "both"):
        yield from hotspot_interactions(start=start, end=end)
