"""Who may own a customer and who may hand one over: agents cannot, nobody hands a customer to a
partner, team leads and managers within their team, service managers and administrators anywhere.
A refused hand-over writes nothing."""

import json

import pytest
from django.test import Client
from django.utils import translation

from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_update

from .factories import make_customer

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers"


def api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def world():
    team, other = TeamFactory(), TeamFactory()
    admin = UserFactory(role=Role.ADMIN, team=team)
    rep = UserFactory(role=Role.SALES_REP, team=team)
    customer = make_customer(admin, name="张三", mobile="13800138000", owner=rep.pk)
    return {"team": team, "other": other, "admin": admin, "rep": rep, "customer": customer,
            "partner": UserFactory(role=Role.PARTNER, team=other), "agent": UserFactory(role=Role.AGENT, team=team),
            "stranger": UserFactory(role=Role.SALES_REP, team=other)}


def unchanged(customer, owner) -> bool:
    customer.refresh_from_db()
    return customer.owner_id == owner.pk and customer.history.count() == 1


def test_an_agent_cannot_hand_a_customer_to_the_partner_through_the_api(world):
    customer, partner = world["customer"], world["partner"]
    response = api(world["agent"]).patch(f"{URL}/{customer.pk}", data=json.dumps({"owner": partner.pk}),
                                         content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "owner_forbidden"
    assert "移交" in response.json()["message"]
    assert unchanged(customer, world["rep"])
    assert api(partner).get(f"{URL}/{customer.pk}").status_code == 404


def test_an_agent_cannot_create_a_customer_for_someone_else(world):
    body = {"kind": "individual", "name": "李四", "owner": world["rep"].pk}
    response = api(world["agent"]).post(URL, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 403 and not Customer.objects.filter(name="李四").exists()
    created = api(world["agent"]).post(URL, data=json.dumps({"kind": "individual", "name": "李四"}),
                                       content_type="application/json")
    assert created.status_code == 201 and created.json()["owner"] is None


def test_nobody_hands_a_customer_to_a_partner_or_an_agent(world):
    customer = world["customer"]
    for target in (world["partner"], world["agent"]):
        with pytest.raises(ValidationFailed) as refused, translation.override("en"):
            customer_update(actor=world["admin"], customer=customer, data={"owner": target.pk})
        with translation.override("en"):
            assert "cannot own" in refused.value.fields["owner"]
        assert unchanged(customer, world["rep"])


def test_the_owner_is_staff_of_the_owning_team(world):
    customer = world["customer"]
    with pytest.raises(ValidationFailed):
        customer_update(actor=world["admin"], customer=customer, data={"owner": world["rep"].pk,
                                                                       "team": world["other"].pk})
    with pytest.raises(ValidationFailed):
        customer_update(actor=world["admin"], customer=customer, data={"team": world["other"].pk})
    assert unchanged(customer, world["rep"])
    moved = customer_update(actor=world["admin"], customer=customer, data={"owner": world["stranger"].pk})
    assert (moved.owner, moved.team) == (world["stranger"], world["other"])


def test_team_leads_hand_over_within_their_team_only(world):
    lead = UserFactory(role=Role.TEAM_LEAD, team=world["team"])
    customer, colleague = world["customer"], UserFactory(role=Role.SALES_REP, team=world["team"])
    with pytest.raises(PermissionDenied):
        customer_update(actor=lead, customer=customer, data={"owner": world["stranger"].pk})
    assert unchanged(customer, world["rep"])
    assert customer_update(actor=lead, customer=customer, data={"owner": colleague.pk}).owner == colleague


def test_the_edit_form_of_an_agent_has_no_owner_and_ignores_one_posted(world, client):
    customer = world["customer"]
    client.force_login(world["agent"])
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'name="owner"' not in page
    response = client.post(f"/customers/{customer.pk}/edit/", {
        "kind": "individual", "name": "张三改", "lifecycle_stage": "prospect", "source": "call_center",
        "arpu": "0", "balance": "0", "credit_limit": "0", "overdue_count": "0", "owner": world["partner"].pk,
        "version": customer.version})
    assert response.status_code in (200, 302)
    customer.refresh_from_db()
    assert customer.owner == world["rep"]
