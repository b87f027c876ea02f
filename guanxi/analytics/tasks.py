from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import Conflict
from guanxi.core.jobs import job

from .services import warehouse_refresh
from .workbench.tasks import run_mining_analysis  # noqa: F401 (a worker registers the task on import)


# Idempotent: files first, then the manifest replaced atomically, under the warehouse lock; a killed refresh
# leaves the last complete warehouse and the changes it had not consumed.
@job(name="analytics.warehouse_refresh")
def refresh_warehouse(full: bool = False) -> dict[str, int] | None:
    """The scheduled star-schema refresh, then the dashboard's current figures computed into the cache;
    skipped (None) while another refresh holds the warehouse."""
    from .dashboard.read import dashboard_warm

    try:
        rows = warehouse_refresh(actor=SYSTEM, full=full).rows
    except Conflict:
        return None
    dashboard_warm()
    return rows


# Safe to run twice: a rerun trains the next version on the same data; scores are replaced whole.
@job(name="analytics.churn_retrain")
def churn_retrain() -> dict:
    """The scheduled retraining, then a scoring with whichever model is active (a refused training
    keeps the old one)."""
    from .churn.services import churn_model_train, churn_scores_refresh
    from .models import ChurnModel

    model = churn_model_train(actor=SYSTEM)
    scored = churn_scores_refresh(actor=SYSTEM) if ChurnModel.objects.filter(status="active").exists() else 0
    return {"version": model.version, "status": model.status, "scored": scored}


# Idempotent: no retention task for a customer who has an open one from an earlier list.
@job(name="analytics.churn_weekly_at_risk")
def churn_weekly_at_risk() -> int:
    """The weekly at-risk list: fresh scores, then a retention task for each riskiest customer's owner."""
    from guanxi.core.errors import NotFound

    from .churn.services import churn_retention_tasks_create, churn_scores_refresh

    try:
        churn_scores_refresh(actor=SYSTEM)
    except NotFound:
        return 0
    return churn_retention_tasks_create(actor=SYSTEM)


# Idempotent: each subscription's period is sent once (a ReportDelivery row per period).
@job(name="analytics.reports_send_due")
def reports_send_due() -> int:
    """The scheduled reports whose last complete week or month was not sent yet (each period once)."""
    from .reports.services import reports_send_due as send_due

    return send_due()
