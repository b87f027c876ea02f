"""GET /calendars/{id}/days: working, rest, holiday and make-up (调休) days with their names."""

import datetime as dt

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for
from guanxi.servicedesk.services.calendars import calendar_exception_set
from guanxi.servicedesk.tests.factories import office_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(admin):
    return office_calendar(admin)


def url(calendar):
    return f"/api/v1/calendars/{calendar.pk}/days"


def test_national_day_week_with_its_make_up_days(admin, calendar):
    calendar_exception_set(actor=admin, calendar=calendar, date=dt.date(2025, 9, 30), periods=[(9 * 60, 12 * 60)],
                           note="节前半天")
    response = client_for(UserFactory(role=Role.AGENT)).get(url(calendar), {"from": "2025-09-27", "to": "2025-10-12"})
    assert response.status_code == 200, response.content
    days = {d["date"]: d for d in response.json()["items"]}
    assert len(days) == 16 and response.json()["next_cursor"] is None
    assert days["2025-09-28"]["kind"] == "makeup" and days["2025-09-28"]["is_working"]  # a Sunday
    assert days["2025-09-28"]["name"] == "国庆节调休上班"
    assert days["2025-09-28"]["periods"] == [[540, 720], [810, 1080]]
    assert days["2025-10-01"] == {"date": "2025-10-01", "weekday": 2, "kind": "holiday", "is_working": False,
                                  "name": "国庆节", "periods": []}
    assert days["2025-10-06"]["name"] == "中秋节"
    assert days["2025-10-11"]["kind"] == "makeup"  # a Saturday after the holiday
    assert (days["2025-09-27"]["kind"], days["2025-09-29"]["kind"]) == ("rest", "working")
    assert days["2025-09-30"] | {"periods": None} == {"date": "2025-09-30", "weekday": 1, "kind": "exception",
                                                      "is_working": True, "name": "节前半天", "periods": None}
    assert days["2025-10-12"]["kind"] == "rest"


def test_names_follow_the_callers_language(calendar, admin):
    response = client_for(admin).get(url(calendar), {"from": "2026-10-01", "to": "2026-10-01"},
                                     HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["items"][0]["name"] == "National Day"


def test_a_whole_year_is_walked_page_by_page(calendar, admin):
    client = client_for(admin)
    days, cursor = [], ""
    for _ in range(20):
        body = client.get(url(calendar), {"from": "2028-01-01", "to": "2028-12-31", "limit": 50,
                                          "cursor": cursor}).json()
        days += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(days) == 366  # a leap year
    assert [d["date"] for d in days] == [(dt.date(2028, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(366)]
    assert sum(d["kind"] == "holiday" for d in days) >= 13  # the statutory days (no 调休 data yet)


@pytest.mark.parametrize(("query", "field"), [
    pytest.param({"from": "2026-01-01", "to": "2027-01-02"}, "to", id="367 days"),
    pytest.param({"from": "2026-02-01", "to": "2026-01-01"}, "to", id="backwards"),
    pytest.param({"from": "1800-01-01", "to": "1800-01-02"}, "from", id="before the holiday data"),
    pytest.param({"from": "9999-12-30", "to": "9999-12-31"}, "from", id="far future"),
    pytest.param({"to": "2026-01-01"}, "from", id="no start"),
    pytest.param({"from": "2026-01-01", "to": "2026-01-31", "cursor": "bad"}, "cursor", id="bad cursor"),
    pytest.param({"from": "2026-01-01", "to": "2026-01-31", "cursor": "ZDE6MjAyNy0wMS0wMQ"}, "cursor",
                 id="cursor outside the range"),
])
def test_bad_ranges_are_422(calendar, admin, query, field):
    assert_error_body(client_for(admin).get(url(calendar), query), 422, field)


def test_unknown_calendar_and_no_credentials(calendar, admin):
    assert_error_body(client_for(admin).get("/api/v1/calendars/999999/days", {"from": "2026-01-01",
                                                                             "to": "2026-01-02"}), 404)
    assert_error_body(Client().get(url(calendar), {"from": "2026-01-01", "to": "2026-01-02"}), 401)
