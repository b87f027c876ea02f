"""Reads of customer import jobs, scoped: a job is seen by the user who started it and by
administrators; its duplicate check names existing customers only when the reader may see them."""

from django.core.cache import cache
from django.db.models import QuerySet

from guanxi.accounts.models import User
from guanxi.core.errors import NotFound

from .. import permissions
from ..models import ImportJob, ImportMapping
from ..validation import KEY_NAMES, message_text
from .customers import customer_visible_to

CUSTOMERS = "customers"  # the built-in import target (importing.targets)


def can_import(user: User) -> bool:
    """Importing creates customers: only roles that may write customers may import."""
    return permissions.can(user, "import", "write")


def require_import_right(user: User) -> None:
    permissions.require(user, "import", "write")


def import_job_list(*, user: User, target: str = CUSTOMERS, may_import: bool | None = None) -> QuerySet[ImportJob]:
    """The jobs of one import target (customers, or one another app registered) the user may see:
    their own while they may import such records (`may_import`, which that app's permissions say;
    for customers, ours); every one for administrators."""
    jobs = ImportJob.objects.filter(target=target).select_related("created_by")
    if permissions.can(user, "import", "configure"):
        return jobs
    if not (can_import(user) if may_import is None else may_import):
        return jobs.none()
    return jobs.filter(created_by=user)


def import_job_get_for_user(*, user: User, job_id: int, target: str = CUSTOMERS,
                            may_import: bool | None = None) -> ImportJob:
    """One job the user may see; NotFound otherwise."""
    job = import_job_list(user=user, target=target, may_import=may_import).filter(pk=job_id).first()
    if job is None:
        raise NotFound("Import not found.")
    return job


def import_job_progress(*, job: ImportJob) -> dict:
    """Status and rows done of a job: while it runs, the live figures its task publishes (the
    commit's own writes are not visible before it ends), else the job's own."""
    live = cache.get(f"customers:import:{job.pk}:progress") if job.is_running else None
    status, processed, total = job.status, job.processed_rows, job.total_rows
    if live and live.get("status") == job.status:
        processed, total = max(processed, live["processed"]), live["total"] or total
    percent = 100 if status in (ImportJob.Status.DONE, ImportJob.Status.VALIDATED) else (
        min(99, int(processed * 100 / total)) if total else 0)
    return {"status": status, "processed": processed, "total": total, "percent": percent,
            "is_running": status in (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)}


def import_job_duplicates(*, user: User, job: ImportJob) -> list[dict]:
    """The job's duplicate findings; an existing customer's number and id are left out when the
    user may not read that customer."""
    ids = {d["customer_id"] for d in job.duplicates if d.get("customer_id")}
    visible = set(customer_visible_to(user=user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    shown = []
    for finding in job.duplicates:
        finding = dict(finding)
        if finding.get("customer_id") and finding["customer_id"] not in visible:
            finding["customer_id"], finding["code"], finding["hidden"] = None, "", True
            finding["reason"], finding["params"] = "existing_hidden", {"field": KEY_NAMES[finding["field"]]}
            finding["message"] = message_text("existing_hidden", finding["params"])
        shown.append(finding)
    return shown


def import_sources() -> list[str]:
    """Sources with a remembered column mapping."""
    return list(ImportMapping.objects.order_by("source").values_list("source", flat=True))
