"""Fewer index writes per change of a customer (the pool sweep clears the owners of 100,000 at a time;
an import inserts as many): no index on the brand (four brands, none selective), the kind index only
over the non-individuals that the sales analysis reads through it, and room on each page (fillfactor
85) for a changed row's new version, so that an update that changes no indexed column stays on its
page (a HOT update, no new index entries). The fillfactor applies to pages written from now on; an
existing table gets it by a rewrite in a maintenance window (`VACUUM FULL customers_customer`, about a
minute per million customers, or pg_repack without the lock)."""

import django.db.models.deletion
from django.db import migrations, models

FILLFACTOR = 85


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE customers_customer SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE customers_customer RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0015_customer_kind_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_kind"),
        migrations.AlterField(
            model_name="customer",
            name="brand",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, to="customers.brand",
                                    verbose_name="brand"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(condition=~models.Q(kind="individual"), fields=["kind", "id"], name="customer_kind"),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
