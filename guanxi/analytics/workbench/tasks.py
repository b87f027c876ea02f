from guanxi.core.jobs import job


# Idempotent: a queued analysis is claimed under a row lock; one killed while running is taken over by its
# redelivered task (the runner's lock tells a dead run from a live one); results are written in one transaction.
@job(name="analytics.mining_analysis_run")
def run_mining_analysis(analysis_id: int) -> str:
    """Run a queued workbench analysis; returns its status (the reason of a failure is on the row)."""
    from .services import mining_analysis_run

    return mining_analysis_run(analysis_id=analysis_id).status
