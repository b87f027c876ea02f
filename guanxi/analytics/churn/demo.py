"""Demo churn (客户流失预警): the demo company's own customers given the planted mechanism
(complaints, unresolved breaches, falling usage); a model trained on them, every active customer
scored, and the riskiest tenth routed to the owners as retention tasks."""

from __future__ import annotations

import datetime as dt

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Customer

from .services import churn_model_train, churn_retention_tasks_create, churn_scores_refresh
from .synthetic import plant_behaviour

MIN_CHURNERS = 10  # a small demo (200 customers) still trains


def churn_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime) -> str:
    cutoff = now - dt.timedelta(days=90)
    # Customers older than the planted history (180 days before the cut-off): nothing before their creation.
    population = list(Customer.objects.filter(pk__in=customers, deleted_at__isnull=True, merged_into__isnull=True,
                                              created_at__lte=cutoff - dt.timedelta(days=180))
                      .exclude(lifecycle_stage="churned").order_by("pk").values_list("pk", flat=True))
    plant_behaviour(population, seed=seed % 1000, cutoff=cutoff)
    model = churn_model_train(actor=SYSTEM, cutoff=cutoff, seed=seed, min_churners=MIN_CHURNERS)
    if model.reason:
        return model.reason
    scored = churn_scores_refresh(actor=SYSTEM, as_of=now)
    tasks = churn_retention_tasks_create(actor=SYSTEM, now=now)
    return f"churn model v{model.version} (AUC {model.metrics['auc']}), {scored} scored, {tasks} retention tasks"
