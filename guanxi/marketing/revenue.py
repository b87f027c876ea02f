"""Where a campaign's attributed revenue comes from: a registry, so that the apps above marketing
(sales today, orders' 回款 later) contribute without marketing importing them.

A source is registered in the contributing app's `AppConfig.ready()`:

    register_campaign_revenue_source(key, label, fn)

`fn(campaign_ids, date_from, date_to)` returns rows `(campaign_id, channel, amount)` for the money
attributed to those campaigns between the two dates (either may be None: unbounded); `channel` is
the campaign channel the money came through ("sms", "email", "call") or "" when it is not known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

RevenueRow = tuple[int, str, Decimal]
RevenueFn = Callable[[list[int], dt.date | None, dt.date | None], Iterable[RevenueRow]]


@dataclass(frozen=True)
class RevenueSource:
    key: str
    label: object  # lazy text: what the money is ("won deals", "payments received (回款)")
    fn: RevenueFn


_SOURCES: dict[str, RevenueSource] = {}


def register_campaign_revenue_source(key: str, label, fn: RevenueFn) -> None:
    """Add (or replace, by `key`) a source of attributed revenue."""
    _SOURCES[key] = RevenueSource(key, label, fn)


def unregister_campaign_revenue_source(key: str) -> None:
    _SOURCES.pop(key, None)


def revenue_sources() -> list[RevenueSource]:
    return list(_SOURCES.values())
