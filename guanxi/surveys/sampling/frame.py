"""The sampling frame: one SQL statement that gives every live customer's type, ARPU, contact frequency
with the call center and main channel (strata.FRAME_COLUMNS).

Two sources: `snapshot` reads the contact profiles that segments refreshes nightly (one row per
customer, with its type and ARPU as of the refresh; customers changed since are read from the customers
table), fast at millions of customers; `live` aggregates the interaction history in the same statement
(exact as of now, but one pass over the window's interactions: 15 s at 10 million interactions).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from guanxi.core.copy import query_frame
from guanxi.customers.models import Customer
from guanxi.segments.contact import DEFAULT_BANDS, ContactBands
from guanxi.segments.enums import ContactFrequency
from guanxi.segments.models import ContactProfile
from guanxi.segments.services.contact_profiles import profile_params, profile_select_sql

from .strata import FRAME_COLUMNS

SNAPSHOT, LIVE = "snapshot", "live"


def _snapshot_sql() -> tuple[str, list]:
    """The profiles as refreshed, except customers changed, created or deleted since the refresh: those
    come from the customers table (through its updated_at index), with the contacts counted at the
    refresh (none for a customer created since). Before any refresh: every customer, no contacts."""
    customers, profiles = Customer._meta.db_table, ContactProfile._meta.db_table
    changed = f"""
        SELECT c.id, c.kind, COALESCE(p.frequency, %s), COALESCE(p.main_channel, ''), c.arpu
        FROM {customers} c LEFT JOIN {profiles} p ON p.customer_id = c.id WHERE c.deleted_at IS NULL"""  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    refreshed = snapshot_refreshed_at()
    if refreshed is None:
        return changed, [str(ContactFrequency.NEVER)]
    since = connection.ops.adapt_datetimefield_value(refreshed)
    return (f"""
        SELECT p.customer_id, p.customer_type, p.frequency, p.main_channel, p.arpu FROM {profiles} p
        WHERE p.customer_id NOT IN (SELECT id FROM {customers} WHERE updated_at >= %s)
        UNION ALL {changed} AND c.updated_at >= %s""", [since, str(ContactFrequency.NEVER), since])  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters


def _live_sql(bands: ContactBands, as_of: dt.datetime) -> tuple[str, list]:
    start = as_of - dt.timedelta(days=bands.window_days)
    return (f"""
        SELECT p.customer_id, p.customer_type, p.frequency, p.main_channel, p.arpu
        FROM ({profile_select_sql(bands)}) p""", profile_params(bands, start, as_of, as_of))  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters


def sampling_frame(*, source: str = SNAPSHOT, as_of: dt.datetime | None = None,
                   bands: ContactBands = DEFAULT_BANDS) -> pd.DataFrame:
    """Every live customer as one row of FRAME_COLUMNS; ARPU as a float, the main channel "" when none."""
    if source == SNAPSHOT:
        sql, params = _snapshot_sql()
    elif source == LIVE:
        sql, params = _live_sql(bands, as_of or timezone.now())
    else:
        raise ValueError(f"unknown frame source {source!r}")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The join hashes a million profiles: in memory rather than in batches spilled to disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        frame = query_frame(sql, params, FRAME_COLUMNS)
    frame["customer_id"] = frame["customer_id"].astype("int64")
    frame["arpu"] = pd.to_numeric(frame["arpu"]).astype(float)
    frame["main_channel"] = frame["main_channel"].astype("string").fillna("").astype(str)
    return frame


def snapshot_refreshed_at() -> dt.datetime | None:
    return ContactProfile.objects.aggregate(at=Max("refreshed_at"))["at"]


def snapshot_as_of() -> dt.datetime | None:
    """When the contact profiles were counted (their window end), None before the first refresh."""
    return ContactProfile.objects.aggregate(end=Max("window_end"))["end"]
