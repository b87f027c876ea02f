"""API shapes of duplicate scans and of the possible duplicates shown when a customer is created."""

import datetime

from pydantic import Field

from guanxi.core.run_errors import RunErrorOut
from guanxi.core.schema import Schema

from ..models import DedupeScan
from ..selectors.dedupe import PossibleDuplicate
from .customers import CustomerOut


class DedupeScanIn(Schema):
    threshold: float | None = Field(None, description="review threshold, 0.5-1 (default: the setting)")
    auto_merge_threshold: float | None = Field(None, description="merge pairs at or above it (default: off)")


class DedupeScanOut(RunErrorOut):
    id: int
    status: str
    progress: int
    total: int
    candidates_found: int
    auto_merged: int
    threshold: float
    auto_merge_threshold: float | None
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


def scan_out(scan: DedupeScan) -> dict:
    return {field: getattr(scan, field) for field in DedupeScanOut.model_fields if field != "error_message"}
