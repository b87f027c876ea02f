"""The offers permission table as a matrix: every role × every write service and every endpoint.
Allowed roles succeed; refused ones get the permission error (403, or 404 where the customer is not
theirs to see) and nothing changes in the offers tables.

The world: customers with holdings, a trained model, and the customer to serve (no owner, so every
role that reads all customers sees it; owner-scoped roles do not)."""

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, check_service, client_for, rows_of
from guanxi.customers.offers import customer_offers
from guanxi.offers import permissions
from guanxi.offers.services import offer_feedback_record, offer_model_train, offer_model_train_start

from .factories import offer_world

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
TRAINERS = frozenset({Role.ANALYST, Role.ADMIN})
MODEL_READERS = TRAINERS | {Role.SALES_MANAGER, Role.SERVICE_MANAGER}
FEEDBACK = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_REP, Role.SALES_MANAGER,
                      Role.KEY_ACCOUNT_MANAGER, Role.PARTNER, Role.ADMIN})
# Roles that read every customer (the others read their own or their team's: not the unowned target).
READ_ALL_CUSTOMERS = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ANALYST, Role.ADMIN})


def state() -> dict:
    return rows_of("offers")


@pytest.fixture
def world(admin):
    world = offer_world(admin, bundles=6, singles=4)
    world["model"] = offer_model_train(actor=SYSTEM, seed=3)
    return world


SERVICES = {
    "offer_model_train": (TRAINERS, lambda a, w: offer_model_train(actor=a)),
    "offer_model_train_start": (TRAINERS, lambda a, w: offer_model_train_start(actor=a)),
    "offer_feedback_record": (FEEDBACK, lambda a, w: offer_feedback_record(
        actor=a, customer=w["target"], product="魔百和 IPTV", outcome="offered")),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    check_service(lambda: call(UserFactory(role=role), world), allowed=role in allowed, state=state,
                  errors=PermissionDenied)


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(world, service):
    _, call = SERVICES[service]
    assert_nobody_may(lambda nobody: call(nobody, world), state, PermissionDenied)
    call(SYSTEM, world)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_that_reads_the_customer_sees_its_offers(world, role):
    actor = UserFactory(role=role)
    assert permissions.can(actor, "offer", "read")  # every staff role; the customers app decides which customers
    assert bool(customer_offers(customer=world["target"], user=actor))
    assert permissions.can(actor, "model", "read") == (role in MODEL_READERS)


def _endpoints(w) -> dict:
    target = w["target"].pk
    return {
        "get_customer_offers": (READ_ALL_CUSTOMERS, "get", f"/api/v1/offers/customers/{target}", None),
        "record_offer_feedback": (FEEDBACK & READ_ALL_CUSTOMERS, "post", f"/api/v1/offers/customers/{target}/feedback",
                                  {"product": "魔百和 IPTV", "outcome": "declined"}),
        "list_offer_models": (MODEL_READERS, "get", "/api/v1/offers/models", None),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["get_customer_offers", "record_offer_feedback", "list_offer_models"])
def test_every_role_and_endpoint(world, role, endpoint):
    allowed, method, url, body = _endpoints(world)[endpoint]
    check_endpoint(client_for(UserFactory(role=role)), method, url, body, allowed=role in allowed, state=state)


@pytest.mark.parametrize("role", ROLES)
def test_training_through_the_api_is_for_analysts_and_administrators(world, role, django_capture_on_commit_callbacks):
    client = client_for(UserFactory(role=role))
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/offers/models")
    if role in TRAINERS:
        assert response.status_code == 202 and response.json()["queued"] is True  # queued after the answer
    else:
        assert response.status_code == 403 and state() == before


def test_the_model_list_is_cursor_paged_to_the_end(world, admin):
    offer_model_train(actor=SYSTEM, seed=3)
    client = client_for(admin)
    first = client.get("/api/v1/offers/models?limit=1")
    assert [m["version"] for m in first.json()] == [2]
    second = client.get(f"/api/v1/offers/models?limit=1&cursor={first['X-Next-Cursor']}")
    assert [m["version"] for m in second.json()] == [1] and "X-Next-Cursor" not in second
