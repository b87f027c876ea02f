"""The warranty permission table as a matrix: every role × every write service and its endpoint.
Allowed roles succeed; refused ones get the permission error (or not-found where the sale's customer is
not theirs to read; 403/404 through the API) and nothing changes in the warranty tables.

The world: a product with its parts, a unit sold to a customer of an administrator, a repair, an
exchange and a spare unsold serial; the actor is a fresh user of the role under test in a team of
their own (so the customer is theirs only when their role reads or writes every customer).
"""

import datetime as dt

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog.models import Product
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, check_service, client_for, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.warranty import selectors, services

from .factories import make_sale

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC)

ROLES = tuple(Role.values)
EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({Role.ADMIN, Role.SERVICE_MANAGER})  # the catalogue, deletions
SERVICE = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.AGENT})  # serials, repairs, exchanges
# A sale needs the sale right and write on its customer: every customer for these roles.
SELLERS_OF_ANY_CUSTOMER = SERVICE
READERS_OF_EVERY_UNIT = SERVICE | {Role.ANALYST}


def state() -> dict:
    return rows_of("warranty", "catalog")


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(admin):
    sale = make_sale(admin, serial="SN-1", sold_at=dt.date(2026, 1, 5))
    repair = services.repair_start(actor=admin, serial=sale.serial, part="battery", started_at=dt.date(2026, 2, 1))
    exchange = services.exchange_record(actor=admin, sale=sale, exchanged_on=dt.date(2026, 3, 1), part="charger")
    spare = services.serial_register(actor=admin, product=sale.serial.product, serial="SN-2")
    bare = services.product_create(actor=admin, model_code="M-BARE", name="旧款", part_codes=["main_unit"])
    buyer = make_customer(admin, name="李四", mobile="13900139000")
    return {"sale": sale, "repair": repair, "exchange": exchange, "spare": spare, "bare": bare, "buyer": buyer,
            "product": sale.serial.product}


SERVICES = {
    "product_create": (MANAGERS, lambda a, w: services.product_create(actor=a, model_code="M-NEW", name="新款")),
    "product_update": (MANAGERS, lambda a, w: services.product_update(actor=a, product=w["product"], name="改名")),
    "product_delete": (MANAGERS, lambda a, w: services.product_delete(actor=a, product=w["bare"])),
    "part_add": (MANAGERS, lambda a, w: services.part_add(actor=a, product=w["bare"], code="battery")),
    "part_delete": (MANAGERS, lambda a, w: services.part_delete(
        actor=a, part=selectors.coverages_of(product_id=w["bare"].pk).get())),
    "serial_register": (SERVICE, lambda a, w: services.serial_register(actor=a, product=w["product"], serial="SN-3")),
    "serial_update": (SERVICE, lambda a, w: services.serial_update(actor=a, unit=w["spare"],
                                                                    factory_date=dt.date(2026, 1, 1))),
    "serial_delete": (MANAGERS, lambda a, w: services.serial_delete(actor=a, unit=w["spare"])),
    "sale_record": (SELLERS_OF_ANY_CUSTOMER, lambda a, w: services.sale_record(
        actor=a, serial=w["spare"], customer=w["buyer"], sold_at=dt.date(2026, 5, 1), price=1999,
        invoice_date=dt.date(2026, 5, 1))),
    "sale_update": (SELLERS_OF_ANY_CUSTOMER, lambda a, w: services.sale_update(
        actor=a, sale=w["sale"], price=1500, proof_kind="invoice", invoice_date=dt.date(2026, 1, 5), is_gift=False)),
    "sale_delete": (MANAGERS, lambda a, w: services.sale_delete(actor=a, sale=w["deletable_sale"])),
    "repair_start": (SERVICE, lambda a, w: services.repair_start(actor=a, serial=w["sale"].serial, part="main_unit",
                                                                  started_at=dt.date(2026, 6, 1))),
    "repair_finish": (SERVICE, lambda a, w: services.repair_finish(actor=a, repair=w["repair"],
                                                                    finished_at=dt.date(2026, 2, 5))),
    "repair_update": (SERVICE, lambda a, w: services.repair_update(actor=a, repair=w["repair"], note="换电池")),
    "repair_change": (SERVICE, lambda a, w: services.repair_change(actor=a, repair=w["repair"], note="换电池",
                                                                    finished_at=dt.date(2026, 2, 5))),
    "repair_delete": (MANAGERS, lambda a, w: services.repair_delete(actor=a, repair=w["repair"])),
    "exchange_record": (SERVICE, lambda a, w: services.exchange_record(actor=a, sale=w["sale"],
                                                                        exchanged_on=dt.date(2026, 6, 1))),
    "exchange_delete": (MANAGERS, lambda a, w: services.exchange_delete(actor=a, exchange=w["exchange"])),
    "warranty_decide": (READERS_OF_EVERY_UNIT, lambda a, w: services.warranty_decide(
        actor=a, sale=w["sale"], part="main_unit", fault_date=dt.date(2026, 6, 10), customer_wants=None,
        stock_available=True)),
}


