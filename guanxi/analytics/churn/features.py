"""Churn features as of a cut-off, computed set-based: one GROUP BY per source table over a
bounded window before the cut-off (the same SQL on PostgreSQL and SQLite), joined in pandas.

Behaviour (interactions, recency and trend), service (cases, complaints, breaches still open at the
cut-off), satisfaction (survey answers) and billing (orders, 回款, arrears)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.db import connection

from guanxi.core.copy import query_frame

FEATURES: tuple[str, ...] = (
    "interactions_30d", "interactions_90d", "interactions_prev_90d", "usage_trend",
    "cases_90d", "complaints_90d", "breaches_90d", "open_breaches",
    "survey_score_180d", "survey_answers_180d",
    "orders_180d", "order_amount_180d", "paid_180d", "arrears", "tenure_days",
)
LOOKBACK_DAYS = 180


def _ts(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def feature_frame(*, cutoff: dt.datetime) -> pd.DataFrame:
    """The features of every live customer not marked churned, as of `cutoff`, indexed by
    customer id, with an `is_active` column (any activity in the 180 days before it)."""
    t = cutoff
    d = cutoff.date()
    customers = query_frame(
        "SELECT t.id, t.created_at FROM customers_customer t WHERE t.deleted_at IS NULL AND t.merged_into_id IS NULL"
        " AND t.lifecycle_stage <> 'churned' AND t.created_at <= %s",
        [_ts(t)], ("customer_id", "created_at"))
    frame = pd.DataFrame(index=pd.Index(customers["customer_id"].astype("int64"), name="customer_id"))
    created = pd.to_datetime(customers["created_at"], utc=True, format="mixed")
    frame["tenure_days"] = ((pd.Timestamp(t) - created).dt.total_seconds() / 86400).to_numpy()

    def join(sql: str, params: list, columns: tuple[str, ...]) -> None:
        part = query_frame(sql + " GROUP BY t.customer_id", params, ("customer_id", *columns))
        part = part.set_index(part["customer_id"].astype("int64"))[list(columns)]
        for column in columns:
            frame[column] = part[column].reindex(frame.index)

    w30, w90, w180 = (t - dt.timedelta(days=n) for n in (30, 90, LOOKBACK_DAYS))
    join("""SELECT t.customer_id,
                   SUM(CASE WHEN t.occurred_at > %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.occurred_at > %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.occurred_at <= %s THEN 1 ELSE 0 END)
            FROM customers_interaction t WHERE t.occurred_at > %s AND t.occurred_at <= %s""",
         [_ts(w30), _ts(w90), _ts(w90), _ts(w180), _ts(t)],
         ("interactions_30d", "interactions_90d", "interactions_prev_90d"))
    join("""SELECT t.customer_id,
                   SUM(CASE WHEN t.created_at > %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.created_at > %s AND t.type = 'complaint' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.breached_at > %s AND t.breached_at <= %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.breached_at <= %s AND (t.resolved_at IS NULL OR t.resolved_at > %s)
                            THEN 1 ELSE 0 END),
                   COUNT(*)
            FROM servicedesk_ticket t WHERE t.created_at > %s AND t.created_at <= %s AND t.customer_id IS NOT NULL""",
         [_ts(w90), _ts(w90), _ts(w90), _ts(t), _ts(t), _ts(t), _ts(w180), _ts(t)],
         ("cases_90d", "complaints_90d", "breaches_90d", "open_breaches", "cases_180d"))
    join("""SELECT t.customer_id, AVG(a.score_pct), COUNT(a.score_pct)
            FROM surveys_answer a JOIN surveys_surveyresponse r ON r.id = a.response_id
                 JOIN surveys_survey t ON t.id = r.survey_id
            WHERE a.answered_at > %s AND a.answered_at <= %s AND a.score_pct IS NOT NULL""",
         [_ts(w180), _ts(t)], ("survey_score_180d", "survey_answers_180d"))
    join("""SELECT t.customer_id, COUNT(*), SUM(t.total),
                   SUM(CASE WHEN t.due_on < %s THEN t.outstanding ELSE 0 END)
            FROM orders_order t WHERE t.order_date > %s AND t.order_date <= %s AND t.status <> 'cancelled'""",
         [_day(d), _day(w180.date()), _day(d)], ("orders_180d", "order_amount_180d", "arrears"))
    join("""SELECT t.customer_id, SUM(t.amount - t.refunded)
            FROM orders_payment t WHERE t.received_on > %s AND t.received_on <= %s""",
         [_day(w180.date()), _day(d)], ("paid_180d",))
    counts = [c for c in frame.columns if c not in ("survey_score_180d", "tenure_days")]
    frame[counts] = frame[counts].astype("float64").fillna(0.0)
    frame["survey_score_180d"] = frame["survey_score_180d"].astype("float64")  # NaN: never answered
    frame["usage_trend"] = frame["interactions_90d"] - frame["interactions_prev_90d"]
    frame["is_active"] = (frame["interactions_90d"] + frame["interactions_prev_90d"] + frame["orders_180d"]
                          + frame.pop("cases_180d")) > 0
    return frame


def churn_labels(*, cutoff: dt.datetime, horizon_days: int, customer_ids: np.ndarray) -> np.ndarray:
    """1 for each customer with no interaction, order or payment in (cutoff, cutoff + horizon]."""
    end = cutoff + dt.timedelta(days=horizon_days)
    active = query_frame(
        """SELECT customer_id FROM customers_interaction WHERE occurred_at > %s AND occurred_at <= %s
           UNION SELECT customer_id FROM orders_order WHERE order_date > %s AND order_date <= %s
           UNION SELECT customer_id FROM orders_payment WHERE received_on > %s AND received_on <= %s""",
        [_ts(cutoff), _ts(end), _day(cutoff.date()), _day(end.date()), _day(cutoff.date()), _day(end.date())],
        ("customer_id",))
    return (~np.isin(customer_ids, active["customer_id"].to_numpy(dtype="int64"))).astype("int8")
