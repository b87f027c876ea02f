"""The value run: read the aggregates, compute every customer's value, replace the snapshot, keep the
system segments and every segment's member count; and starting it in the background."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from simple_history.utils import update_change_reason

from guanxi.core.errors import Conflict
from guanxi.core.run_errors import INTERRUPTED
from guanxi.customers.models import Customer

from .. import permissions, rules
from ..clusters import describe
from ..enums import AbcClass, RfmSegment, RunStatus, SegmentKind, ValueLevel
from ..models import Segment, ValueRun, ValueSettings
from ..naming import system_segment_name
from ..selectors import reports_for_everyone, value_run_get

if TYPE_CHECKING:
    from ..compute import ValueConfig

logger = logging.getLogger(__name__)
LOCK_KEY = 0x5E6_0001  # PostgreSQL advisory lock held for the whole run
STEPS = ("read customers", "read transactions", "read holdings", "read interactions", "pyramid", "rfm", "clv",
         "indices", "clusters", "write", "segments", "reports")

Progress = Callable[[str, int, int], None]


def value_config(*, as_of: dt.date, settings_row: ValueSettings | None = None) -> ValueConfig:
    from ..compute import ValueConfig

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


def value_run_start(*, actor) -> ValueRun | None:
    """Start a value run in the background (analysts, administrators): the task is queued when the
    caller's transaction commits (at once outside one). Without a broker the task runs inline, and
    the finished run is returned; None while it is queued."""
    permissions.require(actor, "value_run", "write", message="Your role cannot start a value run.")
    started = []

    def queue() -> None:
        from ..tasks import value_recompute_task  # the task calls back into this module

        started.append(value_recompute_task.delay())

    transaction.on_commit(queue)
    result = started[0] if started else None
    return value_run_get(run_id=result.result) if result is not None and result.ready() else None


def value_recompute(*, actor, progress: Progress | None = None, as_of: dt.date | None = None,
                    config: ValueConfig | None = None) -> ValueRun:
    """Recompute every live customer's value as of `as_of` (today) and replace the snapshot table,
    the system segments and every segment's member count in one transaction: readers see the old
    figures until it commits. The run row is written first, so that a failure is recorded (status
    failed, the error) and nothing else changes. Takes the run lock; Conflict if another run holds it.
    Run by the nightly task, the CLI and the demo as the system, or by analysts and administrators."""
    from .. import storage  # pandas, numpy and the models: imported by the run, not by the pages
    from ..compute import compute_values

    permissions.require(actor, "value_run", "write", message="Your role cannot start a value run.")
    as_of = as_of or timezone.localdate()
    config = config or value_config(as_of=as_of)
    with _exclusive():
        # Under PostgreSQL's run lock no other run is alive: a run still "running" was killed (its
        # transaction rolled back, nothing of it stayed) and is recorded as such.
        if connection.vendor == "postgresql":
            ValueRun.objects.filter(status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED, finished_at=timezone.now(), error=INTERRUPTED)
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
                _segments_sync_system(clusters=result.clusters, counts=_system_counts(result.summary, result.clusters))
                _segment_counts_refresh()
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


# ---------------------------------------------------------------- system segments and counts


def _condition(field: str, value) -> dict:
    return {"match": "all", "rules": [{"field": field, "op": "eq", "value": value}]}


def _system_names(clusters: list[dict]) -> dict[tuple[str, str], tuple[str, str, dict]]:
    """(kind, key) -> (name, description, definition) of every system segment of a run; names
    are stored in the default language (pages show them in the reader's, see naming.py)."""
    wanted = {}
    with translation.override(settings.LANGUAGE_CODE):
        for value in ValueLevel.values:
            wanted[(SegmentKind.PYRAMID, value)] = (system_segment_name(SegmentKind.PYRAMID, value), "",
                                                    _condition("value_level", value))
        for value in AbcClass.values:
            wanted[(SegmentKind.ABC, value)] = (system_segment_name(SegmentKind.ABC, value), "",
                                                _condition("abc_class", value))
        for value in RfmSegment.values:
            wanted[(SegmentKind.RFM, value)] = (system_segment_name(SegmentKind.RFM, value), "",
                                                _condition("rfm_segment", value))
        for cluster in clusters:
            key = str(cluster["id"])
            wanted[(SegmentKind.CLUSTER, key)] = (
                system_segment_name(SegmentKind.CLUSTER, key, traits=cluster["traits"]), describe(cluster["traits"]),
                _condition("cluster", cluster["id"]))
    return wanted


def _segments_sync_system(*, clusters: list[dict], counts: dict[tuple[str, str], int]) -> None:
    """Create or update the system segments of a run (names in the default language) and their
    member counts; cluster segments of clusters that no longer exist are deleted. Inside the run's
    transaction."""
    now = timezone.now()
    wanted = _system_names(clusters)
    existing = {(s.kind, s.system_key): s for s in Segment.objects.exclude(kind=SegmentKind.RULE)}
    for key, (name, description, definition) in wanted.items():
        segment = existing.pop(key, None)
        count = counts.get(key, 0)
        if segment is None:
            segment = Segment(kind=key[0], system_key=key[1], name=name[:100], is_shared=True,
                              description=description, definition=definition)
        elif (segment.name, segment.definition) != (name[:100], definition) or (
                key[0] == SegmentKind.CLUSTER and segment.description != description):
            segment.name, segment.definition = name[:100], definition
            if key[0] == SegmentKind.CLUSTER:
                segment.description = description
        else:
            Segment.objects.filter(pk=segment.pk).update(member_count=count, member_count_at=now)
            continue
        segment.member_count, segment.member_count_at = count, now
        segment.save()
        update_change_reason(segment, "value run")
    for segment in existing.values():
        if segment.kind == SegmentKind.CLUSTER:
            segment.delete()


def _segment_counts_refresh(*, segments: list[Segment] | None = None) -> int:
    """Recount rule segments' members in one pass over the customers (one FILTER per segment)."""
    segments = list(segments if segments is not None else Segment.objects.filter(kind=SegmentKind.RULE))
    if not segments:
        return 0
    checks = {}
    for segment in segments:
        condition = rules.to_q(segment.definition)
        checks[f"s{segment.pk}"] = Count("pk", filter=condition) if condition else Count("pk")
    row = Customer.objects.alive().aggregate(**checks)
    now = timezone.now()
    for segment in segments:
        Segment.objects.filter(pk=segment.pk).update(member_count=row[f"s{segment.pk}"], member_count_at=now)
    return len(segments)
