"""The value run: read the aggregates, compute every customer's value, replace the snapshot."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from guanxi.core.errors import Conflict

from .. import storage
from ..compute import ValueConfig, compute_values
from ..enums import RunStatus, SegmentKind
from ..models import ValueRun, ValueSettings
from ..selectors import reports_for_everyone
from .segments import segment_counts_refresh, segments_sync_system

logger = logging.getLogger(__name__)
LOCK_KEY = 0x5E6_0001  # PostgreSQL advisory lock held for the whole run
STEPS = ("read customers", "read transactions", "read holdings", "read interactions", "pyramid", "rfm", "clv",
         "indices", "clusters", "write", "segments", "reports")

Progress = Callable[[str, int, int], None]


def value_config(*, as_of: dt.date, settings_row: ValueSettings | None = None) -> ValueConfig:
    row = settings_row or ValueSettings.objects.filter(pk=1).first() or ValueSettings(pk=1)
    edges = tuple(float(x) for x in row.arpu_bands.split(",") if x.strip())
    return ValueConfig(
        as_of=as_of, pyramid_basis=row.pyramid_basis,
        pyramid_floors=(float(row.vip_floor), float(row.large_floor), float(row.medium_floor)),
        abc_shares=(float(row.abc_a_share), float(row.abc_b_share)), arpu_bands=edges,
        clv_monthly_discount=float(row.clv_monthly_discount),
        ka_weights={"profit": row.weight_profit, "strategic": row.weight_strategic, "loss": row.weight_loss,
                    "relationship": row.weight_relationship, "growth": row.weight_growth, "time": row.weight_time},
        ka_threshold=float(row.key_account_threshold),
        segment_growth_threshold=float(row.segment_growth_threshold),
        customer_growth_threshold=float(row.customer_growth_threshold),
    )


@contextlib.contextmanager
def _exclusive():
    """One run at a time: a PostgreSQL advisory lock (SQLite has a single writer anyway)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise Conflict("A value run is already in progress.", code="run_in_progress")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def value_recompute(*, progress: Progress | None = None, as_of: dt.date | None = None,
                    config: ValueConfig | None = None) -> ValueRun:
    """Recompute every live customer's value as of `as_of` (today) and replace the snapshot table,
    the system segments and every segment's member count in one transaction: readers see the old
    figures until it commits. The run row is written first, so that a failure is recorded (status
    failed, the error) and nothing else changes. Takes the run lock; Conflict if another run holds it."""
    as_of = as_of or timezone.localdate()
    config = config or value_config(as_of=as_of)
    with _exclusive():
        run = ValueRun.objects.create(as_of=as_of)
        started = time.monotonic()
        starts: list[tuple[str, float]] = []

        def step(label: str) -> None:
            """A stage starts: remember when, and tell the caller."""
            starts.append((label, time.monotonic()))
            if progress:
                progress(label, len(starts) - 1, len(STEPS))

        try:
            frames = storage.read_inputs(config, progress=step)
            result = compute_values(*frames, config, progress=step)
            with transaction.atomic():
                step("write")
                rows = storage.write_snapshots(result.frame, run_id=run.pk, computed_at=timezone.now())
                step("segments")
                segments_sync_system(clusters=result.clusters, counts=_system_counts(result.summary, result.clusters))
                segment_counts_refresh()
                step("reports")
                run.clusters = result.clusters
                run.reports = reports_for_everyone(run)
                ended = time.monotonic()
                run.status = RunStatus.DONE
                run.customers = rows
                run.finished_at = timezone.now()
                run.seconds = round(ended - started, 3)
                run.summary = {**result.summary, "timings": _timings(starts, ended)}
                run.save()
        except Exception as exc:
            logger.exception("value run %s failed", run.pk)
            ValueRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                      seconds=round(time.monotonic() - started, 3),
                                                      error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
    if progress:
        progress("done", len(STEPS), len(STEPS))
    return run


def _timings(starts: list[tuple[str, float]], ended: float) -> dict[str, float]:
    """Seconds per stage, from each stage's start to the next one's."""
    ends = [moment for _, moment in starts[1:]] + [ended]
    return {label: round(end - begun, 3) for (label, begun), end in zip(starts, ends, strict=True)}


def _system_counts(summary: dict, clusters: list[dict]) -> dict[tuple[str, str], int]:
    counts = {}
    for key, kind in (("value_levels", SegmentKind.PYRAMID), ("abc", SegmentKind.ABC), ("rfm", SegmentKind.RFM)):
        for value, n in summary.get(key, {}).items():
            counts[(kind, value)] = n
    for cluster in clusters:
        counts[(SegmentKind.CLUSTER, str(cluster["id"]))] = cluster["size"]
    return counts
