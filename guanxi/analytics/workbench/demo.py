"""Demo workbench (数据挖掘工作台): over the demo's customers (the churn demo planted complaints,
unresolved breaches and falling usage as churn drivers), a churn classification, a churn-risk ranking
whose top 100 are saved as a segment, a prediction of ARPU and a clustering into four groups."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation

from guanxi.accounts.access import SYSTEM

from .services import mining_analysis_create, mining_analysis_run, mining_segment_save

ANALYSES = (
    {"name": "流失客户分类", "kind": "classification", "target": "churned"},
    {"name": "流失风险排名", "kind": "ranking", "target": "churned"},
    {"name": "ARPU预测", "kind": "regression", "target": "arpu"},
    {"name": "客户行为聚类", "kind": "clustering", "params": {"clusters": 4},
     "features": ["interactions_90d", "usage_trend", "complaints_90d", "open_breaches", "orders_180d",
                  "order_amount_180d"]},
)


def workbench_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime) -> str:
    done = []
    for spec in ANALYSES:
        params = {"seed": seed % 1000, **spec.get("params", {})}
        analysis = mining_analysis_create(actor=SYSTEM, data={**spec, "params": params})
        analysis = mining_analysis_run(analysis_id=analysis.pk)
        analysis.refresh_from_db()
        with translation.override(settings.LANGUAGE_CODE):  # the summary is Chinese, its status too
            done.append(f"{analysis.name}: {analysis.get_status_display()}")
        if analysis.kind == "ranking" and analysis.status == "done":
            mining_segment_save(actor=SYSTEM, analysis=analysis, kind="top", value=100, name="流失风险最高的100名客户")
    return "; ".join(done)
