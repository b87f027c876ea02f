from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .retention import retention_sweep


# Idempotent: a batch is done with its audit in one transaction; a rerun finds only the rows left.
@job(name="privacy.retention_sweep")
def retention_sweep_task() -> list[int]:
    """The daily retention sweep (CELERY_BEAT_SCHEDULE "privacy-retention-sweep"); returns the runs' ids."""
    return [run.pk for run in retention_sweep(actor=SYSTEM)]
