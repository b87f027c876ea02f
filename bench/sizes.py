"""The size of the tables a benchmark ran against: rows, heap and index megabytes (PostgreSQL;
on SQLite the rows only), so that a figure can be read with the data it was measured on."""

from __future__ import annotations

from django.db import connection


def table_sizes(*tables: str) -> dict[str, dict]:
    """{table: {"rows", "heap_mb", "index_mb"}} for each named table (heap includes its TOAST)."""
    sizes: dict[str, dict] = {}
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")
            entry = {"rows": cursor.fetchone()[0]}
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_table_size(%s::regclass), pg_indexes_size(%s::regclass)", (quoted, quoted))
                heap, index = cursor.fetchone()
                entry.update(heap_mb=round(heap / 1024 / 1024, 1), index_mb=round(index / 1024 / 1024, 1))
            sizes[table] = entry
    return sizes


def customer_tables() -> dict[str, dict]:
    """The customers table and the tables a customer's creation or import writes beside it."""
    from guanxi.customers.models import Address, ContactPoint, Customer

    return table_sizes(Customer._meta.db_table, Customer.history.model._meta.db_table,
                       Address._meta.db_table, ContactPoint._meta.db_table)
