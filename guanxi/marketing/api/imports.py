"""`/api/v1/leads/imports`: import a file of leads as a job (upload, poll, commit), with the customer
import machinery: every row checked, duplicates with leads and customers reported, all rows written
or none."""

from django.http import HttpRequest
from ninja import Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import DomainError, ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.customers.api.imports import form_flag, form_mapping
from guanxi.customers.importing.files import max_bytes, upload_too_large
from guanxi.customers.services.imports import import_job_current, import_jobs_fail_interrupted

from .. import permissions
from ..schemas.imports import MULTIPART, MarketingLeadImportOut, MarketingLeadImportPageOut, lead_import_out
from ..selectors import imports as selectors
from ..services import imports as services

router = Router(tags=["lead imports"], operation_prefix="guanxi_marketing_api_imports")


class LeadFileTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


@router.post("/leads/imports", response={202: MarketingLeadImportOut}, openapi_extra=MULTIPART)
def start_lead_import(request: HttpRequest):
    """Upload a file of leads (multipart). The job checks every row (a dry run that writes nothing)
    and, with `dry_run=false`, commits when no row is bad. Poll the job for its progress."""
    permissions.require(request.user, "import", "write")
    too_large = LeadFileTooLarge(f"The file is larger than {max_bytes()} bytes, the most that can be imported.",
                                 fields={"file": "too large"})
    if upload_too_large(request):
        raise too_large
    upload = request.FILES.get("file")
    if getattr(request, "import_too_large", False):
        raise too_large
    if upload is None:
        raise ValidationFailed(fields={"file": "required"})
    data = request.POST
    job = services.lead_import_start(
        actor=request.user, upload=upload, source=data.get("source", ""),
        mapping=form_mapping(data.get("mapping", "")), sheet=data.get("sheet", ""),
        encoding=data.get("encoding") or "auto", dry_run=form_flag(data.get("dry_run"), True), check_mapping=True)
    job.refresh_from_db()
    return Status(202, lead_import_out(job))


@router.get("/leads/imports", response=MarketingLeadImportPageOut)
def list_lead_imports(request: HttpRequest, page: Query[CursorPageParams]):
    """The caller's lead imports, newest first: pass `next_cursor` back as `cursor` until it is null."""
    import_jobs_fail_interrupted()
    found = keyset_page(selectors.lead_import_list(user=request.user), cursor=page.cursor, limit=page.limit)
    return {"items": [lead_import_out(job, details=False) for job in found.rows], "next_cursor": found.next_cursor}


@router.get("/leads/imports/{int:job_id}", response=MarketingLeadImportOut)
def get_lead_import(request: HttpRequest, job_id: int):
    """Status, progress (rows done of rows), counts, the row errors and duplicate findings."""
    return lead_import_out(import_job_current(selectors.lead_import_get_for_user(user=request.user, job_id=job_id)))


@router.post("/leads/imports/{int:job_id}/commit", response={202: MarketingLeadImportOut})
def commit_lead_import(request: HttpRequest, job_id: int):
    """Write a validated import without errors: every row or none."""
    job = selectors.lead_import_get_for_user(user=request.user, job_id=job_id)
    services.lead_import_commit(actor=request.user, job=job)
    job.refresh_from_db()
    return Status(202, lead_import_out(job))
