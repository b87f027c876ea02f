"""Input no database column can hold (a NUL character, a time-zone offset past ±15:59) is refused
once for every request: 422 in the API's error shape, 400 for a page; never a 500, nothing written.
SQLite would store it, PostgreSQL fails on it: these tests fail on either without the refusal."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Article, Ticket

pytestmark = pytest.mark.django_db
NUL = "\x00"


def test_a_nul_in_a_json_field_is_a_422_naming_the_field_and_nothing_is_written(admin):
    response = post_json(client_for(admin), "/api/v1/knowledge/articles", {"title": f"a{NUL}b", "body": "正文"})
    assert_error_body(response, 422, "title")
    assert response.json()["code"] == "validation_error"
    assert not Article.objects.exists()


def test_a_nul_deep_in_a_json_body_or_in_a_key_is_refused(admin):
    client = client_for(admin)
    nested = post_json(client, "/api/v1/customers", {"kind": "individual", "name": "张三", "tags": ["VIP", NUL]})
    assert_error_body(nested, 422, "tags.1")
    key = post_json(client, "/api/v1/customers", {"kind": "individual", "name": "张三", f"x{NUL}": 1})
    assert_error_body(key, 422)
    assert not Customer.objects.exists()


@pytest.mark.parametrize("url", [f"/api/v1/customers?q=a{NUL}", f"/api/v1/tickets?q={NUL}&page=1",
                                 "/api/v1/customers?q=a%00b", "/api/v1/warranty/serials/SN%000001"])
def test_a_nul_in_a_query_parameter_or_the_path_is_a_422(admin, url):
    response = client_for(admin).get(url)
    assert_error_body(response, 422)
    assert response.json()["fields"]


def test_a_nul_in_a_multipart_field_is_refused_when_the_body_is_read(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin)
    case = post_json(client, "/api/v1/tickets", {"subject": "发票", "type": "query", "channel": "email"}).json()
    upload = SimpleUploadedFile("账单.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(f"/api/v1/tickets/{case['id']}/attachments", {"body": f"见{NUL}附件", "file": upload})
    assert_error_body(response, 422, "body")
    assert Ticket.objects.get(pk=case["id"]).messages.count() == 0


@pytest.mark.parametrize(("since", "status"), [
    ("2026-11-01T00:00:00+16:00", 422), ("2026-11-01T00:00:00-23:59", 422), ("2026-11-01T00:00+2000", 422),
    ("2026-11-01T00:00:00+15:59", 200), ("2026-11-01T00:00:00-12:00", 200), ("2026-11-01T00:00:00Z", 200),
])
def test_a_time_zone_offset_beyond_15_59_is_a_422(admin, since, status):
    customer = make_customer(admin, name="张三")
    response = client_for(admin).get(f"/api/v1/customers/{customer.pk}/interactions", {"since": since})
    assert response.status_code == status, response.content
    if status == 422:
        assert "since" in response.json()["fields"]


def test_a_nul_in_the_authorization_header_or_a_cookie_is_a_422():
    assert_error_body(Client(HTTP_AUTHORIZATION=f"Bearer gx_{NUL}").get("/api/v1/me"), 422, "Authorization")
    client = Client()
    client.cookies["sessionid"] = f"abcdefgh{NUL}ijk"
    assert_error_body(client.get("/api/v1/me"), 422, "sessionid")


def test_pages_answer_400_with_the_reason_instead_of_a_500(admin):
    client = Client()
    client.force_login(admin)
    listing = client.get("/customers/", {"q": f"张{NUL}"})
    assert listing.status_code == 400
    assert "q" in listing.content.decode()
    form = client.post("/customers/new/", {"kind": "individual", "name": f"张{NUL}三", "mobile": "13800138000"})
    assert form.status_code == 400
    assert not Customer.objects.exists()


def test_a_page_with_a_bad_session_cookie_still_answers_400():
    client = Client()
    client.cookies["sessionid"] = f"abcdefgh{NUL}ijk"
    assert client.get("/customers/").status_code == 400


def test_a_json_body_sent_under_another_content_type_is_checked_too(admin):
    body = json.dumps({"title": f"a{NUL}b", "body": "正文"})
    response = client_for(admin).post("/api/v1/knowledge/articles", data=body, content_type="text/plain")
    assert_error_body(response, 422, "title")
    assert not Article.objects.exists()


def test_a_nul_escaped_in_json_inside_a_field_is_refused(admin):
    """PostgreSQL's jsonb refuses the escape \\u0000 as well: a segment definition passed as text."""
    definition = json.dumps({"match": "all", "rules": [{"field": "tags", "op": "has_any", "value": ["VIP\x00"]}]})
    assert "\\u0000" in definition
    response = client_for(admin).get("/api/v1/segments/preview", {"definition": definition})
    assert_error_body(response, 422, "definition")
