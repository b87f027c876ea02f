"""Seed the category tree of a telecom operator that sells its own devices, then give every product
the category its old free-text label names (by code, then by name; a label that matches none becomes
a category of its own, so nothing is lost). Administrators edit the tree later."""

from django.db import migrations
from django.utils.text import slugify

# code, name, parent code
TREE = [
    ("terminals", "终端设备", None),
    ("phone", "手机", "terminals"),
    ("accessory", "配件", "terminals"),
    ("home_device", "家庭终端", "terminals"),
    ("mobile", "移动业务", None),
    ("mobile_plan", "移动套餐", "mobile"),
    ("data_pack", "流量包", "mobile"),
    ("home", "家庭业务", None),
    ("broadband", "宽带", "home"),
    ("iptv", "IPTV", "home"),
    ("fixed_line", "固话", "home"),
    ("enterprise", "政企业务", None),
    ("cloud", "云服务", "enterprise"),
    ("ict", "ICT解决方案", "enterprise"),
    ("dedicated_line", "专线", "enterprise"),
]


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
