"""Search indexes Django's migrations cannot express portably.

Substring of an organisation's name — PostgreSQL: a pg_trgm GIN index on `name` for organisations
only (migration 0006); SQLite: an FTS5 trigram table of organisation names.
Any word of a name (`name_terms`: words, their pinyin and initials) — PostgreSQL: a GIN index on
its space-separated words taken as they are (migration 0021; `TERMS_TSVECTOR`); SQLite: an FTS5 table
over the same column.
SQLite's FTS5 tables are kept in step by triggers; SQLite migrations that rebuild the customer
table drop them, so they are re-created after every migrate.
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
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    "customers_org_name_fts_ad": f"""
        CREATE TRIGGER customers_org_name_fts_ad AFTER DELETE ON customers_customer BEGIN
          DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    "customers_org_name_fts_au": f"""
        CREATE TRIGGER customers_org_name_fts_au AFTER UPDATE OF name, kind ON customers_customer BEGIN
          DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
          INSERT INTO {FTS_TABLE}(rowid, name) SELECT new.id, new.name WHERE new.kind = {ORG};
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
}


TERMS_FTS_TABLE = "customers_name_terms_fts"
# Spelled as in the index, so that PostgreSQL uses it. `normalize.name_terms` has already cut, lower-cased
# and deduplicated the words: taking them as lexemes costs a sixth of to_tsvector's parsing (0.9 against
# 5.2 s per million names), which every customer write and an import's COPY pay. Searches match it
# with a tsquery read as written (`::tsquery`), not parsed again.
TERMS_TSVECTOR = "array_to_tsvector(array_remove(string_to_array(name_terms, ' '), ''))"
# PostgreSQL: the customers whose words are indexed a second time, in a small GIN index of their own
# (migration 0020), spelled as its predicate; and the others.
TERMS_SAMPLE = '"customers_customer"."id" %% 64 = 0'
TERMS_NOT_SAMPLE = '"customers_customer"."id" %% 64 <> 0'
_TERMS_TRIGGERS = {
    "customers_name_terms_fts_ai": f"""
        CREATE TRIGGER customers_name_terms_fts_ai AFTER INSERT ON customers_customer BEGIN
          INSERT INTO {TERMS_FTS_TABLE}(rowid, name_terms) VALUES (new.id, new.name_terms);
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    "customers_name_terms_fts_ad": f"""
        CREATE TRIGGER customers_name_terms_fts_ad AFTER DELETE ON customers_customer BEGIN
          INSERT INTO {TERMS_FTS_TABLE}({TERMS_FTS_TABLE}, rowid, name_terms) VALUES ('delete', old.id, old.name_terms);
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    "customers_name_terms_fts_au": f"""
        CREATE TRIGGER customers_name_terms_fts_au AFTER UPDATE OF name_terms ON customers_customer BEGIN
          INSERT INTO {TERMS_FTS_TABLE}({TERMS_FTS_TABLE}, rowid, name_terms) VALUES ('delete', old.id, old.name_terms);
          INSERT INTO {TERMS_FTS_TABLE}(rowid, name_terms) VALUES (new.id, new.name_terms);
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
}


def ensure_sqlite_fts(using=connection) -> bool:
    org_names = ensure_fts(
        using, source_table="customers_customer", fts_table=FTS_TABLE,
        create_sql=f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(name, tokenize='trigram')",
        triggers=_TRIGGERS,
        refill_sql=[f"DELETE FROM {FTS_TABLE}",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                    f"INSERT INTO {FTS_TABLE}(rowid, name) SELECT id, name FROM customers_customer WHERE kind = {ORG}"],  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    )
    # External content: the words are read from customers_customer.name_terms, stored once.
    name_terms = ensure_fts(
        using, source_table="customers_customer", fts_table=TERMS_FTS_TABLE,
        create_sql=f"CREATE VIRTUAL TABLE {TERMS_FTS_TABLE} USING fts5(name_terms, "
                   "content='customers_customer', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        triggers=_TERMS_TRIGGERS,
        refill_sql=[f"INSERT INTO {TERMS_FTS_TABLE}({TERMS_FTS_TABLE}) VALUES ('rebuild')"],  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    )
    return org_names or name_terms
