from guanxi.core.jobs import job


@job(name="analytics.mining_analysis_run")
def run_mining_analysis(analysis_id: int) -> str:
    """Run a queued workbench analysis; returns its status (the reason of a failure is on the row)."""
    from .services import mining_analysis_run

    return mining_analysis_run(analysis_id=analysis_id).status
