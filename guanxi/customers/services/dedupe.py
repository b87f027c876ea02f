"""Duplicate scans (一客一档): start one, run it, store the candidate pairs, merge the near-certain ones."""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.core.errors import Conflict, DomainError, ValidationFailed
from guanxi.core.locks import runner_lock
from guanxi.core.run_errors import ABANDONED, INTERRUPTED

from .. import permissions
from ..models import Customer, DedupeModel, DedupeScan, MatchCandidate

logger = logging.getLogger(__name__)

# The lowest review threshold accepted: below it a scan would flood the queue with unrelated pairs.
MIN_THRESHOLD = 0.5
# A scan still queued or running after this long is taken as abandoned (its worker died).
STALE_AFTER = datetime.timedelta(hours=6)
UPSERT_BATCH = 5_000
# The runner's lock (guanxi.core.locks) the process running a scan holds.
RUNNER_LOCK = "customers.dedupe_scan"


def _runner_lock():
    return runner_lock(RUNNER_LOCK)


def _fail_interrupted_scans() -> None:
    """PostgreSQL: scans "running" while no process holds the runner's lock were killed: failed now,
    so that a new scan may start at once (SQLite: only after STALE_AFTER)."""
    if connection.vendor != "postgresql":
        return
    with _runner_lock() as free:
        if free:
            DedupeScan.objects.filter(status=DedupeScan.Status.RUNNING).update(
                status=DedupeScan.Status.FAILED, finished_at=timezone.now(), error=INTERRUPTED)


def _probability(value, name: str, *, required: bool) -> float | None:
    if value is None:
        if required:
            raise ValidationFailed(fields={name: "required"})
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(fields={name: "must be a number between 0 and 1"}) from None
    if not math.isfinite(number) or not 0 <= number <= 1:
        raise ValidationFailed(gettext("%(name)s must be between 0 and 1.") % {
            "name": name}, fields={name: "must be between 0 and 1"})
    return number


def dedupe_scan_thresholds(*, threshold=None, auto_merge_threshold=None) -> tuple[float, float | None]:
    """Validated review and auto-merge thresholds; missing ones come from the settings
    DEDUPE_REVIEW_THRESHOLD and DEDUPE_AUTO_MERGE_THRESHOLD."""
    if threshold is None:
        threshold = getattr(settings, "DEDUPE_REVIEW_THRESHOLD", 0.8)
    review = _probability(threshold, "threshold", required=True)
    if review < MIN_THRESHOLD:
        raise ValidationFailed(gettext("The review threshold must be at least %(MIN_THRESHOLD)s.") % {
            "MIN_THRESHOLD": MIN_THRESHOLD},
                               fields={"threshold": gettext("must be at least %(MIN_THRESHOLD)s") % {
                                   "MIN_THRESHOLD": MIN_THRESHOLD}})
    if auto_merge_threshold is None:
        auto_merge_threshold = getattr(settings, "DEDUPE_AUTO_MERGE_THRESHOLD", None)
    auto = _probability(auto_merge_threshold, "auto_merge_threshold", required=False)
    if auto is not None and auto < review:
        raise ValidationFailed("The auto-merge threshold must not be below the review threshold.",
                               fields={"auto_merge_threshold": "must be at least the review threshold"})
    return review, auto


@transaction.atomic
def dedupe_scan_create(*, actor, threshold=None, auto_merge_threshold=None) -> DedupeScan:
    """A queued scan, unless one is already queued or running (Conflict). Takes a row lock on the
    newest scan so that two concurrent requests cannot both start one. Only actors that may run
    scans (`dedupe` write: administrators, service managers, the system for the CLI)."""
    permissions.require(actor, "dedupe", "write")
    review, auto = dedupe_scan_thresholds(threshold=threshold, auto_merge_threshold=auto_merge_threshold)
    newest = DedupeScan.objects.select_for_update().order_by("-id").first()
    if newest is not None:
        _fail_interrupted_scans()
        stale = timezone.now() - STALE_AFTER
        DedupeScan.objects.filter(status__in=(DedupeScan.Status.QUEUED, DedupeScan.Status.RUNNING),
                                  created_at__lt=stale).update(
            status=DedupeScan.Status.FAILED, finished_at=timezone.now(), error=ABANDONED)
        if DedupeScan.objects.filter(status__in=(DedupeScan.Status.QUEUED, DedupeScan.Status.RUNNING)).exists():
            raise Conflict("A duplicate scan is already queued or running.", code="scan_running")
    return DedupeScan.objects.create(threshold=review, auto_merge_threshold=auto,
                                     requested_by=user_of(actor))


@transaction.atomic
def dedupe_scan_start(*, actor, threshold=None, auto_merge_threshold=None) -> DedupeScan:
    """Queue a scan of all customers for `actor` (administrators and service managers only); the
    Celery task starts once the transaction commits."""
    scan = dedupe_scan_create(actor=actor, threshold=threshold, auto_merge_threshold=auto_merge_threshold)
    from ..tasks import dedupe_scan

    transaction.on_commit(lambda: dedupe_scan.delay(scan.pk))
    return scan


def _set_progress(scan: DedupeScan, value: int) -> None:
    scan.progress = max(0, min(100, int(value)))
    DedupeScan.objects.filter(pk=scan.pk).update(progress=scan.progress)


