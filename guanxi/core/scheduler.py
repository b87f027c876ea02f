"""Scheduled work on the embedded default: without REDIS_URL there is no Celery beat, so one
gunicorn worker runs the beat schedule (CELERY_BEAT_SCHEDULE) itself, in a background thread.

One worker only: the one holding an exclusive lock on `var/scheduler.lock`. The others keep
trying, so the schedule survives a worker restart. Celery's own schedule objects (intervals,
crontab) decide when an entry is due; tasks run inline (`Task.apply`), as every task does here."""

import datetime as dt
import fcntl
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from celery import current_app
from celery.schedules import BaseSchedule, schedule
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)
POLL_SECONDS = 15


@dataclass
class Entry:
    """One beat entry and when it last ran."""

    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: dt.datetime


@dataclass
class InlineSchedule:
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def from_settings(cls, *, now: dt.datetime) -> "InlineSchedule":
        """Intervals are due one interval after start; crontab entries at their next time."""
        register_tasks()
        entries = []
        for name, spec in settings.CELERY_BEAT_SCHEDULE.items():
            every = spec["schedule"]
            sched = every if isinstance(every, BaseSchedule) else schedule(dt.timedelta(seconds=float(every)))
            entries.append(Entry(name=name, task=spec["task"], schedule=sched, last_run_at=now))
        return cls(entries)

    def run_due(self, *, run=None) -> list[str]:
        """Run every entry that is due (once, however long the scheduler slept); the names run."""
        run = run or _run_task
        done = []
        for entry in self.entries:
            if not entry.schedule.is_due(entry.last_run_at).is_due:
                continue
            entry.last_run_at = entry.schedule.now()
            run(entry.task)
            done.append(entry.name)
        return done


def register_tasks() -> None:
    """Import every app's tasks module. Celery's autodiscovery fires only when a worker starts, and
    a web process that has not happened to import a task's module would not know its name."""
    current_app.loader.import_default_modules()


def _run_task(name: str) -> None:
    try:
        current_app.tasks[name].apply(throw=True)
    except Exception:  # a failing task must not stop the schedule
        log.exception("scheduled task %s failed", name)
    finally:
        close_old_connections()


def hold_lock(path: Path):
    """The open lock file if this process now holds the scheduler's lock, else None."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def start_inline_scheduler(*, lock_path: Path | None = None) -> threading.Thread | None:
    """Start the background thread when tasks run inline (no REDIS_URL); None otherwise."""
    if settings.REDIS_URL:
        return None
    lock_path = lock_path or Path(settings.VAR_DIR) / "scheduler.lock"
    thread = threading.Thread(target=_loop, args=(lock_path,), name="guanxi-scheduler", daemon=True)
    thread.start()
    return thread


def _loop(lock_path: Path) -> None:
    stop = threading.Event()
    lock, plan = None, None
    while not stop.wait(POLL_SECONDS):
        if lock is None:
            lock = hold_lock(lock_path)
            if lock is None:
                continue
            plan = InlineSchedule.from_settings(now=current_app.now())
            log.warning("inline scheduler started in this worker (%d entries)", len(plan.entries))
        plan.run_due()
