"""A task for the crash-safety tests only (tests/crash): a real worker imports it with
`--include guanxi.core.tests.crash_probe`; nothing in the product imports it.

`crash_probe.flaky` counts its attempts in Redis, then writes its effect (a group named `key`) in a
transaction that fails with a transient database error on the first `fail_times` attempts, so that
the effect is rolled back each time and written once by the attempt that succeeds."""

import time

import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import OperationalError, transaction

from guanxi.core.jobs import job


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL)


@job(name="crash_probe.flaky")
def flaky(key: str, fail_times: int) -> int:
    client = _redis()
    attempt = client.incr(f"{key}:attempts")
    client.rpush(f"{key}:times", time.time())
    with transaction.atomic():
        Group.objects.create(name=key)
        if attempt <= fail_times:
            raise OperationalError("server closed the connection unexpectedly (crash_probe)")
    return attempt
