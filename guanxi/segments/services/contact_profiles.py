"""The contact-profile snapshot: every live customer's call-center contacts, contacts and main channel over a
window of the interaction history, rebuilt by one set-based statement (a nightly task)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from guanxi.customers.models import Customer, Interaction

from .. import permissions
from ..contact import DEFAULT_BANDS, ContactBands
from ..models import ContactProfile

COLUMNS = ("customer_id", "refreshed_at", "customer_type", "arpu", "window_start", "window_end",
           "call_center_contacts", "contacts", "frequency", "main_channel")


@dataclass(frozen=True)
class ContactProfileRefresh:
    rows: int
    window_start: dt.datetime
    window_end: dt.datetime
    seconds: float


def profile_select_sql(bands: ContactBands) -> str:
    """One pass over the window's interactions: contacts per customer and channel, ranked per customer
    (most used channel first, ties by channel name), joined to every live customer. Parameters:
    the refresh time, start, end (as the database stores datetimes) and the call-center channels
    (`profile_params`); the
    columns are named as ContactProfile's."""
    channels = ", ".join(["%s"] * len(bands.call_center_channels))
    return f"""
        SELECT c.id AS customer_id, %s AS refreshed_at, c.kind AS customer_type, c.arpu AS arpu,
               %s AS window_start, %s AS window_end,
               COALESCE(p.calls, 0) AS call_center_contacts, COALESCE(p.total, 0) AS contacts,
               {bands.case_sql("COALESCE(p.calls, 0)")} AS frequency, COALESCE(p.channel, '') AS main_channel
        FROM {Customer._meta.db_table} c LEFT JOIN (
            SELECT customer_id, channel, total, calls FROM (
                SELECT customer_id, channel,
                       ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY n DESC, channel) AS rank_,
                       SUM(n) OVER (PARTITION BY customer_id) AS total,
                       SUM(CASE WHEN channel IN ({channels}) THEN n ELSE 0 END)
                           OVER (PARTITION BY customer_id) AS calls
                FROM (SELECT customer_id, channel, COUNT(*) AS n FROM {Interaction._meta.db_table}
                      WHERE occurred_at >= %s AND occurred_at < %s GROUP BY customer_id, channel) per
            ) ranked WHERE rank_ = 1
        ) p ON p.customer_id = c.id
        WHERE c.deleted_at IS NULL"""  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters


def profile_params(bands: ContactBands, start: dt.datetime, end: dt.datetime,
                   refreshed_at: dt.datetime) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    channels = [str(c) for c in bands.call_center_channels]
    return [adapt(refreshed_at), adapt(start), adapt(end), *channels, adapt(start), adapt(end)]


@transaction.atomic
def contact_profiles_refresh(*, actor, as_of: dt.datetime | None = None,
                             bands: ContactBands = DEFAULT_BANDS) -> ContactProfileRefresh:
    """Replace every contact profile with one counted over the `bands.window_days` before `as_of` (now).

    On PostgreSQL the rows go into a staging table that is swapped for the old one (readers keep the old
    profiles until the commit and wait only for the swap); on SQLite they are replaced in place.
    """
    permissions.require(actor, "contact_profile", "write", message="Your role cannot refresh the contact profiles.")
    refreshed_at = timezone.now()
    end = as_of or refreshed_at
    start = end - dt.timedelta(days=bands.window_days)
    started = time.perf_counter()
    sql, params = profile_select_sql(bands), profile_params(bands, start, end, refreshed_at)
    table, columns = ContactProfile._meta.db_table, ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = _swap_postgres(cursor, table, columns, sql, params)
        else:
            cursor.execute(f"DELETE FROM {table}")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
            rows = cursor.rowcount
    return ContactProfileRefresh(rows=rows, window_start=start, window_end=end,
                                 seconds=round(time.perf_counter() - started, 3))


def _swap_postgres(cursor, table: str, columns: str, sql: str, params: list) -> int:
    staging = f"{table}__next"
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TABLE {staging} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(f"INSERT INTO {staging} ({columns}) {sql}", params)
    rows = cursor.rowcount
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
    primary_key = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {staging} ADD CONSTRAINT {primary_key}__next PRIMARY KEY (customer_id)")
    cursor.execute(f"ANALYZE {staging}")
    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {staging} RENAME TO {table}")
    cursor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {primary_key}__next TO {primary_key}")
    return rows
