"""No lost updates on a customer through the API: the GET's ETag is the version; a PATCH with an older
If-Match (or `version`) is refused with 409 and what changed, masked as the caller sees it; without
one the PATCH still works (only the fields sent change)."""

import json

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for
from guanxi.customers.models import Customer

from ..factories import make_customer

pytestmark = pytest.mark.django_db


def patch(client, customer_id, body, **headers):
    return client.patch(f"/api/v1/customers/{customer_id}", data=json.dumps(body),
                        content_type="application/json", **headers)


def test_get_gives_the_version_as_etag_and_a_patch_with_it_gives_the_next(admin):
    customer = make_customer(admin, name="张三")
    client = client_for(admin)
    read = client.get(f"/api/v1/customers/{customer.pk}")
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    changed = patch(client, customer.pk, {"notes": "改过"}, HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] == '"2"' and changed.json()["version"] == 2


def test_the_second_of_two_edits_from_the_same_read_gets_409_with_what_changed(admin):
    customer = make_customer(admin, name="张三", mobile="13800138000")
    first, second = client_for(admin), client_for(admin)
    etag = first.get(f"/api/v1/customers/{customer.pk}")["ETag"]
    assert patch(first, customer.pk, {"name": "张三丰", "arpu": "88"}, HTTP_IF_MATCH=etag).status_code == 200
    refused = patch(second, customer.pk, {"name": "张小三"}, HTTP_IF_MATCH=etag)
    body = assert_error_body(refused, 409, "name")
    assert body["code"] == "version_conflict" and body["current_version"] == 2
    assert {c["field"]: c["value"] for c in body["changes"]} == {"name": "张三丰", "arpu": "88.00"}
    assert "张三丰" in body["fields"]["name"] and "他人" in body["message"]  # Chinese by default
    assert Customer.objects.get(pk=customer.pk).name == "张三丰"


def test_the_body_version_works_like_if_match_and_english_on_request(admin):
    customer = make_customer(admin, name="张三")
    client = client_for(admin)
    assert patch(client, customer.pk, {"notes": "一"}, HTTP_IF_MATCH='"1"').status_code == 200
    refused = patch(client, customer.pk, {"notes": "二", "version": 1}, HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error_body(refused, 409, "notes")
    assert body["changes"] == [{"field": "notes", "label": "notes", "value": "一"}]
    assert body["message"].startswith("Someone else changed this record")


def test_masked_fields_stay_masked_in_the_conflict(admin):
    customer = make_customer(admin, name="张三", mobile="13800138000")
    agent = UserFactory(role=Role.AGENT)  # may change customers, may not see their personal data
    client = client_for(agent)
    etag = client.get(f"/api/v1/customers/{customer.pk}")["ETag"]
    assert patch(client_for(admin), customer.pk, {"mobile": "13900139000"}).status_code == 200
    body = assert_error_body(patch(client, customer.pk, {"notes": "回访"}, HTTP_IF_MATCH=etag), 409)
    assert body["changes"] == [{"field": "mobile", "label": "手机号", "value": "+86139****9000"}]
    assert "13900139000" not in json.dumps(body, ensure_ascii=False)


def test_without_if_match_the_patch_changes_only_the_fields_sent(admin):
    customer = make_customer(admin, name="张三")
    client = client_for(admin)
    assert patch(client, customer.pk, {"notes": "甲"}).status_code == 200
    assert patch(client, customer.pk, {"arpu": "5"}, HTTP_IF_MATCH="*").status_code == 200
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.notes, fresh.arpu, fresh.version) == ("甲", 5, 3)


@pytest.mark.parametrize("header", ['"abc"', '"1", "2"', "W/x"])
def test_a_malformed_if_match_is_a_422_and_changes_nothing(admin, header):
    customer = make_customer(admin, name="张三")
    body = assert_error_body(patch(client_for(admin), customer.pk, {"name": "李四"}, HTTP_IF_MATCH=header), 422)
    assert "If-Match" in body["fields"]
    assert Customer.objects.get(pk=customer.pk).name == "张三"
