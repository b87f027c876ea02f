"""Masked fields cannot be read back through search: roles that see a phone number, e-mail or ID
number masked find it by its full value only, never by its first characters; the birth date,
which the ID number holds, is masked with it."""

import datetime
import json

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.selectors.customers import CustomerFilter, customer_list
from guanxi.customers.services import customer_update

from ..factories import make_customer

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers"
ID = "11010519491231002X"
PREFIXES = ["1721234", "+86172123428", "172123428", "ada.lovelace@", "ada.lovelace@exa", "1101051949", ID[:17]]
FULL = ["17212342812", "+86 172 1234 2812", "ada.lovelace@example.com", "Ada.Lovelace@Example.com", ID, ID.lower()]


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def team():
    return TeamFactory()


@pytest.fixture
def customer(team):
    owner = UserFactory(role=Role.SALES_MANAGER, team=team)
    return make_customer(owner, name="阿达", mobile="17212342812", email="ada.lovelace@example.com",
                         id_type="resident_id", id_number=ID, birth_date=datetime.date(1949, 12, 31), owner=owner)


def found(user, query) -> bool:
    return bool(list(customer_list(user=user, filters=CustomerFilter(query=query))))


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.ANALYST])
def test_a_masking_role_finds_personal_data_by_its_full_value_only(customer, role):
    user = UserFactory(role=role)
    assert [q for q in PREFIXES if found(user, q)] == []
    assert [q for q in FULL if not found(user, q)] == []


def test_the_api_search_and_the_case_customer_picker_follow_the_same_rule(customer, client):
    agent = UserFactory(role=Role.AGENT)
    assert api(agent).get(URL, {"q": "1721234281"}).json()["count"] == 0
    assert api(agent).get(URL, {"q": "17212342812"}).json()["count"] == 1
    client.force_login(agent)
    assert "阿达" not in client.get("/service/customers/", {"customer_q": "172123428"}).content.decode()
    assert "阿达" in client.get("/service/customers/", {"customer_q": "17212342812"}).content.decode()


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.ADMIN])
def test_roles_that_see_personal_data_still_search_by_prefix(customer, role):
    user = UserFactory(role=role)
    assert [q for q in PREFIXES if not found(user, q)] == []


def test_prefixes_reach_only_the_records_a_role_sees_unmasked(customer, team):
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    assert found(manager, "1721234")
    outsider = UserFactory(role=Role.SALES_MANAGER, team=TeamFactory())
    assert not found(outsider, "1721234")


def test_the_birth_date_is_masked_with_the_id_number(customer):
    agent, manager = UserFactory(role=Role.AGENT), UserFactory(role=Role.SERVICE_MANAGER)
    customer_update(actor=manager, customer=customer, data={"birth_date": datetime.date(1949, 12, 30)})
    detail = api(agent).get(f"{URL}/{customer.pk}").json()
    assert detail["birth_date"] == "****-**-**" and detail["id_number"] == "1101**********002X"
    body = json.dumps([detail, api(agent).get(f"{URL}/{customer.pk}/360").json(),
                       api(agent).get(f"{URL}/{customer.pk}/history").json()])
    # The birth date in any form a response could carry it (timestamps such as 2026-12-31 are not it).
    assert not [form for form in ("1949-12-30", "19491230", "1949年") if form in body]
    assert api(manager).get(f"{URL}/{customer.pk}").json()["birth_date"] == "1949-12-30"
