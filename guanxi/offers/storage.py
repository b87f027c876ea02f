"""Set-based reads of the training inputs: every live customer with its spend of the last twelve
months (one GROUP BY over the ledger), and every holding that has not ended. On PostgreSQL the rows
stream out with COPY as CSV (guanxi.core.copy.query_frame)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils import timezone

from guanxi.core.copy import query_frame
from guanxi.customers.enums import CustomerKind, HoldingStatus, TransactionKind
from guanxi.customers.value import DEFAULT_TIER_FLOORS

from .engine import Inputs

CUSTOMER_COLUMNS = ("customer_id", "is_org", "arpu", "tenure_days", "spend_12m")
HOLDING_COLUMNS = ("customer_id", "product", "category", "is_competitor", "started_on", "holding_id")


def _tenure_sql() -> str:
    if connection.vendor == "postgresql":
        return "(CAST(%(as_of)s AS date) - CAST(c.created_at AT TIME ZONE %(zone)s AS date))"
    return "CAST(julianday(%(as_of)s) - julianday(date(c.created_at)) AS INTEGER)"


def read_customers(as_of: dt.date) -> pd.DataFrame:
    since = dt.datetime.combine(as_of - dt.timedelta(days=364), dt.time.min, tzinfo=timezone.get_default_timezone())
    sql = f"""
        SELECT c.id, CASE WHEN c.kind = %(org)s THEN 1 ELSE 0 END, c.arpu, {_tenure_sql()}, COALESCE(t.spend, 0)
        FROM customers_customer c
        LEFT JOIN (SELECT customer_id, SUM(amount) AS spend FROM customers_transaction
                   WHERE kind IN (%(order)s, %(bill)s) AND occurred_at >= %(since)s GROUP BY customer_id) t
               ON t.customer_id = c.id
        WHERE c.deleted_at IS NULL
        ORDER BY c.id
    """  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    params = {"org": CustomerKind.ORGANISATION, "order": TransactionKind.ORDER, "bill": TransactionKind.BILL,
              "since": since, "as_of": as_of.isoformat(), "zone": str(timezone.get_default_timezone())}
    frame = query_frame(sql, params, CUSTOMER_COLUMNS)
    for column in ("arpu", "tenure_days", "spend_12m"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(float)
    return frame


def read_holdings() -> pd.DataFrame:
    sql = """
        SELECT customer_id, product, category, is_competitor, started_on, id
        FROM customers_holding WHERE status <> %(ended)s
    """
    frame = query_frame(sql, {"ended": HoldingStatus.ENDED}, HOLDING_COLUMNS)
    frame["is_competitor"] = frame["is_competitor"].astype(str).str.lower().isin(("t", "true", "1"))
    frame["category"] = frame["category"].fillna("").astype(str)
    frame["product"] = frame["product"].astype(str)
    return frame


def tier_floors() -> tuple[float, float, float]:
    floors = getattr(settings, "VALUE_TIER_ARPU_FLOORS", DEFAULT_TIER_FLOORS)
    return float(floors["vip"]), float(floors["large"]), float(floors["medium"])


def read_inputs(as_of: dt.date) -> Inputs:
    return Inputs(customers=read_customers(as_of), holdings=read_holdings(), tier_floors=tier_floors())
