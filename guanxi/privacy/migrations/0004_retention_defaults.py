"""The retention rules' defaults: one per kind, all disabled — an upgrade never deletes anything; the
privacy officer reviews the periods and switches each on (/privacy/retention/)."""

from django.db import migrations

DEFAULTS = [
    ("calls", 730, "anonymise"),
    ("outbound_messages", 365, "anonymise"),
    ("inbound_sms", 365, "anonymise"),
    ("leads", 730, "anonymise"),
    ("import_files", 180, "anonymise"),
    ("access_log", 1095, "delete"),
    ("portal_accounts", 1095, "delete"),
    ("closed_customers", 1825, "anonymise"),
]


def create(apps, schema_editor):
    rule = apps.get_model("privacy", "RetentionRule")
    for kind, days, action in DEFAULTS:
        rule.objects.get_or_create(kind=kind, defaults={"period_days": days, "action": action, "is_enabled": False})


def remove(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(kind__in=[k for k, _d, _a in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_retention")]
    operations = [migrations.RunPython(create, remove)]
