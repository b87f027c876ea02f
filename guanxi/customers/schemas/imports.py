"""API shapes of customer import jobs."""

import datetime

from guanxi.core.schema import Schema

from ..models import ImportJob
from ..selectors import imports as selectors
from ..validation import message_text

# The upload is multipart (a file and form fields), which the handler reads itself: documented here.
MULTIPART = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
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


def import_job_out(request, job: ImportJob, *, details: bool = True) -> dict:
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
