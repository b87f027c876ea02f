"""Change capture for incremental refreshes: database triggers on the source tables write the id of
every inserted, changed or deleted row into `analytics_warehousechange`. Installed after every
`migrate` (post_migrate), idempotently, because SQLite drops a table's triggers whenever a migration
rebuilds that table. On PostgreSQL the triggers are per statement with transition tables: a bulk
write (COPY, an UPDATE of 100,000 rows) costs one INSERT … SELECT, not a call per row. A bulk
writer that holds a source's write lock (the customer import) pauses the insert trigger and has its
whole id range recorded as one change row (`WarehouseCapture`, a `guanxi.core.table_watchers`
watcher)."""

from __future__ import annotations

from django.db import connections

from .tables import CAPTURE_COLUMNS, CAPTURED_SOURCES

CHANGE_TABLE = "analytics_warehousechange"



def _function_name(row: str, column: str) -> str:
    return f"analytics_capture_{row}" + ("" if column == "id" else f"_{column}")


def _pg_functions() -> str:
    """One function per recorded column and row image (transition tables cannot be read dynamically)."""
    statements = []
    for column in sorted({"id", *CAPTURE_COLUMNS.values()}):
        for row in ("new", "old"):
            statements.append(
                f"CREATE OR REPLACE FUNCTION {_function_name(row, column)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                f"BEGIN\n  INSERT INTO {CHANGE_TABLE} (source, row_id) SELECT TG_TABLE_NAME, {column} "
                f"FROM {row}_rows WHERE {column} IS NOT NULL;\n  RETURN NULL;\nEND $$;")
    return "\n".join(statements)

_EVENTS = (("ins", "INSERT", "NEW"), ("upd", "UPDATE", "NEW"), ("del", "DELETE", "OLD"))


def _trigger_name(table: str, suffix: str) -> str:
    return f"analytics_{table}_{suffix}"


def _postgres_statements(table: str) -> list[str]:
    column = CAPTURE_COLUMNS.get(table, "id")
    return [
        f"CREATE OR REPLACE TRIGGER {_trigger_name(table, suffix)} AFTER {event} ON {table} "
        f"REFERENCING {row.upper()} TABLE AS {row.lower()}_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {_function_name(row.lower(), column)}()"
        for suffix, event, row in _EVENTS
    ]


def _sqlite_statements(table: str) -> list[str]:
    column = CAPTURE_COLUMNS.get(table, "id")
    return [
        f"CREATE TRIGGER IF NOT EXISTS {_trigger_name(table, suffix)} AFTER {event} ON {table} "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        f"WHEN {row}.{column} IS NOT NULL BEGIN "
        f"INSERT INTO {CHANGE_TABLE} (source, row_id) VALUES ('{table}', {row}.{column}); END"
        for suffix, event, row in _EVENTS
    ]


class WarehouseCapture:
    """The change capture as a table watcher: a paused source's appended rows become one change
    row, `row_id..last_row_id`. For a source recorded by another column (an address by its
    customer's id) the range runs from the lowest to the highest value among the appended rows:
    it may also name rows that did not change, which a refresh then reads again unchanged."""

    def pause(self, cursor, table: str) -> bool:
        if table not in CAPTURED_SOURCES:
            return False
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {_trigger_name(table, 'ins')}")
        return True

    def appended(self, cursor, table: str, first_id: int, last_id: int) -> None:
        column = CAPTURE_COLUMNS.get(table, "id")
        cursor.execute(
            f"INSERT INTO {CHANGE_TABLE} (source, row_id, last_row_id) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            f"SELECT %s, MIN({column}), MAX({column}) FROM {table} WHERE id BETWEEN %s AND %s "
            f"HAVING COUNT({column}) > 0", [table, first_id, last_id])
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {_trigger_name(table, 'ins')}")


def install_capture_triggers(using: str = "default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if CHANGE_TABLE not in existing:
        return  # the app's tables are not migrated yet (or were migrated back)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(_pg_functions())
        for table in CAPTURED_SOURCES:
            if table in existing:
                for statement in (_postgres_statements if postgres else _sqlite_statements)(table):
                    cursor.execute(statement)


def remove_capture_triggers(using: str = "default") -> None:
    connection = connections[using]
    on = " ON {table}" if connection.vendor == "postgresql" else ""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in (t for t in CAPTURED_SOURCES if t in existing):
            for suffix, _event, _row in _EVENTS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, suffix)}" + on.format(table=table))
