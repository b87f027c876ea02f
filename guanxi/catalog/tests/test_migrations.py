"""The warranty products move into the catalogue with their data: old-shape rows made before the
move keep their ids, their references (serials, repairs, exchanges, decisions) and their history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("warranty", "0003_seed_names_in_chinese"), ("catalog", None)]
AFTER = [("warranty", "0006_coverage_replaces_product"), ("catalog", "0004_prices_parts_kinds")]


def _migrate(targets):
    """Migrate to `targets` and return the models as now applied."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


@pytest.fixture
def empty_database(tmp_path):
    """The default connection pointed at a new, empty database for the test (a file on SQLite, a
    database of its own on PostgreSQL), then back: migrating forward from nothing to the old shape
    takes seconds, where migrating the test database back and forth over every later app took minutes."""
    original = connections[DEFAULT_DB_ALIAS]
    settings = dict(original.settings_dict)
    if original.vendor == "postgresql":
        settings["NAME"] = f"{settings['NAME']}_migrations"[:63]
        with original.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    else:
        settings["NAME"] = str(tmp_path / "migrations.sqlite3")
    empty = original.__class__(settings, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = empty
    try:
        yield
    finally:
        empty.close()
        connections[DEFAULT_DB_ALIAS] = original
        if original.vendor == "postgresql":
            with original.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')


def _old_world(apps) -> dict:
    """Rows in the shape warranty 0003 knew: products with a free-text category and parts per policy."""
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
def test_products_and_parts_move_into_the_catalogue_with_their_ids_and_references(empty_database):
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
