"""Occasions that higher apps contribute to care (关怀时机来源): care sits below key_accounts, so an
app that knows of an occasion (a key account's anniversary, a key person's birthday) registers a
source here in its `ready()`; a care rule of the kind `key_account` names the source by its key.

A source filters a queryset of customers to those whose occasion falls on a day; it must be one
query (a filter with `Exists`), so that the daily run stays one INSERT … SELECT per rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class OccasionSource:
    """`key` is stored on the rule (at most 20 characters); `label` is shown and recorded on each
    action; `customers(base, day)` narrows `base` to the customers celebrating on `day`."""

    key: str
    label: object
    customers: Callable[[QuerySet, dt.date], QuerySet]


_SOURCES: dict[str, OccasionSource] = {}


def register_occasion_source(source: OccasionSource) -> None:
    """Register (or replace, on a repeated `ready()`) an occasion source by its key."""
    if not source.key or len(source.key) > 20:
        raise ValueError("an occasion source's key is 1–20 characters")
    _SOURCES[source.key] = source


def occasion_sources() -> dict[str, OccasionSource]:
    """The registered sources by key, in the order they were registered."""
    return dict(_SOURCES)


def occasion_source(key: str) -> OccasionSource | None:
    return _SOURCES.get(key)
