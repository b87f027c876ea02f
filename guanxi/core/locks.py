"""Runner locks: held by the process doing a long job, so that another process can tell a job that
is running from one whose process died (the lock ends with its holder, even after SIGKILL). A job row
"running" while nobody holds its lock was interrupted.

PostgreSQL: a session-level advisory lock (seen by every machine using the database). SQLite: an
exclusive `flock` on a file under VAR_DIR/locks, one per database and lock name (a SQLite database
lives on one machine). Both are re-entrant for their holder (a PostgreSQL session;
here the thread, as each thread has its own connection) and conflict with everyone else."""

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

_held = threading.local()  # SQLite: {lock file: (descriptor, depth)} this thread holds


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name`."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextlib.contextmanager
def runner_lock(name: str) -> Iterator[bool]:
    """Hold the runner lock `name` while the block runs; yields False (and holds nothing) when someone
    else holds it."""
    with _mechanism()(name) as held:
        yield held


def _mechanism():
    if connection.vendor == "postgresql":
        return _advisory_lock
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return _file_lock
    return _nobody_else  # a database no other process can open


@contextlib.contextmanager
def _nobody_else(name: str) -> Iterator[bool]:
    yield True


@contextlib.contextmanager
def _advisory_lock(name: str) -> Iterator[bool]:
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


def _lock_path(name: str) -> Path:
    database = hashlib.blake2b(str(connection.settings_dict["NAME"]).encode(), digest_size=8).hexdigest()
    folder = Path(settings.VAR_DIR) / "locks" / database
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{lock_key(name) & 0xFFFFFFFFFFFFFFFF:016x}.lock"


@contextlib.contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    held = _held.__dict__.setdefault("files", {})
    path = _lock_path(name)
    if path in held:
        descriptor, depth = held[path]
        held[path] = (descriptor, depth + 1)
    else:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            yield False
            return
        held[path] = (descriptor, 1)
    try:
        yield True
    finally:
        descriptor, depth = held[path]
        if depth > 1:
            held[path] = (descriptor, depth - 1)
        else:
            del held[path]
            os.close(descriptor)  # closing the last descriptor releases the flock
