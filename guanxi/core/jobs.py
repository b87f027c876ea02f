"""The project's Celery task policy: every task is declared with `job(name=…)` instead of `shared_task`.

A `job` is a task that may run more than once for one request and still have its effect once
(idempotent: a status checked under a row lock, a unique key, a "once per period" row, or a
recomputation that replaces what it computes). That lets the policy trade "at most once" for "at
least once", which is what a crash needs:

- **acks late, rejected when the worker is lost**: the broker message is acknowledged only when the
  task has finished. A worker killed mid-task (SIGKILL, OOM, a lost machine) leaves its message
  unacknowledged: a prefork child's death requeues it at once, a dead worker's messages come back
  after the broker's visibility timeout (`CELERY_BROKER_TRANSPORT_OPTIONS`, settings), and another
  worker runs the task again from the start.
- **retried with exponential back-off and jitter on transient errors** (`TRANSIENT_ERRORS`: the
  database or Redis unreachable or restarting, a broker hiccup, an outside service saying "try again
  later" by raising `TransientError`): attempt n waits between half and all of
  `TASK_RETRY_BACKOFF × 2ⁿ` seconds (capped at `TASK_RETRY_BACKOFF_MAX`, which must stay below the
  visibility timeout, else a waiting retry would be delivered twice), at most `TASK_MAX_RETRIES`
  times; then the task fails with the last error. Any other exception fails the task at once (a
  bug or bad data does not get better by waiting).

Inline (no `REDIS_URL`, tests, the embedded scheduler) a transient error is raised to the caller
as before: nothing waits inside a web request.

A task that can *not* run twice must not be declared with `job`: `job(..., idempotent=False)` keeps
early acknowledgement (a killed worker loses it) and no automatic retry, and says so in its code.
"""

import random

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class TransientError(Exception):
    """An outside service failed in a way worth retrying later (unreachable, rate limited, busy)."""


#: Errors that say "try again later", not "this is wrong".
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,  # connection refused or dropped, server restarting, serialization/deadlock, lock timeout
    InterfaceError,  # a connection closed under the task
    RedisConnectionError,
    RedisTimeoutError,
    BrokerOperationalError,
    TransientError,
)


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries` + 1: exponential, capped, with "equal jitter" (at least
    half the exponential step, so that the back-off is never zero, the rest random so that many
    tasks failing together do not all come back at the same moment)."""
    base = float(getattr(settings, "TASK_RETRY_BACKOFF", 2.0))
    cap = float(getattr(settings, "TASK_RETRY_BACKOFF_MAX", 600.0))
    step = min(cap, base * (2 ** retries))
    return step / 2 + random.uniform(0, step / 2)  # nosec B311  # retry jitter, not a secret


class IdempotentTask(Task):
    """Base class of every `job` (see the module's docstring)."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    idempotent = True

    @property
    def max_retries(self) -> int:  # read when a retry is decided, so settings (and tests) can change it
        return int(getattr(settings, "TASK_MAX_RETRIES", 5))

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except TRANSIENT_ERRORS as exc:
            if self.request.is_eager or self.request.called_directly:
                raise
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


class AtMostOnceTask(Task):
    """A task that must not run twice: acknowledged when it starts, never retried automatically."""

    abstract = True
    acks_late = False
    reject_on_worker_lost = False
    idempotent = False


def job(*, name: str, idempotent: bool = True, **options):
    """`@job(name="app.what")`: a Celery task under the project's policy."""
    return shared_task(name=name, base=IdempotentTask if idempotent else AtMostOnceTask, **options)
