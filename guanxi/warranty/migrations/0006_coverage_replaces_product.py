"""Every warranty part now has its catalogue part (0005): the link becomes required and the
product column goes (the product is the catalogue part's)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("warranty", "0005_coverage_of_catalogue_parts")]

    operations = [
        migrations.RemoveConstraint(model_name="part", name="part_once_per_product"),
        migrations.RemoveField(model_name="part", name="product"),
        migrations.RemoveField(model_name="historicalpart", name="product"),
        migrations.AlterField(
            model_name="part", name="component",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="coverage",
                                       to="catalog.part", verbose_name="part"),
        ),
        migrations.AlterModelOptions(
            name="part",
            options={"ordering": ["component__product", "policy__code"], "verbose_name": "part",
                     "verbose_name_plural": "parts"},
        ),
    ]
