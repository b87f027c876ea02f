"""The sampling frame: one SQL statement that gives every live customer's type, ARPU, contact frequency
with the call center and main channel (strata.FRAME_COLUMNS).

Two sources for the contact columns: `snapshot` joins the contact profiles that segments refreshes
nightly (one row per customer: fast at millions of customers), `live` aggregates the interaction
history in the same statement (exact as of now, but one pass over the window's interactions).
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
    # Customers created since the last refresh have no profile yet: no contacts counted, no channel.
    return (f"""
        SELECT c.id, c.kind, COALESCE(p.frequency, %s), COALESCE(p.main_channel, ''), c.arpu
        FROM {Customer._meta.db_table} c LEFT JOIN {ContactProfile._meta.db_table} p ON p.customer_id = c.id
        WHERE c.deleted_at IS NULL""", [str(ContactFrequency.NEVER)])


def _live_sql(bands: ContactBands, as_of: dt.datetime) -> tuple[str, list]:
    start = as_of - dt.timedelta(days=bands.window_days)
    return (f"""
        SELECT c.id, c.kind, p.frequency, p.main_channel, c.arpu
        FROM ({profile_select_sql(bands)}) p JOIN {Customer._meta.db_table} c ON c.id = p.customer_id""",
            profile_params(bands, start, as_of))


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
    frame["main_channel"] = frame["main_channel"].fillna("").astype(str)
    return frame


def snapshot_as_of() -> dt.datetime | None:
    """When the contact profiles were counted (their window end), None before the first refresh."""
    return ContactProfile.objects.aggregate(end=Max("window_end"))["end"]