def dedupe_scan_run(*, actor, scan: DedupeScan, on_progress: Callable[[int], None] | None = None) -> DedupeScan:
    """Run a queued scan to its end: read and compare all live customers, upsert the pairs at or
    above its threshold as pending candidates, merge those at or above its auto-merge threshold.

    Not one transaction: the linkage takes minutes and reports progress as it goes, so the scan
    row is claimed (queued → running, a conditional UPDATE) and updated in small writes; the
    candidates are written in one transaction at the end. A failure marks the scan failed with
    the error and writes no candidates. Only actors that may run scans; the auto-merge acts as whoever
    requested the scan (the system for the CLI).
    """
    from ..linkage.scan import run_linkage

    permissions.require(actor, "dedupe", "write")
    with _runner_lock() as free:
        if not free:
            raise Conflict("A duplicate scan is already queued or running.", code="scan_running")
        # Queued, or running without a live runner (we hold its lock): a run killed mid-way, whose
        # task was delivered again. Its candidates are upserted and its merges skip decided pairs,
        # so running it again from the start gives what one uninterrupted run gives.
        claimed = DedupeScan.objects.filter(
            pk=scan.pk, status__in=(DedupeScan.Status.QUEUED, DedupeScan.Status.RUNNING)).update(
            status=DedupeScan.Status.RUNNING, started_at=timezone.now(), progress=0, error="")
        if not claimed:
            raise Conflict("This scan is not queued.", code="scan_not_queued")
        scan.refresh_from_db()
        return _scan_run(scan, run_linkage, on_progress)


def _scan_run(scan: DedupeScan, run_linkage, on_progress: Callable[[int], None] | None) -> DedupeScan:

    def progress(value: int) -> None:
        _set_progress(scan, value)
        if on_progress:
            on_progress(scan.progress)

    try:
        result = run_linkage(threshold=scan.threshold, on_progress=progress)
        with translation.override(settings.LANGUAGE_CODE):
            found = _store_results(scan=scan, result=result)
        progress(90)
        merged = _auto_merge(scan=scan) if scan.auto_merge_threshold is not None else 0
    except Exception as exc:
        logger.exception("duplicate scan %s failed", scan.pk)
        DedupeScan.objects.filter(pk=scan.pk).update(
            status=DedupeScan.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        scan.refresh_from_db()
        return scan
    DedupeScan.objects.filter(pk=scan.pk).update(
        status=DedupeScan.Status.DONE, finished_at=timezone.now(), progress=100, total=result.total,
        candidates_found=found, auto_merged=merged)
    logger.info("duplicate scan %s: %s customers, %s pairs, %s merged, %s", scan.pk, result.total, found, merged,
                result.timings)
    scan.refresh_from_db()
    if on_progress:
        on_progress(100)
    return scan


@transaction.atomic
def _store_results(*, scan: DedupeScan, result) -> int:
    """Upsert the pairs: new ones are created pending, pending ones get the new probability and
    reasons, decided (merged or dismissed) ones are left as decided. Pending pairs of earlier scans
    that this scan no longer finds are removed. Stores the trained model. Returns the pair count."""
    pairs = result.pairs
    decided = set(MatchCandidate.objects.exclude(status=MatchCandidate.Status.PENDING)
                  .values_list("left_id", "right_id"))
    batch: list[MatchCandidate] = []

    def flush():
        MatchCandidate.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["left", "right"],
            update_fields=["scan", "probability", "match_weight", "reasons", "updated_at"],
        )
        batch.clear()

    for left, right, probability, weight, reasons in pairs.itertuples(index=False, name=None):
        key = (int(left), int(right))
        if key in decided:
            continue
        batch.append(MatchCandidate(scan=scan, left_id=key[0], right_id=key[1], probability=float(probability),
                                    match_weight=float(weight), reasons=reasons))
        if len(batch) >= UPSERT_BATCH:
            flush()
    if batch:
        flush()
    MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING, scan__isnull=False).exclude(
        scan=scan).delete()
    if result.trained and result.model:
        DedupeModel.objects.create(scan=scan, settings=result.model, records=result.total)
    return len(pairs)


def _completeness(customer: Customer) -> int:
    return sum(bool(getattr(customer, f)) for f in ("mobile", "email", "id_number", "birth_date", "gender"))


def _auto_merge(*, scan: DedupeScan) -> int:
    """Merge the pending pairs of this scan at or above its auto-merge threshold, most probable
    first; the survivor is the more complete record (the older one on a tie). A pair whose
    customer was merged away earlier in the run, or that the merge refuses, stays pending."""
    from .merging import customer_merge

    merged = 0
    candidates = (MatchCandidate.objects.filter(scan=scan, status=MatchCandidate.Status.PENDING,
                                                probability__gte=scan.auto_merge_threshold)
                  .order_by("-probability", "id").values_list("pk", flat=True))
    for candidate_id in list(candidates):
        candidate = MatchCandidate.objects.select_related("left", "right").get(pk=candidate_id)
        left, right = candidate.left, candidate.right
        if left.is_deleted or right.is_deleted or candidate.status != MatchCandidate.Status.PENDING:
            continue
        survivor, other = (left, right) if _completeness(left) >= _completeness(right) else (right, left)
        try:
            customer_merge(survivor=survivor, merged=other, actor=scan.requested_by or SYSTEM, candidate=candidate)
        except DomainError as exc:
            logger.info("auto-merge of candidate %s skipped: %s", candidate.pk, exc)
            continue
        merged += 1
    return merged

