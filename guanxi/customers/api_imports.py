"""Customer import API: upload a file (validated as a dry run, or validated and committed), poll
the job, commit a validated job, download its report. Validation and commit run as tasks."""

import datetime

from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema, Status

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.errors import DomainError, NotFound, ValidationFailed

from . import import_selectors as selectors
from .import_rows import message_text
from .import_views import upload_too_large
from .importing import max_bytes
from .models import ImportJob
from .services.importing import import_job_create, import_job_request

router = Router(tags=["customer imports"])


class UploadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"

_MULTIPART = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "CSV (UTF-8 or GBK) or XLSX, header row first"},
        "source": {"type": "string",
                   "description": "outside system, e.g. 'POS 门店系统'; its remembered mapping is used"},
        "mapping": {"type": "string", "description": "file column → field: 'JSON object' or 'col=field,col2=field2'"},
        "dry_run": {"type": "boolean", "default": True,
                    "description": "true: validate only (commit later); false: validate, then commit if valid"},
        "sheet": {"type": "string", "description": "XLSX sheet (default: the first with data)"},
        "encoding": {"type": "string", "enum": ["auto", "utf-8", "gbk"], "default": "auto"},
    }}}}}}


class ImportErrorOut(Schema):
    row: int
    field: str
    code: str
    message: str


class DuplicateOut(Schema):
    row: int
    field: str
    kind: str  # "file" (an earlier row) or "existing" (a customer)
    first_row: int | None = None
    customer_id: int | None = None
    code: str = ""
    blocking: bool
    message: str


class ProgressOut(Schema):
    processed: int
    total: int
    percent: int


class ImportJobOut(Schema):
    id: int
    status: str
    source: str
    original_name: str
    file_format: str
    encoding: str
    sheet: str
    dry_run: bool
    headers: list[str]
    mapping: dict[str, str]
    progress: ProgressOut
    total_rows: int
    created_count: int
    error_count: int
    existing_match_count: int
    file_duplicate_count: int
    errors: list[ImportErrorOut]
    duplicates: list[DuplicateOut]
    message: str
    report: str | None
    first_customer_id: int | None
    last_customer_id: int | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


class ImportJobRowOut(Schema):
    id: int
    status: str
    source: str
    original_name: str
    total_rows: int
    created_count: int
    error_count: int
    created_at: datetime.datetime


def _job_out(request, job: ImportJob, *, details: bool = True) -> dict:
    progress = selectors.import_job_progress(job=job)
    return {
        **{name: getattr(job, name) for name in (
            "id", "status", "source", "original_name", "file_format", "encoding", "sheet", "dry_run", "headers",
            "mapping", "total_rows", "created_count", "error_count", "existing_match_count", "file_duplicate_count",
            "first_customer_id", "last_customer_id", "created_at", "started_at", "finished_at")},
        "message": job.message_text(),  # in the caller's language, as the row reasons
        "progress": {k: progress[k] for k in ("processed", "total", "percent")},
        "errors": [{"row": e["row"], "field": e["field"], "code": e["code"],
                    "message": message_text(e["code"], e.get("params"), translate=True)}
                   for e in job.errors] if details else [],
        "duplicates": selectors.import_job_duplicates(user=request.user, job=job) if details else [],
        "report": f"/api/v1/customers/imports/{job.pk}/report" if job.report else None,
    }


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValidationFailed(fields={"dry_run": "true or false"})


def _mapping(text: str):
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


@router.post("/customers/imports", response={202: ImportJobOut}, openapi_extra=_MULTIPART)
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
        actor=request.user, upload=upload, source=data.get("source", ""), mapping=_mapping(data.get("mapping", "")),
        sheet=data.get("sheet", ""), encoding=data.get("encoding") or "auto",
        dry_run=_flag(data.get("dry_run"), True), language="en", check_mapping=True)
    job = import_job_request(actor=request.user, job=job, action="validate")
    job.refresh_from_db()
    return Status(202, _job_out(request, job))


@router.get("/customers/imports", response=PageOut[ImportJobRowOut])
def list_imports(request: HttpRequest, page: Query[PageParams]):
    selectors.require_import_right(request.user)
    return paginate(selectors.import_job_list(user=request.user), page, lambda job: job)


@router.get("/customers/imports/{int:job_id}", response=ImportJobOut)
def get_import(request: HttpRequest, job_id: int):
    """Status, progress (rows done of rows), counts, the first row errors and duplicate findings."""
    return _job_out(request, selectors.import_job_get_for_user(user=request.user, job_id=job_id))


@router.post("/customers/imports/{int:job_id}/commit", response={202: ImportJobOut})
def commit_import(request: HttpRequest, job_id: int):
    """Write a validated job without errors, all rows or none."""
    selectors.require_import_right(request.user)
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    job = import_job_request(actor=request.user, job=job, action="commit")
    job.refresh_from_db()
    return Status(202, _job_out(request, job))


@router.get("/customers/imports/{int:job_id}/report", response={200: None})
def download_import_report(request: HttpRequest, job_id: int):
    """Every row error and duplicate finding as CSV."""
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    if not job.report:
        raise NotFound("This import has no report yet.")
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=f"import-{job.pk}-report.csv",
                        content_type="text/csv; charset=utf-8")
