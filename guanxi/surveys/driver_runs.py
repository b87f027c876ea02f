"""Driver-analysis runs: started from the page or the API, computed by a Celery task (inline when
Celery runs eagerly, as on SQLite and in the tests), their status and result kept in the cache for a
day under a random id that only the user who started the run can read."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import NotFound

from . import permissions

TTL = 24 * 3600
RUNNING, DONE, FAILED = "running", "done", "failed"
OPERATIONAL_LABELS = {
    "waiting_time": _("Waiting time (minutes)"),
    "time_to_resolve": _("Time to resolve (hours)"),
    "contacts_per_case": _("Contacts per case"),
    "procedure_steps": _("Steps of the procedure"),
    "ease_of_paying": _("Ease of paying"),
}
MIN_COVERAGE = 0.5  # a driver answered in fewer than half of the responses is left out of the model


def _key(run_id: str) -> str:
    return f"surveys:drivers:{run_id}"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def run_start(*, user, since: dt.datetime | None = None, until: dt.datetime | None = None) -> str:
    """Record a run over the answers `user` may read, to be computed by the `surveys.run_drivers` task
    (the caller queues it: `tasks.run_drivers.delay(run_id)`); returns its id."""
    permissions.require(user, "analysis", "read")
    run_id = uuid.uuid4().hex
    cache.set(
        _key(run_id),
        {"id": run_id, "status": RUNNING, "user_id": user.pk, "since": _iso(since), "until": _iso(until)},
        TTL,
    )
    return run_id


def run_get(*, user, run_id: str) -> dict:
    permissions.require(user, "analysis", "read")
    run = cache.get(_key(run_id)) if run_id.isalnum() else None
    if run is None or run["user_id"] != user.pk:
        raise NotFound()
    return run


def run_compute(run_id: str) -> dict | None:
    """The task's body: read the frame in the starting user's scope, regress, store the result."""
    from guanxi.accounts.models import User

    run = cache.get(_key(run_id))
    if run is None:
        return None
    started = time.perf_counter()
    try:
        user = User.objects.get(pk=run["user_id"])
        since = dt.datetime.fromisoformat(run["since"]) if run["since"] else None
        until = dt.datetime.fromisoformat(run["until"]) if run["until"] else None
        from .analysis.drivers import DIMENSIONS as DRIVER_DIMENSIONS
        from .analysis.drivers import OPERATIONAL, driver_analysis
        from .analysis_selectors import driver_frame

        frame, population = driver_frame(user=user, since=since, until=until)
        candidates = [
            d
            for d in (*DRIVER_DIMENSIONS, *OPERATIONAL)
            if len(frame) and frame[d].notna().mean() >= MIN_COVERAGE and frame[d].std() > 0
        ]
        if candidates:
            result = driver_analysis(frame, drivers=candidates).as_dict()
        else:
            result = {"n": len(frame), "reason": "no_answers", "drivers": [], "min_n": 0}
        run.update(
            status=DONE,
            result=result,
            population=population,
            rows=len(frame),
            seconds=round(time.perf_counter() - started, 2),
        )
    except Exception as error:  # noqa: BLE001 - the page shows the failure instead of waiting for ever
        run.update(status=FAILED, error=type(error).__name__)
    cache.set(_key(run_id), run, TTL)
    return run
