"""The cases the hotspot analysis reads: consultations, queries and complaints (咨询、查询、投诉,
SPEC I.1) of every department, merged duplicates left out."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

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
