"""Full-text index of knowledge articles over their jieba tokens.

PostgreSQL: a GIN index on to_tsvector('simple', search_tokens) (migration 0003).
SQLite: an FTS5 table over the same tokens, kept in step by triggers re-created after migrate.
"""

from django.db import connection

from guanxi.core.sqlite_fts import ensure_fts

FTS_TABLE = "servicedesk_article_fts"
TSVECTOR = "to_tsvector('simple', search_tokens)"
_TRIGGERS = {
    "servicedesk_article_fts_ai": f"""
        CREATE TRIGGER servicedesk_article_fts_ai AFTER INSERT ON servicedesk_article BEGIN
          INSERT INTO {FTS_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens);
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    "servicedesk_article_fts_ad": f"""
        CREATE TRIGGER servicedesk_article_fts_ad AFTER DELETE ON servicedesk_article BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens);
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    "servicedesk_article_fts_au": f"""
        CREATE TRIGGER servicedesk_article_fts_au AFTER UPDATE OF search_tokens ON servicedesk_article BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens);
          INSERT INTO {FTS_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens);
        END""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
}


def ensure_sqlite_fts(using=connection) -> bool:
    return ensure_fts(
        using, source_table="servicedesk_article", fts_table=FTS_TABLE,
        create_sql=f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_tokens, "
                   "content='servicedesk_article', content_rowid='id')",
        triggers=_TRIGGERS, refill_sql=[f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"],  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    )


def ranked_article_ids(terms: list[str], *, limit: int) -> list[tuple[int, float]]:
    """Ids of articles matching any of `terms`, best first, with a relevance score."""
    if not terms:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
            cursor.execute(f"SELECT rowid, -bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                           f"ORDER BY bm25({FTS_TABLE}) LIMIT %s", [match, limit])
        else:
            query = " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
            cursor.execute(f"SELECT id, ts_rank({TSVECTOR}, to_tsquery('simple', %s)) AS score "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                           f"FROM servicedesk_article WHERE {TSVECTOR} @@ to_tsquery('simple', %s) "
                           "ORDER BY score DESC, id LIMIT %s", [query, query, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]
