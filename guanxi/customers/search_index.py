"""Substring search over organisation names, which Django's migrations cannot express portably.

PostgreSQL: a pg_trgm GIN index on `name` for organisations only (migration 0006).
SQLite: an FTS5 trigram table of organisation names kept in step by triggers. SQLite migrations
that rebuild the customer table drop its triggers, so they are re-created after every migrate.
"""

from django.db import connection

from guanxi.core.sqlite_fts import ensure_fts

FTS_TABLE = "customers_org_name_fts"
ORG = "'organisation'"
_TRIGGERS = {
    "customers_org_name_fts_ai": f"""
        CREATE TRIGGER customers_org_name_fts_ai AFTER INSERT ON customers_customer
        WHEN new.kind = {ORG} BEGIN
          INSERT INTO {FTS_TABLE}(rowid, name) VALUES (new.id, new.name);
        END""",
    "customers_org_name_fts_ad": f"""
        CREATE TRIGGER customers_org_name_fts_ad AFTER DELETE ON customers_customer BEGIN
          DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
    "customers_org_name_fts_au": f"""
        CREATE TRIGGER customers_org_name_fts_au AFTER UPDATE OF name, kind ON customers_customer BEGIN
          DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
          INSERT INTO {FTS_TABLE}(rowid, name) SELECT new.id, new.name WHERE new.kind = {ORG};
        END""",
}


def ensure_sqlite_fts(using=connection) -> bool:
    return ensure_fts(
        using, source_table="customers_customer", fts_table=FTS_TABLE,
        create_sql=f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(name, tokenize='trigram')",
        triggers=_TRIGGERS,
        refill_sql=[f"DELETE FROM {FTS_TABLE}",
                    f"INSERT INTO {FTS_TABLE}(rowid, name) SELECT id, name FROM customers_customer WHERE kind = {ORG}"],
    )
