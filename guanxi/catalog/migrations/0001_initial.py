"""The catalogue takes over the warranty app's products: this migration only tells Django's state
that `catalog.Product` lives in the existing `warranty_product` table (and its history in
`warranty_historicalproduct`); warranty 0004 repoints its foreign keys, 0002 renames the tables.
Ids, rows and history stay where they are."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

HISTORY_TYPES = [("+", "Created"), ("~", "Changed"), ("-", "Deleted")]


class Migration(migrations.Migration):

    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="Product",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ("updated_at", models.DateTimeField(auto_now=True)),
                    ("model_code", models.CharField(max_length=50, unique=True, verbose_name="model code")),
                    ("name", models.CharField(max_length=100, verbose_name="name")),
                    ("brand", models.CharField(blank=True, max_length=50, verbose_name="brand")),
                    ("category", models.CharField(blank=True, max_length=50, verbose_name="category")),
                ],
                options={"verbose_name": "product", "verbose_name_plural": "products", "ordering": ["model_code"],
                         "db_table": "warranty_product"},
            ),
            migrations.CreateModel(
                name="HistoricalProduct",
                fields=[
                    ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                    ("created_at", models.DateTimeField(blank=True, db_index=True, editable=False)),
                    ("updated_at", models.DateTimeField(blank=True, editable=False)),
                    ("model_code", models.CharField(db_index=True, max_length=50, verbose_name="model code")),
                    ("name", models.CharField(max_length=100, verbose_name="name")),
                    ("brand", models.CharField(blank=True, max_length=50, verbose_name="brand")),
                    ("category", models.CharField(blank=True, max_length=50, verbose_name="category")),
                    ("history_id", models.AutoField(primary_key=True, serialize=False)),
                    ("history_date", models.DateTimeField(db_index=True)),
                    ("history_change_reason", models.TextField(null=True)),
                    ("history_type", models.CharField(choices=HISTORY_TYPES, max_length=1)),
                    ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                       related_name="+", to=settings.AUTH_USER_MODEL)),
                ],
                options={"verbose_name": "historical product", "verbose_name_plural": "historical products",
                         "ordering": ("-history_date", "-history_id"),
                         "get_latest_by": ("history_date", "history_id"),
                         "db_table": "warranty_historicalproduct"},
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
        ]),
    ]
