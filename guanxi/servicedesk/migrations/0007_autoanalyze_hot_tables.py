"""Cases and clocks change in bulk (the escalation sweep marks thousands at once): analyse them
after 1% of rows change instead of PostgreSQL's default 10%, so queue plans see current counts."""

from django.db import migrations

TABLES = ("servicedesk_ticket", "servicedesk_ticketclock")


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (autovacuum_analyze_scale_factor = 0.01)")


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (autovacuum_analyze_scale_factor)")


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0006_queue_index_order")]
    operations = [migrations.RunPython(tune, reset)]
