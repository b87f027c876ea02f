"""`guanxi bench workbench`: a workbench classification (the churn target) trained on a million generated
customers with the planted churn mechanism (churn/synthetic.py): the LightGBM fit with its seeded
holdout and quality figures, the SHAP reasons, then the whole analysis as the task runs it (train,
apply to every customer, rank, write the predictions: COPY on PostgreSQL)."""

from __future__ import annotations

import os
import time

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.churn.synthetic import planted_frame
from guanxi.analytics.workbench import engine
from guanxi.analytics.workbench.services import mining_analysis_create, mining_analysis_run


def _load() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def run(*, customers: int, seed: int, threads: int = 1) -> dict:
    x, y, _drivers = planted_frame(customers, seed=seed)
    started = time.perf_counter()
    trained = engine.train(x, y.astype("float64"), binary=True, seed=seed, holdout=0.25, threads=threads)
    train_seconds = time.perf_counter() - started
    result = {"customers": customers, "positive_rate": round(float(y.mean()), 4), "threads": threads,
              "training": {"seconds": round(train_seconds, 1), "holdout_auc": trained.metrics["auc"],
                           "lift_top_decile": trained.metrics["deciles"][0]["lift"],
                           "top_reasons": [r["feature"] for r in trained.reasons["importance"][:3]],
                           "load_average": _load()}}
    analysis = mining_analysis_create(actor=SYSTEM, enqueue=False, data={
        "name": f"bench {customers}", "kind": "classification", "target": "churned", "params": {"seed": seed}})
    started = time.perf_counter()
    analysis = mining_analysis_run(analysis_id=analysis.pk, data=(x, y.astype("float64"), x), threads=threads)
    result["analysis"] = {"id": analysis.pk, "status": analysis.status, "error": analysis.error,
                          "seconds_train_apply_write": round(time.perf_counter() - started, 1),
                          "scored": analysis.scored, "database": connection.vendor, "load_average": _load()}
    return result
