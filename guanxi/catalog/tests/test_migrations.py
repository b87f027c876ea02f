"""The warranty products move into the catalogue with their data: old-shape rows made before the
move keep their ids, their references (serials, repairs, exchanges, decisions) and their history."""

import datetime as dt
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("warranty", "0003_seed_names_in_chinese"), ("catalog", None)]
AFTER = [("warranty", "0006_coverage_replaces_product"), ("catalog", "0004_prices_parts_kinds")]


def _migrate(targets):
    """Migrate to `targets` (apps that depend on them follow) and return the models as now applied."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens in the test, the database ends fully migrated for the tests after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _columns_missing_from_tables() == []


def _columns_missing_from_tables() -> list[str]:
    """Model columns that the database's tables lack (a branch rebuilt on SQLite would drop some)."""
    with connection.cursor() as cursor:
        missing = []
        for model in django_apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            table = model._meta.db_table
            present = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            missing += [f"{table}.{field.column}" for field in model._meta.local_concrete_fields
                        if field.column not in present]
        return missing


def _old_world(apps) -> dict:
    """Rows in the shape warranty 0003 knew: products with a free-text category and parts per policy."""
    # A transactional test run before this one in the worker flushed what the migrations seeded.
    import_module("guanxi.warranty.migrations.0002_seed_policies_and_rules").seed(apps, None)
    import_module("guanxi.warranty.migrations.0003_seed_names_in_chinese").to_chinese(apps, None)
    User = apps.get_model("accounts", "User")
    Customer = apps.get_model("customers", "Customer")
    Product = apps.get_model("warranty", "Product")
    HistoricalProduct = apps.get_model("warranty", "HistoricalProduct")
    Part = apps.get_model("warranty", "Part")
    Policy = apps.get_model("warranty", "WarrantyPolicy")
    user = User.objects.create(username="keeper", password="!")
    customer = Customer.objects.create(name="张三", kind="individual")
    phone = Product.objects.create(model_code="HX-OLD", name="华星 老款", brand="华星", category="phone")
    router = Product.objects.create(model_code="RT-1", name="路由器", brand="星联", category="路由设备")
    bare = Product.objects.create(model_code="BARE", name="无分类")
    HistoricalProduct.objects.create(id=phone.pk, created_at=phone.created_at, updated_at=phone.updated_at,
                                     model_code="HX-OLD", name="华星 旧名", brand="华星", category="phone",
                                     history_date=phone.created_at, history_type="+", history_user=user)
    main = Part.objects.create(product=phone, policy=Policy.objects.get(code="main_unit"))
    battery = Part.objects.create(product=phone, policy=Policy.objects.get(code="battery"))
    router_main = Part.objects.create(product=router, policy=Policy.objects.get(code="main_unit"))
    unit = apps.get_model("warranty", "SerialNumber").objects.create(serial="SN-OLD", product=phone)
    sale = apps.get_model("warranty", "ProductSale").objects.create(
        serial=unit, customer=customer, sold_at=dt.date(2026, 1, 5), price=Decimal("1999"),
        invoice_date=dt.date(2026, 1, 5))
    repair = apps.get_model("warranty", "RepairRecord").objects.create(
        serial=unit, part=battery, started_at=dt.date(2026, 2, 1))
    exchange = apps.get_model("warranty", "ExchangeRecord").objects.create(
        sale=sale, part=main, exchanged_on=dt.date(2026, 1, 9))
    decision = apps.get_model("warranty", "WarrantyDecision").objects.create(
        sale=sale, part=main, fault_date=dt.date(2026, 1, 8), decided_on=dt.date(2026, 1, 8),
        stock_available=True, remedy="exchange", start_date=dt.date(2026, 1, 5), end_date=dt.date(2027, 1, 5),
        is_in_period=True, asked_by=user)
    return {"phone": phone.pk, "router": router.pk, "bare": bare.pk, "main": main.pk, "battery": battery.pk,
            "router_main": router_main.pk, "unit": unit.pk, "repair": repair.pk, "exchange": exchange.pk,
            "decision": decision.pk}


@pytest.mark.django_db(transaction=True)
# Migrating back and forth over every later migration costs minutes per run: once per CI run, on the
# production database (the PostgreSQL pass), is enough for a data migration that has long been applied.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="run on PostgreSQL (CI's second pass): minutes of migrations")
def test_products_and_parts_move_into_the_catalogue_with_their_ids_and_references(back_to_latest):
    ids = _old_world(_migrate(BEFORE))
    apps = _migrate(AFTER)

    Product = apps.get_model("catalog", "Product")
    phone = Product.objects.select_related("category").get(pk=ids["phone"])
    assert (phone.model_code, phone.name, phone.brand, phone.is_active, phone.kind) == (
        "HX-OLD", "华星 老款", "华星", True, "product")
    assert phone.category.code == "phone" and phone.category.parent.code == "terminals"  # the seeded tree
    router = Product.objects.select_related("category").get(pk=ids["router"])
    assert router.category.name == "路由设备"  # an unknown label became a category of its own
    assert Product.objects.get(pk=ids["bare"]).category is None
    history = apps.get_model("catalog", "HistoricalProduct").objects.get(id=ids["phone"])
    assert history.name == "华星 旧名" and history.category_id == phone.category_id

    Coverage = apps.get_model("warranty", "Part")
    main, battery = Coverage.objects.get(pk=ids["main"]), Coverage.objects.get(pk=ids["battery"])
    assert (main.component.product_id, main.component.code, main.component.name) == (ids["phone"], "main_unit", "主机")
    assert (battery.component.product_id, battery.component.code) == (ids["phone"], "battery")
    assert Coverage.objects.get(pk=ids["router_main"]).component.product_id == ids["router"]
    assert sorted(apps.get_model("catalog", "Part").objects.filter(product_id=ids["phone"])
                  .values_list("code", flat=True)) == ["battery", "main_unit"]

    assert apps.get_model("warranty", "SerialNumber").objects.get(pk=ids["unit"]).product_id == ids["phone"]
    assert apps.get_model("warranty", "RepairRecord").objects.get(pk=ids["repair"]).part_id == ids["battery"]
    assert apps.get_model("warranty", "ExchangeRecord").objects.get(pk=ids["exchange"]).part_id == ids["main"]
    assert apps.get_model("warranty", "WarrantyDecision").objects.get(pk=ids["decision"]).part_id == ids["main"]

    # The moved table keeps numbering after the old rows.
    new = Product.objects.create(model_code="NEW", name="新品")
    assert new.pk > max(ids["phone"], ids["router"], ids["bare"])
