"""Customer import API: upload a file (validated as a dry run, or validated and committed), poll
the job, commit a validated job, download its report. Validation and commit run as tasks."""

from django.http import FileResponse, HttpRequest
from ninja import Query, Status

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.errors import DomainError, NotFound, ValidationFailed
from guanxi.core.routers import Router

from ..importing.files import max_bytes, upload_too_large
from ..schemas.imports import MULTIPART, ImportJobOut, ImportJobRowOut, import_job_out
from ..selectors import imports as selectors
from ..services.imports import import_job_create, import_job_current, import_job_request, import_jobs_fail_interrupted

router = Router(tags=["customer imports"], operation_prefix="guanxi_customers_api_imports")


class UploadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


def form_flag(value: str | None, default: bool) -> bool:
    """A true/false form field of an upload (a 422 on anything else)."""
    if value is None or value == "":
        return default
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValidationFailed(fields={"dry_run": "true or false"})


def form_mapping(text: str):
    """The `mapping` form field of an upload: a JSON object, `col=field,…` text, or nothing."""
    import json

    text = (text or "").strip()
    if not text.startswith("{"):
        return text or None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(fields={"mapping": "not valid JSON"}) from exc
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationFailed(fields={"mapping": "an object of column → field"})
    return value


@router.post("/customers/imports", response={202: ImportJobOut}, openapi_extra=MULTIPART)
def create_import(request: HttpRequest):
    """Upload a customer file (multipart). The job validates every row (a dry run that writes
    nothing) and, with `dry_run=false`, commits when no row is bad. Poll the job for progress."""
    selectors.require_import_right(request.user)
    # The size is checked before the body is read (token clients; a session client's CSRF check
    # has read it already).
    too_large = UploadTooLarge(f"The file is larger than {max_bytes()} bytes, the most that can be imported.",
                               fields={"file": "too large"})
    if upload_too_large(request):
        raise too_large
    upload = request.FILES.get("file")
    if getattr(request, "import_too_large", False):
        raise too_large
    if upload is None:
        raise ValidationFailed(fields={"file": "required"})
    data = request.POST
    job = import_job_create(
        actor=request.user, upload=upload, source=data.get("source", ""),
        mapping=form_mapping(data.get("mapping", "")),
        sheet=data.get("sheet", ""), encoding=data.get("encoding") or "auto",
        dry_run=form_flag(data.get("dry_run"), True), language="en", check_mapping=True)
    job = import_job_request(actor=request.user, job=job, action="validate")
    job.refresh_from_db()
    return Status(202, import_job_out(request, job))


@router.get("/customers/imports", response=PageOut[ImportJobRowOut])
def list_imports(request: HttpRequest, page: Query[PageParams]):
    selectors.require_import_right(request.user)
    import_jobs_fail_interrupted()
    return paginate(selectors.import_job_list(user=request.user), page, lambda job: job)


@router.get("/customers/imports/{int:job_id}", response=ImportJobOut)
def get_import(request: HttpRequest, job_id: int):
    """Status, progress (rows done of rows), counts, the first row errors and duplicate findings."""
    return import_job_out(request, import_job_current(selectors.import_job_get_for_user(user=request.user,
                                                                                          job_id=job_id)))


@router.post("/customers/imports/{int:job_id}/commit", response={202: ImportJobOut})
def commit_import(request: HttpRequest, job_id: int):
    """Write a validated job without errors, all rows or none."""
    selectors.require_import_right(request.user)
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    job = import_job_request(actor=request.user, job=job, action="commit")
    job.refresh_from_db()
    return Status(202, import_job_out(request, job))


@router.get("/customers/imports/{int:job_id}/report", response={200: None})
def download_import_report(request: HttpRequest, job_id: int):
    """Every row error and duplicate finding as CSV."""
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    if not job.report:
        raise NotFound("This import has no report yet.")
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=f"import-{job.pk}-report.csv",
                        content_type="text/csv; charset=utf-8")
