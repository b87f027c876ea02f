"""The workbench's data: the churn model's features (set-based SQL, churn/features.py) of the
customers the analysis' owner may read, and the chosen target read over the horizon after the
cut-off: the model learns from the past (features at the cut-off, outcome after it) and is applied
to the features as of now."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.db import connection

from guanxi.accounts.roles import Scope
from guanxi.core.copy import query_frame
from guanxi.customers.permissions import customer_read_scope
from guanxi.customers.selectors import customer_visible_to

from ..churn.features import FEATURES, churn_labels, feature_frame


def _ts(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def scope_ids(user) -> np.ndarray | None:
    """The ids of the live customers `user` may read; None when that is every customer."""
    if customer_read_scope(user) is Scope.ALL:
        return None
    ids = customer_visible_to(user=user).filter(deleted_at__isnull=True).values_list("pk", flat=True)
    return np.fromiter(ids, dtype="int64")


def _within(frame: pd.DataFrame, ids: np.ndarray | None) -> pd.DataFrame:
    """The rows in scope, by customer id: the seeded split is then the same on every database."""
    frame = frame if ids is None else frame[frame.index.isin(ids)]
    return frame.sort_index()


def _ids_of(sql: str, params: list) -> np.ndarray:
    return query_frame(sql, params, ("customer_id",))["customer_id"].to_numpy(dtype="int64")


def _per_customer(sql: str, params: list, index: pd.Index) -> pd.Series:
    part = query_frame(sql + " GROUP BY t.customer_id", params, ("customer_id", "value"))
    return pd.Series(part["value"].to_numpy(dtype="float64"), index=part["customer_id"].astype("int64")).reindex(index)


def target_values(*, target: str, option: str, cutoff: dt.datetime, end: dt.datetime, index: pd.Index) -> np.ndarray:
    """The target of each customer in `index` over (cutoff, end]; NaN where it is unknown
    (satisfaction of a customer who answered no survey)."""
    ids = index.to_numpy(dtype="int64")
    if target == "churned":
        return churn_labels(cutoff=cutoff, horizon_days=(end - cutoff).days, customer_ids=ids).astype("float64")
    if target == "bought_category":
        bought = _ids_of(
            """SELECT DISTINCT o.customer_id FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
               JOIN catalog_product p ON p.id = l.product_id JOIN catalog_category c ON c.id = p.category_id
               LEFT JOIN catalog_category up ON up.id = c.parent_id
               WHERE l.is_sale AND l.order_date > %s AND l.order_date <= %s AND (c.code = %s OR up.code = %s)""",
            [_day(cutoff.date()), _day(end.date()), option, option])
        return np.isin(ids, bought).astype("float64")
    if target == "complained":
        complained = _ids_of("""SELECT DISTINCT customer_id FROM servicedesk_ticket WHERE type = 'complaint'
                                AND created_at > %s AND created_at <= %s AND customer_id IS NOT NULL""",
                             [_ts(cutoff), _ts(end)])
        return np.isin(ids, complained).astype("float64")
    if target == "arpu":
        part = query_frame("SELECT id, arpu FROM customers_customer WHERE deleted_at IS NULL", [], ("id", "arpu"))
        series = pd.Series(part["arpu"].to_numpy(dtype="float64"), index=part["id"].astype("int64"))
        return series.reindex(index).fillna(0.0).to_numpy()
    if target == "spend":
        return _per_customer("""SELECT t.customer_id, SUM(t.total) FROM orders_order t
                                WHERE t.order_date > %s AND t.order_date <= %s AND t.status <> 'cancelled'""",
                             [_day(cutoff.date()), _day(end.date())], index).fillna(0.0).to_numpy()
    if target == "satisfaction":
        return _per_customer("""SELECT t.customer_id, AVG(a.score_pct) FROM surveys_answer a
                                JOIN surveys_surveyresponse r ON r.id = a.response_id
                                JOIN surveys_survey t ON t.id = r.survey_id
                                WHERE a.answered_at > %s AND a.answered_at <= %s AND a.score_pct IS NOT NULL""",
                             [_ts(cutoff), _ts(end)], index).to_numpy()
    raise ValueError(target)


def training_data(*, target: str, option: str, now: dt.datetime, horizon_days: int,
                  ids: np.ndarray | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Features at the cut-off (`horizon_days` before `now`) and the target after it, for the
    customers in scope; churn is learnt only from customers active before the cut-off, and a
    number target only from customers for whom it is known."""
    cutoff = now - dt.timedelta(days=horizon_days)
    frame = _within(feature_frame(cutoff=cutoff), ids)
    active = frame.pop("is_active")
    if target == "churned":
        frame = frame[active]
    y = target_values(target=target, option=option, cutoff=cutoff, end=now, index=frame.index)
    known = ~np.isnan(y)
    return frame.loc[known, list(FEATURES)], y[known]


def current_features(*, now: dt.datetime, ids: np.ndarray | None) -> pd.DataFrame:
    """The features as of now of every live customer in scope (what a model is applied to)."""
    frame = _within(feature_frame(cutoff=now), ids)
    frame.pop("is_active")
    return frame[list(FEATURES)]
