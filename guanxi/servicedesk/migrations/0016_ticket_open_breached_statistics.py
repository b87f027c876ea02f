from django.db import migrations

STATISTICS = "ticket_open_breached_stats"


def create_statistics(apps, schema_editor):
    """PostgreSQL multiplies the shares of open cases and of breached cases as if they were
    independent: with 10M cases, 100,000 open and 59,000 of them breached, it expected 21 open
    breached cases and sorted all 59,000 to show the queue's first page (0.58 s instead of 0.4 ms).
    Statistics over the pair let it count them together."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) "
                              "ON status, (breached_at IS NOT NULL) FROM servicedesk_ticket")
        schema_editor.execute("ANALYZE servicedesk_ticket")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0015_cti_event_call_index"),
    ]

    operations = [
        migrations.RunPython(create_statistics, drop_statistics),
    ]
