import datetime as dt
import io

import pytest
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core import personal_access
from guanxi.core.testing import assert_error_body, client_for
from guanxi.customers.tests.factories import make_customer
from guanxi.privacy.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 5, 4, 2, tzinfo=dt.UTC)  # 10:00 in Beijing


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _people(admin, n=3):
    return [make_customer(admin, name=f"客户{i}", mobile=f"1390013900{i}", email=f"k{i}@example.cn",
                          **({"id_type": "resident_id", "id_number": "110105199003071239"} if i == 0 else {}))
            for i in range(n)]


def test_an_unmasked_detail_is_logged_with_who_what_where_and_the_request_id():
    admin = UserFactory(role=Role.ADMIN)
    manager = UserFactory(role=Role.SERVICE_MANAGER, username="jingli")
    person = _people(admin, 1)[0]
    with time_machine.travel(MORNING, tick=False):
        response = client_for(manager).get(f"/api/v1/customers/{person.pk}", HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 200 and response.json()["mobile"].endswith("13900139000")
    row = PersonalDataAccess.objects.get()
    assert (row.user, row.customer_id, row.channel, row.request_id, row.at) == (
        manager, person.pk, "api", "req-abc-123", MORNING)
    assert set(row.fields.split(",")) >= {"mobile", "email", "id_number"}
    page = _signed_in(manager).get(f"/customers/{person.pk}/")  # the 360 page
    assert page.status_code == 200, page.status_code
    assert PersonalDataAccess.objects.filter(channel="page", customer=person).exists()


def test_the_row_is_written_once_the_server_has_sent_the_response():
    """The caller does not wait for the log: the server writes it when it closes the response."""
    admin = UserFactory(role=Role.ADMIN)
    person = _people(admin, 1)[0]
    _, raw = api_token_create(user=UserFactory(role=Role.SERVICE_MANAGER), name="wsgi")
    environ = RequestFactory(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/v1/customers/{person.pk}").environ
    # As the test client does: the test's transaction keeps its connection through the request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: None)
        assert response.status_code == 200 and not PersonalDataAccess.objects.exists()
        response.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    assert PersonalDataAccess.objects.get().customer_id == person.pk


def test_a_log_row_that_cannot_be_written_is_reported(monkeypatch, caplog):
    admin = UserFactory(role=Role.ADMIN)
    person = _people(admin, 1)[0]

    def broken(access):
        raise RuntimeError("database gone")

    monkeypatch.setattr(personal_access, "_writer", broken)
    response = client_for(UserFactory(role=Role.SERVICE_MANAGER)).get(f"/api/v1/customers/{person.pk}")
    assert response.status_code == 200
    assert any(r.levelname == "ERROR" and "access log not written" in r.getMessage() for r in caplog.records)


def test_a_masked_view_logs_nothing_and_a_list_is_one_insert():
    admin = UserFactory(role=Role.ADMIN)
    people = _people(admin)
    agent = client_for(UserFactory(role=Role.AGENT))  # agents see masked numbers
    assert agent.get(f"/api/v1/customers/{people[0].pk}").json()["personal_data_masked"] is True
    assert not PersonalDataAccess.objects.exists()
    manager = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    with CaptureQueriesContext(connection) as queries:
        assert manager.get("/api/v1/customers", {"page_size": 50}).status_code == 200
    inserts = [q for q in queries.captured_queries if "privacy_personaldataaccess" in q["sql"].lower()]
    assert len(inserts) == 1  # one bulk insert for the whole page
    assert set(PersonalDataAccess.objects.values_list("customer_id", flat=True)) == {p.pk for p in people}


def test_an_export_is_one_row_with_its_customers_and_a_filter_finds_it_by_customer():
    admin = UserFactory(role=Role.ADMIN)
    people = _people(admin)
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    response = _signed_in(manager).get("/customers/export.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    row = PersonalDataAccess.objects.get(channel="export")
    assert row.customer_count == 3 and row.customer_id is None
    found = client_for(admin).get("/api/v1/privacy/access-log", {"customer": people[1].pk}).json()
    assert [r["id"] for r in found["items"]] == [row.pk]
    assert sorted(found["items"][0]["customer_ids"]) == sorted(p.pk for p in people)


def test_the_report_filters_by_staff_and_date_walks_to_the_end_and_downloads():
    admin = UserFactory(role=Role.ADMIN)
    people = _people(admin, 5)
    one, other = UserFactory(role=Role.SERVICE_MANAGER, username="zhang"), UserFactory(role=Role.SERVICE_MANAGER)
    for day, user in ((1, one), (2, one), (3, other)):
        with time_machine.travel(MORNING + dt.timedelta(days=day), tick=False):
            for person in people:
                client_for(user).get(f"/api/v1/customers/{person.pk}")
    api = client_for(admin)
    seen, cursor = [], ""
    while True:
        page = api.get("/api/v1/privacy/access-log",
                       {"staff": "zhang", "page_size": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 10 and {r["username"] for r in seen} == {"zhang"}
    day_two = api.get("/api/v1/privacy/access-log", {"date_from": "2026-05-06", "date_to": "2026-05-06"}).json()
    assert day_two["count"] == 5 and {r["username"] for r in day_two["items"]} == {"zhang"}
    csv_file = api.get("/api/v1/privacy/access-log/export", {"format": "csv", "staff": other.username})
    lines = b"".join(csv_file.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 6 and other.username in lines[1]
    xlsx = api.get("/api/v1/privacy/access-log/export", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 16
    page = _signed_in(admin).get("/privacy/access/", {"staff": "zhang"})
    assert page.status_code == 200 and "zhang" in page.content.decode()


def test_only_the_privacy_officer_reads_the_log():
    user = UserFactory(role=Role.SERVICE_MANAGER)
    assert_error_body(client_for(user).get("/api/v1/privacy/access-log"), 403)
    assert_error_body(client_for(user).get("/api/v1/privacy/access-log/export"), 403)
    assert _signed_in(user).get("/privacy/access/").status_code == 403


def test_odd_filters_are_answered_not_500():
    api = client_for(UserFactory(role=Role.ADMIN))
    for params in ({"staff": "9" * 40}, {"date_from": "0001-01-01", "date_to": "9999-12-31"},
                   {"customer": 2**63 - 1}, {"channel": "export", "staff": "无此人"}):
        response = api.get("/api/v1/privacy/access-log", params)
        assert response.status_code == 200 and response.json()["items"] == [], params
    assert api.get("/api/v1/privacy/access-log", {"channel": "fax"}).status_code == 422
