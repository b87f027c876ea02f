"""The permission matrix of the catalogue: every role × every write service and endpoint. Allowed
calls work; refused ones change nothing. Every role reads the catalogue."""

import datetime as dt

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog import selectors, services
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import client_for, post_json, rows_of

from .factories import make_product

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
KEEPERS = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SERVICE_MANAGER})
CATEGORY_KEEPERS = frozenset({Role.ADMIN, Role.SALES_MANAGER})
API = "/api/v1/products"


def state() -> dict:
    return rows_of("catalog")


@pytest.fixture
def world():
    product = make_product("HX-M", parts=(("screen", "屏幕"), ("battery", "电池")))
    return {"product": product, "bare": make_product("HX-BARE", price=None, parts=()),
            "battery": product.parts.get(code="battery"), "phone": selectors.category_by_label("phone")}


SERVICES = {
    "product_create": (KEEPERS, lambda a, w: services.product_create(actor=a, model_code="NEW", name="新品")),
    "product_update": (KEEPERS, lambda a, w: services.product_update(actor=a, product=w["product"], name="改名")),
    "product_set_active": (KEEPERS, lambda a, w: services.product_set_active(actor=a, product=w["product"],
                                                                            active=False)),
    "product_delete": (KEEPERS, lambda a, w: services.product_delete(actor=a, product=w["bare"])),
    "price_set": (KEEPERS, lambda a, w: services.price_set(actor=a, product=w["product"], amount=1,
                                                           effective_from=dt.date(2026, 7, 1))),
    "part_add": (KEEPERS, lambda a, w: services.part_add(actor=a, product=w["product"], code="charger", name="充电器")),
    "part_delete": (KEEPERS, lambda a, w: services.part_delete(actor=a, part=w["battery"])),
    "category_create": (CATEGORY_KEEPERS, lambda a, w: services.category_create(actor=a, code="tablet", name="平板",
                                                                               parent=w["phone"].parent)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    actor = UserFactory(role=role)
    if role in allowed:
        call(actor, world)
        return
    before = state()
    with pytest.raises(PermissionDenied):
        call(actor, world)
    assert state() == before


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(world, service):
    _, call = SERVICES[service]
    before = state()
    for nobody in (None, UserFactory(role=Role.ADMIN, is_active=False)):
        with pytest.raises(PermissionDenied):
            call(nobody, world)
    assert state() == before
    call(SYSTEM, world)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_catalogue(world, role):
    actor = UserFactory(role=role)
    assert set(selectors.product_list(user=actor)) == {world["product"], world["bare"]}
    client = client_for(actor)
    assert client.get(API).json()["count"] == 2
    assert client.get(f"{API}/{world['product'].pk}").status_code == 200
    assert client.get(f"{API}/{world['product'].pk}/prices").status_code == 200
    assert client.get(f"{API}/{world['product'].pk}/parts").status_code == 200
    assert client.get(f"{API}/categories").status_code == 200


def _endpoints(w) -> dict:
    pid = w["product"].pk
    return {
        "create_product": (KEEPERS, "post", API, {"model_code": "NEW", "name": "新品"}),
        "update_product": (KEEPERS, "put", f"{API}/{pid}", {"name": "改名"}),
        "deactivate_product": (KEEPERS, "post", f"{API}/{pid}/deactivate", {}),
        "create_product_price": (KEEPERS, "post", f"{API}/{pid}/prices", {"amount": "1",
                                                                          "effective_from": "2026-07-01"}),
        "create_product_part": (KEEPERS, "post", f"{API}/{pid}/parts", {"code": "charger", "name": "充电器"}),
        "delete_product_part": (KEEPERS, "delete", f"{API}/{pid}/parts/{w['battery'].pk}", None),
        "create_product_category": (CATEGORY_KEEPERS, "post", f"{API}/categories", {"code": "tablet",
                                                                                    "name": "平板"}),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["create_product", "update_product", "deactivate_product",
                                      "create_product_price", "create_product_part", "delete_product_part",
                                      "create_product_category"])
def test_every_role_and_write_endpoint(world, role, endpoint):
    allowed, method, url, body = _endpoints(world)[endpoint]
    client = client_for(UserFactory(role=role))
    before = state()
    if method == "post":
        response = post_json(client, url, body)
    elif method == "delete":
        response = client.delete(url)
    else:
        response = client.put(url, data=body, content_type="application/json")
    if role in allowed:
        assert response.status_code in (200, 201, 204), (role, response.content)
    else:
        assert response.status_code == 403, (role, response.content)
        assert state() == before


def test_the_activate_endpoint_follows_the_same_rule(world):
    services.product_set_active(actor=SYSTEM, product=world["product"], active=False)
    refused = post_json(client_for(UserFactory(role=Role.SALES_REP)), f"{API}/{world['product'].pk}/activate", {})
    assert refused.status_code == 403
    allowed = post_json(client_for(UserFactory(role=Role.SALES_MANAGER)), f"{API}/{world['product'].pk}/activate", {})
    assert allowed.status_code == 200 and allowed.json()["is_active"]