@pytest.fixture
def full_world(world, admin):
    unit = services.serial_register(actor=admin, product=world["product"], serial="SN-8")
    world["deletable_sale"] = services.sale_record(actor=admin, serial=unit, customer=world["buyer"],
                                                   sold_at=dt.date(2026, 4, 1), price=999,
                                                   invoice_date=dt.date(2026, 4, 1))
    return world


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(full_world, role, service):
    allowed, call = SERVICES[service]
    actor = UserFactory(role=role)
    check_service(lambda: call(actor, full_world), allowed=role in allowed, state=state,
                  errors=(PermissionDenied, NotFound))


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(full_world, service):
    _, call = SERVICES[service]
    assert_nobody_may(lambda nobody: call(nobody, full_world), state, PermissionDenied)
    if service == "warranty_decide":  # a decision records who asked for it: a member of staff
        with pytest.raises(PermissionDenied):
            call(SYSTEM, full_world)
    else:
        call(SYSTEM, full_world)


def test_a_seller_records_sales_of_their_own_customers(admin, world):
    rep = UserFactory(role=Role.SALES_REP)
    theirs = make_customer(rep, name="王五", mobile="13700137000")
    sale = services.sale_record(actor=rep, serial=world["spare"], customer=theirs, sold_at=dt.date(2026, 5, 1),
                                price=1999, invoice_date=dt.date(2026, 5, 1))
    assert sale.sold_by == rep


@pytest.mark.parametrize("role", ROLES)
def test_reads_follow_the_customer(full_world, role):
    actor = UserFactory(role=role)
    every_unit = role in READERS_OF_EVERY_UNIT
    assert set(selectors.sale_list(user=actor)) == ({full_world["sale"], full_world["deletable_sale"]}
                                                    if every_unit else set())
    assert (full_world["spare"] in selectors.serial_list(user=actor)) == every_unit
    assert set(selectors.repair_list(user=actor)) == ({full_world["repair"]} if every_unit else set())
    assert selectors.product_list(user=actor).filter(pk=full_world["product"].pk).exists()


# ---------------------------------------------------------------- endpoints

API = "/api/v1/warranty"


def _endpoints(w) -> dict:
    return {
        "create_warranty_product": (MANAGERS, "post", f"{API}/products", {"model_code": "M-NEW", "name": "新款"}),
        "update_warranty_product": (MANAGERS, "put", f"{API}/products/{w['product'].pk}", {"name": "改名"}),
        "delete_warranty_product": (MANAGERS, "delete", f"{API}/products/{w['bare'].pk}", None),
        "create_warranty_part": (MANAGERS, "post", f"{API}/parts", {"product": w["bare"].pk, "code": "battery"}),
        "create_warranty_serial": (SERVICE, "post", f"{API}/serials", {"product": w["product"].pk,
                                                                       "serial": "SN-3"}),
        "delete_warranty_serial": (MANAGERS, "delete", f"{API}/serials/SN-2", None),
        "create_warranty_sale": (SELLERS_OF_ANY_CUSTOMER, "post", f"{API}/sales", {
            "serial": "SN-2", "customer": w["buyer"].pk, "sold_at": "2026-05-01", "price": "1999",
            "invoice_date": "2026-05-01"}),
        "delete_warranty_sale": (MANAGERS, "delete", f"{API}/sales/{w['deletable_sale'].pk}", None),
        "create_warranty_repair": (SERVICE, "post", f"{API}/repairs", {
            "serial": "SN-1", "part": "main_unit", "started_at": "2026-06-01"}),
        "delete_warranty_repair": (MANAGERS, "delete", f"{API}/repairs/{w['repair'].pk}", None),
        "create_warranty_exchange": (SERVICE, "post", f"{API}/exchanges", {
            "sale": w["sale"].pk, "exchanged_on": "2026-06-01"}),
        "delete_warranty_exchange": (MANAGERS, "delete", f"{API}/exchanges/{w['exchange'].pk}", None),
        "create_warranty_decision": (READERS_OF_EVERY_UNIT, "post", f"{API}/decisions", {
            "sale": w["sale"].pk, "part": "main_unit", "fault_date": "2026-06-10", "stock_available": True}),
    }


ENDPOINTS = ("create_warranty_product", "update_warranty_product", "delete_warranty_product", "create_warranty_part",
             "create_warranty_serial", "delete_warranty_serial", "create_warranty_sale", "delete_warranty_sale",
             "create_warranty_repair", "delete_warranty_repair", "create_warranty_exchange",
             "delete_warranty_exchange", "create_warranty_decision")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_role_and_write_endpoint(full_world, role, endpoint):
    allowed, method, url, body = _endpoints(full_world)[endpoint]
    # A sale of a customer the caller does not read: its customer or unit is unknown to them (404/422).
    check_endpoint(client_for(UserFactory(role=role)), method, url, body, allowed=role in allowed, state=state,
                   refused=(403, 404, 422))
    assert Product.objects.exists()
