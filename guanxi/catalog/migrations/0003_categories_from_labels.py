"""Seed the category tree of a telecom operator that sells its own devices, then give every product
the category its old free-text label names (by code, then by name; a label that matches none becomes
a category of its own, so nothing is lost). Administrators edit the tree later.

Harmless on a new database: the tree is created only where missing (`guanxi.catalog.defaults` fills
it after every migrate and test flush); kept for databases whose products still carry labels."""

from django.db import migrations
from django.utils.text import slugify

from guanxi.catalog.defaults import TREE


def seed_tree(Category):
    for code, name, parent in TREE:
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "parent": Category.objects.filter(code=parent).first()})


def category_for(Category, label: str):
    found = Category.objects.filter(code=label).first() or Category.objects.filter(name=label).first()
    if found is not None:
        return found
    code, n = (slugify(label)[:30] or "legacy"), 1
    while Category.objects.filter(code=code).exists():
        n += 1
        code = f"{(slugify(label) or 'legacy')[:24]}-{n}"
    return Category.objects.create(code=code, name=label[:50])


def forwards(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    HistoricalProduct = apps.get_model("catalog", "HistoricalProduct")
    seed_tree(Category)
    labels = set(Product.objects.exclude(category_label="").values_list("category_label", flat=True))
    labels |= set(HistoricalProduct.objects.exclude(category_label="").values_list("category_label", flat=True))
    for label in sorted(labels):
        category = category_for(Category, label)
        Product.objects.filter(category_label=label).update(category=category)
        HistoricalProduct.objects.filter(category_label=label).update(category=category)


def backwards(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    for product in Product.objects.filter(category__isnull=False).select_related("category"):
        Product.objects.filter(pk=product.pk).update(category_label=product.category.code)


class Migration(migrations.Migration):

    dependencies = [("catalog", "0002_products_grow_into_the_catalogue")]

    operations = [migrations.RunPython(forwards, backwards)]
