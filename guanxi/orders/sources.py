"""What orders contributes to the registries of lower apps (registered in `OrdersConfig.ready()`):
payments received (回款) as the campaigns' attributed revenue, and ended contracts for the 公海
pool's "contract ended" rule."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from guanxi.marketing.selectors.campaigns import member_response_channels

from .models import Allocation, Contract, Refund

LIVE = (Contract.Status.DRAFT, Contract.Status.ACTIVE)


def _dated(rows: QuerySet, field: str, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    if date_from is not None:
        rows = rows.filter(**{f"{field}__gte": date_from})
    if date_to is not None:
        rows = rows.filter(**{f"{field}__lte": date_to})
    return rows


def payments_by_campaign(campaign_ids: list[int], date_from: dt.date | None,
                         date_to: dt.date | None) -> list[tuple[int, str, Decimal]]:
    """(campaign id, channel, amount): money received between the dates on orders whose deal is
    attributed to a campaign, less what was refunded on those orders between the same dates."""
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    key = "order__opportunity__campaign_id"
    received = _dated(Allocation.objects.filter(**{f"{key}__in": campaign_ids}), "payment__received_on",
                      date_from, date_to)
    for row in received.values(key, "order__customer_id").annotate(total=Sum("amount")).order_by():
        totals[row[key], row["order__customer_id"]] += row["total"]
    refunded = _dated(Refund.objects.filter(**{f"{key}__in": campaign_ids}), "refunded_on", date_from, date_to)
    for row in refunded.values(key, "order__customer_id").annotate(total=Sum("amount")).order_by():
        totals[row[key], row["order__customer_id"]] -= row["total"]
    channels = member_response_channels(list(totals))
    by_channel: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for pair, amount in totals.items():
        by_channel[pair[0], channels[pair]] += amount
    return [(campaign_id, channel, amount) for (campaign_id, channel), amount in sorted(by_channel.items())]


def customers_with_contracts_ended(before: dt.date) -> QuerySet:
    """Ids of customers who had a contract that ended (or was terminated) before `before` and hold
    no draft or active contract running on or after it."""
    running = Contract.objects.filter(status__in=LIVE, ends_on__gte=before).values("customer_id")
    ended = Contract.objects.filter(Q(ends_on__lt=before) | Q(status=Contract.Status.TERMINATED)).exclude(
        status=Contract.Status.DRAFT)
    return ended.exclude(customer_id__in=running).values("customer_id").distinct()
