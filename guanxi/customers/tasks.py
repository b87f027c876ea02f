from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services.customers import customer_search_reindex


@job(name="customers.reindex_search")
def reindex_customer_search(batch_size: int = 2000) -> int:
    return customer_search_reindex(actor=SYSTEM, batch_size=batch_size)


@job(name="customers.dedupe_scan")
def dedupe_scan(scan_id: int) -> str:
    """Run a queued duplicate scan; returns its final status (done or failed)."""
    from .models import DedupeScan
    from .services.dedupe import dedupe_scan_run

    scan = DedupeScan.objects.select_related("requested_by").filter(pk=scan_id, status=DedupeScan.Status.QUEUED).first()
    if scan is None:
        return "skipped"
    # As the user who queued it (their right checked again), or the system for a scan it queued.
    return dedupe_scan_run(actor=scan.requested_by or SYSTEM, scan=scan).status


@job(name="customers.import_validate")
def validate_import_job(job_id: int) -> str:
    """Validate an uploaded customer file (and commit it when the job is not a dry run)."""
    from .services.imports import import_job_run

    return import_job_run(job_id=job_id, action="validate").status


@job(name="customers.import_commit")
def commit_import_job(job_id: int) -> str:
    """Write a validated customer import, all or nothing."""
    from .services.imports import import_job_run

    return import_job_run(job_id=job_id, action="commit").status


@job(name="customers.history_retention")
def history_retention(apply: bool = True) -> dict:
    """Delete interaction and transaction history older than HISTORY_RETENTION_YEARS (never younger)."""
    from .services.retention import history_retention_run

    return history_retention_run(actor=SYSTEM, apply=apply).as_dict()
