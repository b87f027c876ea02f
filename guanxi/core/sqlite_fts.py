"""SQLite FTS5 tables kept in step with a source table by triggers.

SQLite migrations that rebuild a table drop its triggers, so apps call `ensure_fts` after every
migrate (post_migrate); it repairs what is missing and refills the index when it had to.
"""


def ensure_fts(using, *, source_table: str, fts_table: str, create_sql: str, triggers: dict[str, str],
               refill_sql: list[str]) -> bool:
    """Create `fts_table` and `triggers` when missing; run `refill_sql` when anything was missing.
    Returns whether it had to repair. Does nothing on other databases."""
    if using.vendor != "sqlite":
        return False
    with using.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if source_table not in present:
            return False
        missing = [name for name in triggers if name not in present]
        if fts_table not in present:
            cursor.execute(create_sql)
            missing = list(triggers)
        for name in missing:
            cursor.execute(triggers[name])
        if missing:
            for sql in refill_sql:
                cursor.execute(sql)
        return bool(missing)
