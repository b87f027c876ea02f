"""The customer's merged timeline (客户视图时间线): every module adds its events.

Customers records interactions and transactions itself. A higher module registers, in its
AppConfig.ready(), a function `(customer, limit, before=None) ->
list[TimelineEvent]`: that module's newest events of the customer at or before `before` (all
when None), newest first in a fixed order (ties broken by id, so that a larger `limit` returns
the same events and more), at most `limit`, each one an index range scan on its own table;
customers never imports it.

The timeline is read a page at a time (keyset pagination): a page is the newest `limit` events
of all sources merged, and its cursor — the time of its last event and how many events at that
very time were shown — asks every source for the next page's events only. However long the
history, a page costs one bounded query per source table, and only for the sources that hold
something of the customer: one query of index probes tells which (see register_timeline_source).
"""

import base64
import binascii
import datetime as dt
import functools
import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Model
from django.db.models.functions import Left

from guanxi.core.errors import ValidationFailed
from guanxi.core.masking import mask_free_text

from .enums import InteractionChannel, TransactionKind
from .models import Customer, Interaction, Transaction

SOURCES: list[Callable[..., list["TimelineEvent"]]] = []
# Where a source's events live, as (model, field naming the customer) pairs (see register_timeline_source).
SOURCE_TABLES: dict[Callable, tuple[tuple[type[Model], str], ...]] = {}
MAX_LIMIT = 200


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str  # e.g. "interaction", "bill", "payment", "ticket_opened", "callback", "warranty_decision"
    title: str
    detail: str = ""
    link: str = ""  # a page of the product, when there is one
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TimelineCursor:
    """Where the next page starts: events at or before `at`, less the `seen` ones at exactly `at`."""

    at: dt.datetime
    seen: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.at.isoformat()}|{self.seen}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "TimelineCursor":
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            moment, seen = text.rsplit("|", 1)
            at = dt.datetime.fromisoformat(moment)
            if at.tzinfo is None or int(seen) < 1:
                raise ValueError(text)
            return cls(at, int(seen))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise ValidationFailed("Not a timeline cursor.",
                                   fields={"cursor": "not a cursor of this timeline"}) from exc


@dataclass(frozen=True)
class TimelinePage:
    events: list[TimelineEvent]
    next_cursor: TimelineCursor | None


def register_timeline_source(source: Callable[..., list[TimelineEvent]], *,
                             present_in: tuple[tuple[type[Model], str], ...] = ()) -> None:
    """Add a module's events to the timeline. `present_in`: the (model, customer field) pairs whose rows
    the source's events come from; a source none of whose tables holds a row of the customer is not
    asked, and one query tells that for every source (most customers have no events in most modules)."""
    if source not in SOURCES:
        SOURCES.append(source)
    if present_in:
        SOURCE_TABLES[source] = tuple(present_in)


