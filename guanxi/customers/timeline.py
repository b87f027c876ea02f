"""The customer's merged timeline (客户视图时间线): every module adds its events.

Customers records interactions itself. A higher module registers, in its AppConfig.ready(), the
dotted path of a function `(customer, limit) -> list[TimelineEvent]` (newest first, at most
`limit`, each one an index range scan on that module's own table); customers never imports it.
"""

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from .models import Customer, Interaction

SOURCES: list[str] = []


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str  # e.g. "interaction", "ticket_opened", "clock_breached", "callback", "warranty_decision"
    title: str
    detail: str = ""
    link: str = ""  # a page of the product, when there is one
    extra: dict = field(default_factory=dict)


def register_timeline_source(path: str) -> None:
    if path not in SOURCES:
        SOURCES.append(path)


def _interactions(customer: Customer, limit: int) -> list[TimelineEvent]:
    rows = Interaction.objects.filter(customer=customer).select_related("staff").order_by("-occurred_at", "-id")
    return [
        TimelineEvent(at=i.occurred_at, kind="interaction", title=i.subject or i.get_channel_display(),
                      detail=i.content[:300],
                      extra={"channel": i.channel, "direction": i.direction, "staff": str(i.staff or "")})
        for i in rows[:limit]
    ]


def customer_timeline(*, customer: Customer, limit: int = 50) -> list[TimelineEvent]:
    """The newest `limit` events of every source, merged newest first."""
    streams = [_interactions(customer, limit)] + [import_string(path)(customer, limit) for path in SOURCES]
    merged = heapq.merge(*streams, key=lambda e: e.at, reverse=True)
    return list(itertools.islice(merged, limit))
