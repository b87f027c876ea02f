"""Reads of lead import jobs (the customers' import jobs of target "leads"): a job is seen by the
user who started it while they may import leads, and by administrators."""

from django.db.models import QuerySet

from guanxi.customers.models import ImportJob
from guanxi.customers.selectors import imports as customer_imports

from .. import permissions

TARGET = "leads"


def can_import_leads(user) -> bool:
    return permissions.can(user, "import", "write")


def lead_import_list(*, user) -> QuerySet[ImportJob]:
    return customer_imports.import_job_list(user=user, target=TARGET, may_import=can_import_leads(user))


def lead_import_get_for_user(*, user, job_id: int) -> ImportJob:
    """One lead import the user may see; NotFound otherwise."""
    return customer_imports.import_job_get_for_user(user=user, job_id=job_id, target=TARGET,
                                                    may_import=can_import_leads(user))


def lead_import_progress(*, job: ImportJob) -> dict:
    return customer_imports.import_job_progress(job=job)
