"""API of merges and the duplicate queue: status codes, error bodies, masking, permissions."""

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.models import Contact, Customer, CustomerMerge, MatchCandidate
from guanxi.customers.services import contact_add

from ..factories import make_customer, pair

pytestmark = pytest.mark.django_db
MERGE = "/api/v1/customers/merge"
QUEUE = "/api/v1/customers/duplicates"


@pytest.fixture
def manager():
    return UserFactory(role=Role.SERVICE_MANAGER)


@pytest.fixture
def two(manager):
    survivor = make_customer(manager, name="吴磊", mobile="13800138000", occupation="")
    merged = make_customer(manager, name="吴 磊", mobile="13900139000", occupation="设计师")
    return survivor, merged


def test_merge_then_read_merged_record_then_undo(manager, two):
    survivor, merged = two
    contact = contact_add(actor=manager, customer=merged, name="吴太太")
    candidate = pair(survivor, merged)
    client = client_for(manager)

    response = post_json(client, MERGE, {"survivor_id": survivor.pk, "merged_id": merged.pk,
                                         "candidate_id": candidate.pk, "field_choices": {"name": "merged"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["survivor"]["id"] == survivor.pk and body["merged"]["id"] == merged.pk
    assert body["moved"]["customers.contact.customer"] == [contact.pk]
    assert body["field_sources"]["name"] == "merged" and body["field_sources"]["occupation"] == "merged"
    assert body["can_undo"] is True and body["undone_at"] is None

    detail = client.get(f"/api/v1/customers/{merged.pk}").json()
    assert detail["merged_into"] == survivor.pk
    golden = client.get(f"/api/v1/customers/{survivor.pk}").json()
    assert golden["name"] == "吴 磊" and golden["merged_into"] is None
    assert [c["name"] for c in golden["contacts"]] == ["吴太太"]
    # The merged record is no longer found, its edits are refused.
    assert [c["id"] for c in client.get("/api/v1/customers", {"q": "wl"}).json()["items"]] == [survivor.pk]
    assert_error_body(client.patch(f"/api/v1/customers/{merged.pk}", data={"name": "x"},
                                   content_type="application/json"), 404)
    history = client.get(f"/api/v1/customers/{survivor.pk}/merges").json()
    assert [m["id"] for m in history] == [body["id"]]

    undone = post_json(client, f"/api/v1/customers/{merged.pk}/unmerge", {})
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_at"] and undone.json()["can_undo"] is False
    assert Contact.objects.get(pk=contact.pk).customer_id == merged.pk
    again = post_json(client, f"/api/v1/customers/{merged.pk}/unmerge", {})
    assert_error_body(again, 409)
    assert again.json()["code"] == "not_merged"


def test_an_agent_gets_403_and_nothing_happens(manager, two):
    survivor, merged = two
    contact = contact_add(actor=manager, customer=merged, name="吴太太")
    candidate = pair(survivor, merged)
    agent = client_for(UserFactory(role=Role.AGENT))

    response = post_json(agent, MERGE, {"survivor_id": survivor.pk, "merged_id": merged.pk})
    assert_error_body(response, 403)
    assert response.json()["code"] == "merge_forbidden"
    assert_error_body(post_json(agent, f"{QUEUE}/{candidate.pk}/dismiss", {}), 403)

    merged.refresh_from_db()
    candidate.refresh_from_db()
    assert merged.merged_into_id is None and merged.deleted_at is None
    assert Contact.objects.get(pk=contact.pk).customer_id == merged.pk
    assert candidate.status == "pending" and not CustomerMerge.objects.exists()
    assert Customer.objects.get(pk=survivor.pk).history.count() == 1

    # And the undo is refused to the agent as well.
    post_json(client_for(manager), MERGE, {"survivor_id": survivor.pk, "merged_id": merged.pk})
    assert_error_body(post_json(agent, f"/api/v1/customers/{merged.pk}/unmerge", {}), 403)
    assert CustomerMerge.objects.get().undone_at is None


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"survivor_id": 0, "merged_id": 0}, 404, "not_found"),
    ({"merged_id": 1}, 422, "validation_error"),
    ({"survivor_id": "x", "merged_id": 1}, 422, "validation_error"),
    ("not json", 400, "bad_request"),
])
def test_bad_merge_requests(manager, body, status, code):
    response = post_json(client_for(manager), MERGE, body)
    assert_error_body(response, status)
    assert response.json()["code"] == code


def test_refusals_are_4xx_with_reasons(manager, two):
    survivor, merged = two
    client = client_for(manager)
    itself = post_json(client, MERGE, {"survivor_id": survivor.pk, "merged_id": survivor.pk})
    assert_error_body(itself, 422, "merged_id")
    assert itself.json()["code"] == "merge_self"
    bad_choice = post_json(client, MERGE, {"survivor_id": survivor.pk, "merged_id": merged.pk,
                                      "field_choices": {"mobile": "both"}})
    assert_error_body(bad_choice, 422, "field_choices.mobile")
    assert post_json(client, MERGE, {"survivor_id": survivor.pk, "merged_id": merged.pk}).status_code == 201
    twice = post_json(client, MERGE, {"survivor_id": survivor.pk, "merged_id": merged.pk})
    assert_error_body(twice, 409, "merged_id")
    assert twice.json()["code"] == "already_merged"
    assert "已被合并到另一位客户" in twice.json()["message"]
    assert_error_body(post_json(client, f"/api/v1/customers/{survivor.pk}/unmerge", {}), 409)


def test_records_outside_the_callers_scope_are_404():
    team = TeamFactory()
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    ours = make_customer(manager, name="甲")
    theirs = make_customer(UserFactory(role=Role.ADMIN), name="甲")
    response = post_json(client_for(manager), MERGE, {"survivor_id": ours.pk, "merged_id": theirs.pk})
    assert_error_body(response, 404)
    assert not CustomerMerge.objects.exists()


def test_queue_is_paginated_masked_and_dismissable(manager, two):
    survivor, merged = two
    third = make_customer(manager, name="吴蕾", mobile="13700137000")
    first, second = pair(survivor, merged, 0.99), pair(merged, third, 0.8)
    lead = client_for(UserFactory(role=Role.TEAM_LEAD))  # reads every customer, personal data masked

    page = lead.get(QUEUE, {"page_size": 1}).json()
    assert page["count"] == 2 and page["page_size"] == 1
    item = page["items"][0]
    assert item["id"] == first.pk and item["reasons"][0]["label"] == "手机号相同"
    assert item["left"]["mobile"].startswith("+86138****") and item["left"]["personal_data_masked"]
    assert "13800138000" not in str(page)

    client = client_for(manager)
    unmasked = client.get(QUEUE, {"min_probability": 0.9}).json()
    assert [i["id"] for i in unmasked["items"]] == [first.pk]
    assert unmasked["items"][0]["left"]["mobile"] == "+8613800138000"

    dismissed = post_json(client, f"{QUEUE}/{second.pk}/dismiss", {})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert [i["id"] for i in client.get(QUEUE).json()["items"]] == [first.pk]
    assert [i["id"] for i in client.get(QUEUE, {"status": "dismissed"}).json()["items"]] == [second.pk]
    assert_error_body(post_json(client, f"{QUEUE}/{second.pk}/dismiss", {}), 409)
    assert_error_body(client.get(QUEUE, {"status": "maybe"}), 422, "status")
    assert_error_body(post_json(client, f"{QUEUE}/999999/dismiss", {}), 404)
    assert MatchCandidate.objects.get(pk=first.pk).status == "pending"
