"""Apps that watch a table with per-statement triggers (the warehouse's change capture) and bulk
writers that append rows by the million (the customer import's COPY), kept apart: core imports
neither.

A watcher registers here in its `AppConfig.ready()`. A bulk writer that holds a table's write lock
(no one else can insert, update or delete its rows until it commits) calls `pause(cursor, table)`
before it writes and `appended(cursor, table, first_id, last_id)` once the rows `first_id..last_id`
are in. Each watcher then turns its insert trigger off for the writer's transaction and records the
whole id range at once, instead of one row per written row. Both run in the writer's transaction: a
rollback undoes them with the rows. PostgreSQL only (SQLite's triggers are per row and cannot be
paused).
"""

from __future__ import annotations

from typing import Protocol


class TableWatcher(Protocol):
    def pause(self, cursor, table: str) -> bool:
        """Stop recording inserts into `table` for this transaction; False when not watched."""

    def appended(self, cursor, table: str, first_id: int, last_id: int) -> None:
        """Record the rows `first_id..last_id` of `table` (paused by `pause`) and resume."""


_watchers: list[TableWatcher] = []


def register_table_watcher(watcher: TableWatcher) -> None:
    if watcher not in _watchers:
        _watchers.append(watcher)


def pause(cursor, table: str) -> list[TableWatcher]:
    """Pause every watcher of `table`; the ones paused, for `appended`."""
    return [watcher for watcher in _watchers if watcher.pause(cursor, table)]


def appended(cursor, table: str, first_id: int, last_id: int, watchers: list[TableWatcher]) -> None:
    for watcher in watchers:
        watcher.appended(cursor, table, first_id, last_id)
