"""The task policy (guanxi/core/jobs.py): every project task is declared under it, and its back-off
stays between half and all of the exponential step, below the broker's visibility timeout."""

import random

import pytest
from celery import current_app
from django.core.checks import run_checks

from guanxi.core.jobs import TRANSIENT_ERRORS, AtMostOnceTask, IdempotentTask, TransientError, retry_countdown


def _defined_by_a_test(task) -> bool:
    """Tasks that tests declare for themselves (e.g. tests/test_observability.py) are no product tasks."""
    module = getattr(getattr(task, "run", None), "__module__", "") or ""
    return module.startswith(("tests.", "test_")) or ".tests." in module


def test_every_project_task_is_declared_under_the_policy():
    current_app.loader.import_default_modules()  # the project's app (loaded with the settings): its tasks
    names = [name for name, task in current_app.tasks.items()
             if not name.startswith("celery.") and not _defined_by_a_test(task)]
    assert len(names) >= 25
    for name in names:
        task = current_app.tasks[name]
        assert isinstance(task, IdempotentTask | AtMostOnceTask), f"{name} is not declared with guanxi.core.jobs.job"
        if isinstance(task, IdempotentTask):
            assert task.acks_late and task.reject_on_worker_lost, name


def test_back_off_grows_with_jitter_and_stays_under_its_cap(settings):
    settings.TASK_RETRY_BACKOFF, settings.TASK_RETRY_BACKOFF_MAX = 2.0, 60.0
    random.seed(7)
    for retries, step in [(0, 2.0), (1, 4.0), (2, 8.0), (4, 32.0), (10, 60.0)]:
        waits = [retry_countdown(retries) for _ in range(200)]
        assert step / 2 <= min(waits) and max(waits) <= step
        assert max(waits) - min(waits) > step / 4  # jittered, not one fixed delay


def test_transient_errors_include_the_database_redis_and_outside_services():
    from django.db import InterfaceError, OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError

    for error in (OperationalError, InterfaceError, RedisConnectionError, TransientError):
        assert issubclass(error, TRANSIENT_ERRORS)
    assert not issubclass(ValueError, TRANSIENT_ERRORS)


@pytest.mark.parametrize(("backoff_max", "timeout", "errors"), [(600, 3600, 0), (3600, 3600, 1), (900, 600, 1)])
def test_a_back_off_longer_than_the_visibility_timeout_is_refused(settings, backoff_max, timeout, errors):
    settings.TASK_RETRY_BACKOFF_MAX = backoff_max
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": timeout}
    assert len([m for m in run_checks() if m.id == "core.E001"]) == errors
