"""Celery beat's heartbeat: each tick of the scheduler writes the time into the shared cache (Redis
when REDIS_URL is set), at most every HEARTBEAT_EVERY seconds, so that /healthz/workers can tell a
beat that stopped ticking. Run beat with `-S guanxi.core.beat.HeartbeatScheduler` (the settings make it
the default: CELERY_BEAT_SCHEDULER)."""

from __future__ import annotations

import time

from celery.beat import PersistentScheduler
from django.core.cache import cache

HEARTBEAT_KEY = "guanxi:beat:heartbeat"
HEARTBEAT_EVERY = 10  # seconds between two writes
HEARTBEAT_TTL = 24 * 3600


def heartbeat_write(now: float | None = None) -> float:
    now = time.time() if now is None else now
    cache.set(HEARTBEAT_KEY, now, HEARTBEAT_TTL)
    return now


def heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since beat last ticked, or None if it never did (or the cache lost it)."""
    last = cache.get(HEARTBEAT_KEY)
    if not isinstance(last, (int, float)):
        return None
    return max(0.0, (time.time() if now is None else now) - last)


class HeartbeatScheduler(PersistentScheduler):
    _last_beat = 0.0

    def tick(self, *args, **kwargs):
        now = time.time()
        if now - self._last_beat >= HEARTBEAT_EVERY:
            try:
                heartbeat_write(now)
                self._last_beat = now
            except Exception:  # noqa: BLE001 - a cache outage must not stop the schedule
                pass  # nosec B110  # the health check reports the missing heartbeat
        return super().tick(*args, **kwargs)
