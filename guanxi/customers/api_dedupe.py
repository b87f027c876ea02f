"""Duplicate scans over the API: start one, follow its progress. Registered before the customers
router so that /customers/dedupe/… is never read as /customers/{id}/…."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from .models import DedupeScan
from .schemas import CustomerOut
from .selectors_dedupe import PossibleDuplicate, dedupe_scan_get_for_user
from .services.dedupe import dedupe_scan_start

router = Router(tags=["duplicates"])


class DedupeScanIn(Schema):
    threshold: float | None = Field(None, description="review threshold, 0.5-1 (default: the setting)")
    auto_merge_threshold: float | None = Field(None, description="merge pairs at or above it (default: off)")


class DedupeScanOut(Schema):
    id: int
    status: str
    progress: int
    total: int
    candidates_found: int
    auto_merged: int
    threshold: float
    auto_merge_threshold: float | None
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


class ReasonOut(Schema):
    field: str
    label: str
    level: str
    weight: float


class PossibleDuplicateOut(Schema):
    id: int
    number: str
    name: str
    mobile: str
    probability: float
    reasons: list[ReasonOut]
    can_open: bool


class CustomerCreatedOut(CustomerOut):
    """A new customer, with existing customers that may be the same one (masked)."""

    possible_duplicates: list[PossibleDuplicateOut] = []


def possible_duplicate_out(item: PossibleDuplicate) -> dict:
    return {"id": item.customer_id, "number": item.code, "name": item.name_masked, "mobile": item.mobile_masked,
            "probability": item.probability, "reasons": item.reasons, "can_open": item.is_visible}


def _scan_out(scan: DedupeScan) -> dict:
    return {field: getattr(scan, field) for field in DedupeScanOut.model_fields}


@router.post("/customers/dedupe/scans", response={201: DedupeScanOut})
def start_dedupe_scan(request: HttpRequest, payload: DedupeScanIn):
    """Queue a scan of all customers for duplicates (administrators and service managers)."""
    scan = dedupe_scan_start(user=request.user, threshold=payload.threshold,
                             auto_merge_threshold=payload.auto_merge_threshold)
    scan.refresh_from_db()
    return Status(201, _scan_out(scan))


@router.get("/customers/dedupe/scans/{int:scan_id}", response=DedupeScanOut)
def get_dedupe_scan(request: HttpRequest, scan_id: int):
    return _scan_out(dedupe_scan_get_for_user(user=request.user, scan_id=scan_id))
