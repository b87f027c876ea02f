import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import time_machine
from celery.schedules import crontab

from guanxi.core.scheduler import InlineSchedule, hold_lock, start_inline_scheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2027, 2, 7, 1, 0, tzinfo=SHANGHAI)
BEAT = {
    "sweep": {"task": "servicedesk.sweep_clocks", "schedule": 60.0},
    "nightly": {"task": "segments.value_recompute", "schedule": crontab(hour=2, minute=30)},
}


def test_entries_run_when_due_and_once_however_long_the_scheduler_slept(settings):
    settings.CELERY_BEAT_SCHEDULE = BEAT
    ran = []
    with time_machine.travel(START, tick=False) as clock:
        plan = InlineSchedule.from_settings(now=START)
        assert plan.run_due(run=ran.append) == []
        clock.move_to(START + dt.timedelta(seconds=61))
        assert plan.run_due(run=ran.append) == ["sweep"]
        assert plan.run_due(run=ran.append) == []
        clock.move_to(dt.datetime(2027, 2, 7, 2, 31, tzinfo=SHANGHAI))
        assert plan.run_due(run=ran.append) == ["sweep", "nightly"]
        clock.move_to(dt.datetime(2027, 2, 7, 2, 31, 30, tzinfo=SHANGHAI))
        assert plan.run_due(run=ran.append) == []
    assert ran == ["servicedesk.sweep_clocks", "servicedesk.sweep_clocks", "segments.value_recompute"]


def test_one_holder_of_the_scheduler_lock_at_a_time(tmp_path):
    first = hold_lock(tmp_path / "scheduler.lock")
    assert first is not None
    assert hold_lock(tmp_path / "scheduler.lock") is None
    first.close()
    again = hold_lock(tmp_path / "scheduler.lock")
    assert again is not None
    again.close()


def test_with_redis_celery_beat_schedules_and_no_thread_starts(settings, tmp_path):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert start_inline_scheduler(lock_path=tmp_path / "scheduler.lock") is None



def test_a_fresh_web_process_knows_every_scheduled_task():
    """The inline scheduler runs in a gunicorn worker, where no Celery worker discovered the tasks."""
    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from django.conf import settings\n"
        "from django.utils import timezone\n"
        "from guanxi.core.scheduler import InlineSchedule\n"
        "plan = InlineSchedule.from_settings(now=timezone.now())\n"
        "missing = [e.task for e in plan.entries if e.task not in current_app.tasks]\n"
        "print(len(plan.entries), missing)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": ""}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    count, missing = done.stdout.split(" ", 1)
    assert int(count) > 10 and missing.strip() == "[]"
