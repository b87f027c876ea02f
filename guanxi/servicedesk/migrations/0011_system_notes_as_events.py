"""Notes the system wrote as English text before event codes get their code and parameters, so
that they read in the viewer's language (the body is kept empty, as for new event notes)."""

from django.db import migrations

from guanxi.servicedesk.events import legacy_event


def notes_to_events(apps, schema_editor):
    TicketMessage = apps.get_model("servicedesk", "TicketMessage")
    notes = TicketMessage.objects.filter(kind="note", event="").filter(
        body__regex=r"^(SLA breached: |Merged |Callback: customer dissatisfied\.)")
    batch = []
    for message in notes.only("id", "body").iterator(chunk_size=2000):
        found = legacy_event(message.body)
        if found:
            message.event, message.event_params = found
            message.body = ""
            batch.append(message)
        if len(batch) >= 2000:
            TicketMessage.objects.bulk_update(batch, ["event", "event_params", "body"])
            batch = []
    TicketMessage.objects.bulk_update(batch, ["event", "event_params", "body"])


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0010_ticket_message_system_events"),
    ]

    operations = [
        migrations.RunPython(notes_to_events, migrations.RunPython.noop),
    ]
