"""PostgreSQL search indexes: trigram GIN for substrings, pattern-ops b-trees for prefixes."""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS customer_search_trgm ON customers_customer "
    "USING gin (search_document gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name_prefix ON customers_customer (name text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_pinyin_prefix ON customers_customer (name_pinyin text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_initials_prefix ON customers_customer "
    "(name_initials text_pattern_ops)",
]
DROP = ["customer_search_trgm", "customer_name_prefix", "customer_pinyin_prefix", "customer_initials_prefix"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in DROP:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
