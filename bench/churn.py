"""`guanxi bench churn`: churn training on a million generated customers with the planted mechanism
(complaints, unresolved breaches, falling usage), scoring speed, quality (holdout AUC, the planted
drivers among each affected customer's top three reasons); then, on PostgreSQL with customers, the
SQL features over the database as it is, scored and written with the trained model."""

from __future__ import annotations

import json
import os
import time

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.churn import model as engine
from guanxi.analytics.churn.features import FEATURES
from guanxi.analytics.churn.services import churn_model_train, churn_scores_refresh
from guanxi.analytics.churn.synthetic import drivers_recovered, planted_frame

SOURCE_TABLES = ("customers_customer", "customers_interaction", "servicedesk_ticket", "orders_order",
                 "orders_payment", "surveys_answer", "analytics_churnscore")


def _load() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def table_sizes() -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in SOURCE_TABLES:
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    return sizes


def run(*, customers: int, seed: int, database: bool = True) -> dict:
    x, y, drivers = planted_frame(customers, seed=seed)
    started = time.perf_counter()
    model = churn_model_train(actor=SYSTEM, data=(x, y), seed=seed)
    train_seconds = time.perf_counter() - started
    result = {"customers": customers, "churn_rate": round(float(y.mean()), 4),
              "training": {"seconds": round(train_seconds, 1), "version": model.version, "status": model.status,
                           "reason": model.reason, "load_average": _load()}}
    if model.reason:
        return result
    booster = engine.load(model.booster)
    scorer = engine.compile_scorer(booster)
    started = time.perf_counter()
    _probability, reasons, _strength = engine.predict(booster, x, model.calibration, scorer=scorer)
    score_seconds = time.perf_counter() - started
    result["scoring"] = {"seconds": round(score_seconds, 2), "customers_per_second": int(customers / score_seconds),
                         "load_average": _load()}
    result["quality"] = {"holdout_auc": model.metrics["auc"], "auc_target": 0.85,
                         "lift_top_decile": model.metrics["deciles"][0]["lift"],
                         "planted_drivers_in_top3": round(drivers_recovered(reasons, drivers, list(FEATURES)), 4)}
    print(json.dumps(result), flush=True)
    if database and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the generated history ends where it ends: score as of then
            cursor.execute("SELECT MAX(occurred_at) FROM customers_interaction")
            as_of = cursor.fetchone()[0]
        started = time.perf_counter()
        scored = churn_scores_refresh(actor=SYSTEM, as_of=as_of)
        result["database"] = {"as_of": as_of, "scored": scored,
                              "seconds_features_score_write": round(time.perf_counter() - started, 1),
                              "load_average": _load(), "tables": table_sizes()}
    return result
