import io
import json
import zipfile

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.models import Customer
from guanxi.privacy.models import DataRequest

from .world import CONTACT, MOBILE, NAME, person_world

pytestmark = pytest.mark.django_db


def test_the_export_holds_every_kind_of_record_about_the_person():
    world = person_world()
    response = client_for(world["admin"]).get(f"/api/v1/privacy/customers/{world['person'].pk}/export")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    sections = data["sections"]
    for label in ("customers.Customer", "customers.Contact", "customers.Address", "customers.Interaction",
                  "servicedesk.Ticket", "servicedesk.TicketMessage", "orders.Order", "orders.Payment",
                  "surveys.Answer", "portal.PortalAccount", "customers.HistoricalCustomer", "privacy.DataRequest"):
        assert sections.get(label), label
    assert sections["customers.Customer"][0]["mobile"].endswith(MOBILE)  # unmasked: it is the person's own
    assert CONTACT in archive.read("csv/customers.Contact.csv").decode("utf-8-sig")
    export = DataRequest.objects.get(kind=DataRequest.Kind.EXPORT)
    assert (export.status, export.requested_by) == (DataRequest.Status.EXECUTED, world["admin"])


def test_the_erasure_workflow_through_the_api_walks_to_the_end_of_its_list():
    world = person_world()
    api = client_for(world["admin"])
    created = post_json(api, "/api/v1/privacy/requests", {"customer": world["person"].pk, "note": "本人申请"})
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert post_json(api, f"/api/v1/privacy/requests/{request_id}/review", {"approve": True}).status_code == 200
    executed = post_json(api, f"/api/v1/privacy/requests/{request_id}/execute", {})
    assert executed.json()["status"] == "executed"
    assert Customer.objects.get(pk=world["person"].pk).name != NAME
    again = post_json(api, f"/api/v1/privacy/requests/{request_id}/execute", {})
    assert again.json() == executed.json()
    assert_error_body(post_json(api, f"/api/v1/privacy/requests/{request_id}/review", {"approve": True}), 409)
    page = api.get("/api/v1/privacy/requests", {"page_size": 1}).json()
    assert page["items"][0]["id"] == request_id and page["next_cursor"] is None


def test_other_roles_may_neither_export_nor_erase():
    world = person_world()
    manager = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    assert_error_body(manager.get(f"/api/v1/privacy/customers/{world['person'].pk}/export"), 403)
    assert_error_body(post_json(manager, "/api/v1/privacy/requests", {"customer": world["person"].pk}), 403)
    assert not DataRequest.objects.exists()


def test_unknown_customer_and_request_are_404():
    api = client_for(UserFactory(role=Role.ADMIN))
    assert_error_body(api.get("/api/v1/privacy/customers/999999/export"), 404)
    assert_error_body(post_json(api, "/api/v1/privacy/requests/999999/execute", {}), 404)


def test_the_page_files_reviews_and_executes_in_chinese():
    world = person_world()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world["admin"])
    client.post("/privacy/customer/", {"customer": world["person"].pk, "action": "erase"})
    request = DataRequest.objects.get()
    client.post(f"/privacy/requests/{request.pk}/", {"action": "approve"})
    page = client.post(f"/privacy/requests/{request.pk}/", {"action": "execute"}, follow=True)
    assert "个人信息" in page.content.decode() and "已删除" in page.content.decode()
    assert DataRequest.objects.get().status == DataRequest.Status.EXECUTED
    exported = client.post("/privacy/customer/", {"customer": world["person"].pk, "action": "export"})
    assert exported["Content-Type"] == "application/zip"


def test_the_page_is_refused_to_other_roles():
    client = Client()
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get("/privacy/").status_code == 403
