"""Runner locks: a PostgreSQL session-level advisory lock held by the process doing a long job, so
that another process can tell a job that is running from one whose process died (the lock ends with
its session, even after SIGKILL). A job row "running" while nobody holds its lock was interrupted."""

import contextlib
import hashlib
from collections.abc import Iterator

from django.db import connection


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name`."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextlib.contextmanager
def runner_lock(name: str) -> Iterator[bool]:
    """Hold the runner lock `name` while the block runs; yields False (and holds nothing) when another
    session holds it. Without PostgreSQL there is nothing to hold: always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
