from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services.customers import customer_search_reindex


# Idempotent: recomputes derived search keys from the names.
@job(name="customers.reindex_search")
def reindex_customer_search(batch_size: int = 2000) -> int:
    return customer_search_reindex(actor=SYSTEM, batch_size=batch_size)


# Idempotent: pairs are upserted, decided pairs kept, each merge one transaction; a scan killed mid-run is taken
# over by its redelivered task (services.dedupe: the runner's lock tells a dead run from a live one).
@job(name="customers.dedupe_scan")
def dedupe_scan(scan_id: int) -> str:
    """Run a queued duplicate scan; returns its final status (done or failed)."""
    from guanxi.core.errors import Conflict

    from .models import DedupeScan
    from .services.dedupe import dedupe_scan_run

    # Running: delivered again after its worker was killed mid-scan (dedupe_scan_run takes it over
    # only when no live process runs it). Done or failed: delivered twice, nothing to do.
    scan = DedupeScan.objects.select_related("requested_by").filter(
        pk=scan_id, status__in=(DedupeScan.Status.QUEUED, DedupeScan.Status.RUNNING)).first()
    if scan is None:
        return "skipped"
    # As the user who queued it (their right checked again), or the system for a scan it queued.
    try:
        return dedupe_scan_run(actor=scan.requested_by or SYSTEM, scan=scan).status
    except Conflict:
        return "skipped"


# Idempotent: validation writes no customer; a redelivered task skips a done import (import_job_run).
@job(name="customers.import_validate")
def validate_import_job(job_id: int) -> str:
    """Validate an uploaded customer file (and commit it when the job is not a dry run)."""
    from .services.imports import import_job_run

    return import_job_run(job_id=job_id, action="validate").status


# Idempotent: the rows are written in one transaction and a done import is never written again (import_job_run).
@job(name="customers.import_commit")
def commit_import_job(job_id: int) -> str:
    """Write a validated customer import, all or nothing."""
    from .services.imports import import_job_run

    return import_job_run(job_id=job_id, action="commit").status


# Idempotent: validating a valid key or rebuilding an index again changes nothing, and a killed rebuild's
# invalid copy is dropped first.
@job(name="customers.import_tidy_tables")
def tidy_import_tables(index_names: list[str]) -> dict:
    """Validate the foreign keys a big import put back NOT VALID and rebuild the indexes it merged its
    rows into, without blocking anyone."""
    from .services.imports import import_tables_tidy

    return import_tables_tidy(index_names)


# Idempotent: deletes rows older than the cut-off in batches; a rerun deletes only what is left.
@job(name="customers.history_retention")
def history_retention(apply: bool = True) -> dict:
    """Delete interaction and transaction history older than HISTORY_RETENTION_YEARS (never younger)."""
    from .services.retention import history_retention_run

    return history_retention_run(actor=SYSTEM, apply=apply).as_dict()
