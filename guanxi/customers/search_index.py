"""Substring search indexes that Django's migrations cannot express portably.

PostgreSQL: a pg_trgm GIN index on `search_document` (created by migration 0002).
SQLite: an FTS5 trigram table kept in step by triggers. SQLite migrations that rebuild the
customer table drop its triggers, so they are re-created after every migrate.
"""

from django.db import connection

FTS_TABLE = "customers_customer_fts"
_TRIGGERS = {
    "customers_customer_fts_ai": f"""
        CREATE TRIGGER customers_customer_fts_ai AFTER INSERT ON customers_customer BEGIN
          INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document);
        END""",
    "customers_customer_fts_ad": f"""
        CREATE TRIGGER customers_customer_fts_ad AFTER DELETE ON customers_customer BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document)
          VALUES ('delete', old.id, old.search_document);
        END""",
    "customers_customer_fts_au": f"""
        CREATE TRIGGER customers_customer_fts_au AFTER UPDATE OF search_document ON customers_customer
        BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document)
          VALUES ('delete', old.id, old.search_document);
          INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document);
        END""",
}


def ensure_sqlite_fts(using=connection) -> bool:
    """Create the FTS5 table and its triggers if missing; rebuild the index when anything was
    missing. Returns whether it had to repair."""
    if using.vendor != "sqlite":
        return False
    with using.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if "customers_customer" not in present:
            return False
        missing = [name for name in _TRIGGERS if name not in present]
        if FTS_TABLE not in present:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_document, "
                "content='customers_customer', content_rowid='id', tokenize='trigram')"
            )
            missing = list(_TRIGGERS)
        for name in missing:
            cursor.execute(_TRIGGERS[name])
        if missing:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        return bool(missing)
