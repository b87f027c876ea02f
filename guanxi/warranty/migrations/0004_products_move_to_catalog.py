"""Products now belong to the catalogue: the warranty app's foreign keys point at `catalog.Product`
(same table, same ids, so nothing changes in the database) and its own Product leaves the state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("warranty", "0003_seed_names_in_chinese"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="serialnumber", name="product",
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="serials",
                                        to="catalog.product", verbose_name="product"),
            ),
            migrations.AlterField(
                model_name="historicalserialnumber", name="product",
                field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                        on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                        to="catalog.product", verbose_name="product"),
            ),
            migrations.AlterField(
                model_name="part", name="product",
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="warranty_parts",
                                        to="catalog.product", verbose_name="product"),
            ),
            migrations.AlterField(
                model_name="historicalpart", name="product",
                field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                        on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                        to="catalog.product", verbose_name="product"),
            ),
            migrations.DeleteModel(name="HistoricalProduct"),
            migrations.DeleteModel(name="Product"),
        ]),
    ]
