"""Writes of the hotspot analysis: one run over the consultations, queries and complaints of a period
— the cases opened in it, the customers' interactions (contact notes) that occurred in it, or both
(`source`, kept in the run's params) — stored as a snapshot (HotspotRun.result) with each case's and
each interaction's topic (HotspotCase, HotspotInteraction) for the drill-down. The run is recorded
before it starts and after it ends, whatever happens."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.core.errors import ValidationFailed

from ..models import HotspotCase, HotspotInteraction, HotspotRun
from ..permissions import permissions
from .analysis import Params, documents_build, hotspot_analyse
from .source import LABELS, SOURCES, hotspot_documents
from .text import keywords, normalized

logger = logging.getLogger(__name__)

DEFAULT_WEEKS = 26
MAX_DAYS = 3 * 366


def hotspot_period(*, start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for, default the 26 weeks to `today`; refused when it is impossible."""
    end = end or today
    start = start or end - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1)
    if start > end or end > today or (end - start).days >= MAX_DAYS or start.year < 2000:
        raise ValidationFailed(_("The period must start before it ends, end by today and span at most three "
                                 "years."), code="bad_period")
    return start, end


def hotspot_run_create(*, actor=SYSTEM, start: dt.date | None = None, end: dt.date | None = None,
                       params: Params | None = None, source: str = "cases") -> HotspotRun:
    """Analyse the period's cases, interactions or both (`source`) and store the result; the newest
    run's topics replace the previous run's. A failure is recorded on the run and raised."""
    permissions.require(actor, "hotspot", "write")
    if source not in SOURCES:
        raise ValidationFailed(fields={"source": _("Choose cases, interactions or both.")})
    start, end = hotspot_period(start=start, end=end, today=timezone.localdate())
    params = params or Params()
    run = HotspotRun.objects.create(period_start=start, period_end=end, started_at=timezone.now(),
                                    requested_by=user_of(actor),
                                    params={**dataclasses.asdict(params), "source": source})
    try:
        clock = time.perf_counter()
        docs = documents_build(hotspot_documents(source=source, start=start, end=end), keywords, LABELS, normalized)
        seconds = {"read_and_keywords": time.perf_counter() - clock}
        analysed = hotspot_analyse(docs, start=start, end=end, params=params)
        seconds["analysis"] = time.perf_counter() - clock - seconds["read_and_keywords"]
        with transaction.atomic():
            HotspotCase.objects.exclude(run=run).delete()
            HotspotInteraction.objects.exclude(run=run).delete()
            _write_cases(run, *analysed["assignments"], docs)
            seconds["drill_down_rows"] = time.perf_counter() - clock - sum(seconds.values())
            analysed["result"]["seconds"] = {stage: round(value, 1) for stage, value in seconds.items()}
            run.result, run.documents = analysed["result"], analysed["result"]["documents"]
            run.status, run.finished_at = HotspotRun.Status.DONE, timezone.now()
            run.save(update_fields=["result", "documents", "status", "finished_at"])
    except Exception as exc:
        logger.exception("hotspot run %s failed", run.pk)
        HotspotRun.objects.filter(pk=run.pk).update(status=HotspotRun.Status.FAILED, error=repr(exc)[:2000],
                                                    finished_at=timezone.now())
        raise
    return run


def _write_cases(run: HotspotRun, ids, topics, docs) -> None:
    """The drill-down rows: cases (positive ids) and interactions (negative ids, see `source`)."""
    if not len(ids):
        return
    import numpy as np

    ids, topics = np.asarray(ids), np.asarray(topics)
    cases = ids > 0
    for model, column, chosen, sign in ((HotspotCase, "ticket_id", cases, 1),
                                        (HotspotInteraction, "interaction_id", ~cases, -1)):
        if chosen.any():
            _write_rows(run, model, column, ids[chosen] * sign, topics[chosen], docs.days[chosen])


def _write_rows(run: HotspotRun, model, column: str, ids, topics, days) -> None:
    if connection.vendor == "postgresql":
        import pandas as pd

        from guanxi.core.copy import frame_csv_chunks

        frame = pd.DataFrame({"run_id": run.pk, column: ids, "topic": topics,
                              "day": pd.to_datetime(days).strftime("%Y-%m-%d")})
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {model._meta.db_table} (run_id, {column}, topic, day) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            for chunk in frame_csv_chunks(frame):
                copy.write(chunk)
        return
    model.objects.bulk_create(
        [model(run=run, **{column: int(i)}, topic=int(t), day=d.item())
         for i, t, d in zip(ids, topics, days, strict=True)], batch_size=5_000)
