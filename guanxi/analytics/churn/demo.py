"""Demo churn (客户流失预警): customers whose churn follows the planted mechanism (complaints,
unresolved breaches, falling usage), owned by the demo's sales reps; a model trained on them, every
active customer scored, and the riskiest tenth routed to the owners as retention tasks."""

from __future__ import annotations

import datetime as dt

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.customers.models import Customer

from .services import churn_model_train, churn_retention_tasks_create, churn_scores_refresh
from .synthetic import plant_customers

CUSTOMERS = 1500


def churn_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime) -> str:
    planted = plant_customers(max(int(CUSTOMERS * min(scale, 1.0)), 600), seed=seed % 1000,
                              cutoff=now - dt.timedelta(days=90))
    reps = staff.by_role(Role.SALES_REP) or staff.by_role(Role.KEY_ACCOUNT_MANAGER)
    for i, rep in enumerate(reps):
        Customer.objects.filter(pk__in=planted["ids"][i::len(reps)].tolist()).update(owner=rep, team=rep.team)
    model = churn_model_train(actor=SYSTEM, cutoff=now - dt.timedelta(days=90), seed=seed, min_churners=20)
    if model.reason:
        return model.reason
    scored = churn_scores_refresh(actor=SYSTEM, as_of=now)
    tasks = churn_retention_tasks_create(actor=SYSTEM, now=now)
    return f"churn model v{model.version} (AUC {model.metrics['auc']}), {scored} scored, {tasks} retention tasks"
