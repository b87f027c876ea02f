"""Duplicate scans over the API: start one, follow its progress."""

from django.http import HttpRequest
from ninja import Status

from guanxi.core.routers import Router

from ..schemas.dedupe import DedupeScanIn, DedupeScanOut, scan_out
from ..selectors.dedupe import dedupe_scan_get_for_user
from ..services.dedupe import dedupe_scan_start

router = Router(tags=["duplicates"], operation_prefix="guanxi_customers_api_dedupe")


@router.post("/customers/dedupe/scans", response={201: DedupeScanOut})
def start_dedupe_scan(request: HttpRequest, payload: DedupeScanIn):
    """Queue a scan of all customers for duplicates (administrators and service managers)."""
    scan = dedupe_scan_start(actor=request.user, threshold=payload.threshold,
                             auto_merge_threshold=payload.auto_merge_threshold)
    scan.refresh_from_db()
    return Status(201, scan_out(scan))


@router.get("/customers/dedupe/scans/{int:scan_id}", response=DedupeScanOut)
def get_dedupe_scan(request: HttpRequest, scan_id: int):
    return scan_out(dedupe_scan_get_for_user(user=request.user, scan_id=scan_id))
