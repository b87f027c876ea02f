"""API shapes of lead import jobs (`/api/v1/leads/imports`)."""

import datetime

from guanxi.core.schema import Schema
from guanxi.customers.models import ImportJob
from guanxi.customers.validation import message_text

from ..selectors import imports as selectors

# The upload is multipart (a file and form fields), which the handler reads itself: documented here.
MULTIPART = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "CSV (UTF-8 or GBK) or XLSX, header row first"},
        "source": {"type": "string", "description": "where the leads come from, e.g. '2026 通信展' (their "
                                                    "source detail where a row has none)"},
        "mapping": {"type": "string", "description": "file column → field: 'JSON object' or 'col=field,col2=field2'"},
        "dry_run": {"type": "boolean", "default": True,
                    "description": "true: validate only (commit later); false: validate, then commit if valid"},
        "sheet": {"type": "string", "description": "XLSX sheet (default: the first with data)"},
        "encoding": {"type": "string", "enum": ["auto", "utf-8", "gbk"], "default": "auto"},
    }}}}}}


class MarketingLeadImportRowErrorOut(Schema):
    row: int
    field: str
    message: str


class MarketingLeadImportFindingOut(Schema):
    row: int
    field: str
    kind: str  # "file" (an earlier row) or "existing" (a lead or a customer)
    message: str


class MarketingLeadImportProgressOut(Schema):
    processed: int
    total: int
    percent: int


class MarketingLeadImportOut(Schema):
    id: int
    status: str
    source: str
    original_name: str
    file_format: str
    encoding: str
    dry_run: bool
    headers: list[str]
    mapping: dict[str, str]
    progress: MarketingLeadImportProgressOut
    total_rows: int
    created_count: int
    error_count: int
    existing_match_count: int
    file_duplicate_count: int
    errors: list[MarketingLeadImportRowErrorOut]
    duplicates: list[MarketingLeadImportFindingOut]
    message: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class MarketingLeadImportPageOut(Schema):
    items: list[MarketingLeadImportOut]
    next_cursor: str | None


def _finding(entry: dict) -> dict:
    return {"row": entry["row"], "field": entry["field"], "kind": entry.get("kind", ""),
            "message": message_text(entry.get("reason") or entry.get("code", ""), entry.get("params"), translate=True)}


def lead_import_out(job: ImportJob, *, details: bool = True) -> dict:
    """A job in the caller's language (its reasons, the failure message)."""
    progress = selectors.lead_import_progress(job=job)
    return {
        **{name: getattr(job, name) for name in (
            "id", "status", "source", "original_name", "file_format", "encoding", "dry_run", "headers", "mapping",
            "total_rows", "created_count", "error_count", "existing_match_count", "file_duplicate_count",
            "created_at", "finished_at")},
        "message": job.message_text(),
        "progress": {k: progress[k] for k in ("processed", "total", "percent")},
        "errors": [{"row": e["row"], "field": e["field"], "message": message_text(e["code"], e.get("params"),
                                                                                    translate=True)}
                   for e in job.errors] if details else [],
        "duplicates": [_finding(d) for d in job.duplicates] if details else [],
    }
