"""Batches of a set-based job written side by side, each in its own database connection.

A sweep over many rows (the escalation sweep's breaches) is CPU-bound in the database: one
connection uses one core of the server. Independent batches (no row in two of them) can run in
parallel transactions; each still commits or rolls back as a whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import connection, connections

Item = TypeVar("Item")
Result = TypeVar("Result")


def batch_workers() -> int:
    """How many batches run at once: `BATCH_WORKERS`, else the machine's cores (at most 4)."""
    return max(1, settings.BATCH_WORKERS or min(os.cpu_count() or 1, 4))


def map_batches(write: Callable[[Item], Result], batches: Iterable[Item], *,
                workers: int | None = None) -> list[Result]:
    """`[write(batch) for batch in batches]`, several at a time on PostgreSQL. One at a time on
    SQLite (one writer at a time anyway) and inside a transaction the caller holds (other
    connections would not see its rows, and the caller's rollback must undo the batches too)."""
    batches = list(batches)
    workers = min(workers or batch_workers(), len(batches))
    if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [write(batch) for batch in batches]

    def in_own_connection(batch):
        try:
            return write(batch)
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as pool:
        return list(pool.map(in_own_connection, batches))
