from django.db import migrations


def create_sample_index(apps, schema_editor):
    """PostgreSQL: the word index again over one customer in 64 (by id), which a search asks first
    (see selectors.customers._sampled): a common word finds its 201 names among 1/64 of the
    entries. SQLite's FTS5 table needs nothing."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS customer_name_terms_words_sample ON customers_customer "
                              "USING gin (to_tsvector('simple', name_terms)) WHERE id %% 64 = 0")


def drop_sample_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_terms_words_sample")


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0019_import_job_runner'),
    ]

    operations = [
        migrations.RunPython(create_sample_index, drop_sample_index),
    ]
