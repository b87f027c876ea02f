"""A warranty part becomes the 三包 coverage of a catalogue part: for every warranty part, the
catalogue part of its product with the policy's code (and name) is made, and the warranty part
points at it. The warranty part keeps its id, so repairs, exchanges and decisions keep theirs."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    WarrantyPart = apps.get_model("warranty", "Part")
    HistoricalWarrantyPart = apps.get_model("warranty", "HistoricalPart")
    CatalogPart = apps.get_model("catalog", "Part")
    WarrantyPolicy = apps.get_model("warranty", "WarrantyPolicy")
    for part in WarrantyPart.objects.select_related("policy").order_by("pk"):
        component, _ = CatalogPart.objects.get_or_create(
            product_id=part.product_id, code=part.policy.code, defaults={"name": part.policy.name})
        WarrantyPart.objects.filter(pk=part.pk).update(component=component)
    # Earlier versions point at the same catalogue part where it exists (deleted parts had none).
    codes = dict(WarrantyPolicy.objects.values_list("pk", "code"))
    components = {(p.product_id, p.code): p.pk for p in CatalogPart.objects.all()}
    for row in HistoricalWarrantyPart.objects.filter(product_id__isnull=False).iterator():
        component_id = components.get((row.product_id, codes.get(row.policy_id)))
        if component_id is not None:
            HistoricalWarrantyPart.objects.filter(pk=row.pk).update(component_id=component_id)


class Migration(migrations.Migration):

    dependencies = [
        ("warranty", "0004_products_move_to_catalog"),
        ("catalog", "0004_prices_parts_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="part", name="component",
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="coverage", to="catalog.part", verbose_name="part"),
        ),
        migrations.AddField(
            model_name="historicalpart", name="component",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="catalog.part", verbose_name="part"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