def _interactions(customer: Customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    rows = Interaction.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(occurred_at__lte=before)
    # Tuples, not model instances: this runs on every customer page.
    rows = rows.order_by("-occurred_at", "-id").values_list(
        "occurred_at", "subject", "channel", "direction", Left("content", 300), "staff__display_name",
        "staff__username")[:limit]
    channels = dict(InteractionChannel.choices)
    return [
        TimelineEvent(at=at, kind="interaction", title=subject or str(channels.get(channel, channel)), detail=content,
                      extra={"channel": channel, "direction": direction, "staff": name or username or ""})
        for at, subject, channel, direction, content, name, username in rows
    ]


def _transactions(customer: Customer, limit: int, before: dt.datetime | None = None) -> list[TimelineEvent]:
    rows = Transaction.objects.filter(customer=customer)
    if before is not None:
        rows = rows.filter(occurred_at__lte=before)
    rows = rows.order_by("-occurred_at", "-id").values_list(
        "occurred_at", "kind", "amount", "description", "channel", "external_id")[:limit]
    kinds = dict(TransactionKind.choices)
    return [
        TimelineEvent(at=at, kind=kind, title=f"{kinds.get(kind, kind)} ¥{amount:,.2f}", detail=description,
                      extra={"amount": str(amount), "channel": channel, "external_id": external_id or ""})
        for at, kind, amount, description, channel, external_id in rows
    ]


BUILT_IN = (_interactions, _transactions)


def _source(function):
    try:
        takes_before = "before" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        takes_before = False
    if takes_before:
        return function

    def legacy(customer, limit, before=None):
        # A source written before pagination: its newest events only, cut at the cursor.
        return [e for e in function(customer, limit) if before is None or e.at <= before]

    return legacy


def customer_timeline_page(*, customer: Customer, limit: int = 50, cursor: TimelineCursor | None = None,
                           masked: bool = False) -> TimelinePage:
    """One page of the merged timeline, newest first, and the cursor of the next page (None at the
    end). With `masked`, phone and ID numbers and e-mail addresses in titles and details are masked."""
    limit = max(1, min(limit, MAX_LIMIT))
    before = cursor.at if cursor else None
    skip = cursor.seen if cursor else 0
    wanted = limit + skip + 1  # one more than the page, to know whether another page follows
    present = _present_tables(customer, [SOURCE_TABLES.get(source, ()) for source in SOURCES])
    asked = [source for source in SOURCES if not SOURCE_TABLES.get(source) or present & set(SOURCE_TABLES[source])]
    functions = [*BUILT_IN, *(_source(source) for source in asked)]
    events: list[TimelineEvent] = []
    for function in functions:
        events.extend(function(customer, wanted, before=before))
    # Newest first; events at the same moment stay in source order, then in the source's own order
    # (a stable sort). Each source returns a prefix of its events in a fixed order, so the first
    # `wanted` - 1 merged events are the same whatever each source's limit cut off.
    events.sort(key=lambda e: e.at, reverse=True)
    if cursor:
        events = events[_skipped(events, cursor):]
    page, more = events[:limit], len(events) > limit
    next_cursor = None
    if page and more:
        last = page[-1].at
        seen = sum(1 for e in page if e.at == last) + (skip if cursor and last == cursor.at else 0)
        next_cursor = TimelineCursor(last, seen)
    if masked:
        page = [replace(e, title=mask_free_text(e.title), detail=mask_free_text(e.detail)) for e in page]
    return TimelinePage(page, next_cursor)


def _present_tables(customer: Customer, tables: list[tuple[tuple[type[Model], str], ...]]) -> set:
    """Which of the (model, customer field) pairs hold a row of the customer: one query of index probes."""
    pairs = sorted({pair for group in tables for pair in group}, key=lambda p: (p[0]._meta.db_table, p[1]))
    if not pairs:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_presence_sql(tuple(pairs)), [customer.pk] * len(pairs))
        found = cursor.fetchone()
    return {pair for pair, there in zip(pairs, found, strict=True) if there}


@functools.lru_cache(maxsize=8)
def _presence_sql(pairs: tuple[tuple[type[Model], str], ...]) -> str:
    quote = connection.ops.quote_name
    # Table and column names come from the models; the customer's id is a bound parameter.
    probes = [f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} "  # nosec B608
              f"WHERE {quote(model._meta.get_field(field).column)} = %s)" for model, field in pairs]
    return "SELECT " + ", ".join(probes)


def _skipped(events: list[TimelineEvent], cursor: TimelineCursor) -> int:
    """How many of the leading events the previous pages showed: `seen` of those at the cursor."""
    at_cursor = sum(1 for _ in itertools.takewhile(lambda e: e.at == cursor.at, events))
    return min(cursor.seen, at_cursor)


def customer_timeline(*, customer: Customer, limit: int = 50) -> list[TimelineEvent]:
    """The newest `limit` events of every source, merged newest first."""
    return customer_timeline_page(customer=customer, limit=limit).events

