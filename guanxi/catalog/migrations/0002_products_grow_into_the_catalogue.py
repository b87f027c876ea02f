"""The products' tables take the catalogue's names; a category tree replaces the free-text
category (seeded with the company's lines of business, then each old label becomes a category);
products gain a kind, a description and an active flag. Ids stay."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

HISTORY_TYPES = [("+", "Created"), ("~", "Changed"), ("-", "Deleted")]


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("warranty", "0004_products_move_to_catalog"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelTable(name="product", table=None),
        migrations.AlterModelTable(name="historicalproduct", table=None),
        migrations.RenameField(model_name="product", old_name="category", new_name="category_label"),
        migrations.RenameField(model_name="historicalproduct", old_name="category", new_name="category_label"),
        migrations.CreateModel(
            name="Category",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("code", models.SlugField(max_length=30, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                             related_name="children", to="catalog.category",
                                             verbose_name="parent category")),
            ],
            options={"verbose_name": "category", "verbose_name_plural": "categories", "ordering": ["code"]},
        ),
        migrations.CreateModel(
            name="HistoricalCategory",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, db_index=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("code", models.SlugField(max_length=30, verbose_name="code")),
                ("name", models.CharField(max_length=50, verbose_name="name")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                ("history_type", models.CharField(choices=HISTORY_TYPES, max_length=1)),
                ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                   related_name="+", to=settings.AUTH_USER_MODEL)),
                ("parent", models.ForeignKey(blank=True, db_constraint=False, null=True,
                                             on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                             to="catalog.category", verbose_name="parent category")),
            ],
            options={"verbose_name": "historical category", "verbose_name_plural": "historical categories",
                     "ordering": ("-history_date", "-history_id"), "get_latest_by": ("history_date", "history_id")},
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="product", name="category",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="products", to="catalog.category", verbose_name="category"),
        ),
        migrations.AddField(
            model_name="historicalproduct", name="category",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="catalog.category", verbose_name="category"),
        ),
    ]
