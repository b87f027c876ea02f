"""The dashboard page and its API: status codes, the figures, impossible periods (400), cards and
figures a role may not see (403), Chinese by default."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.testing import client_for
from guanxi.orders.tests.factories import order, world

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 20, 2, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    with time_machine.travel(NOW, tick=False):
        yield


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_cards_of_the_role_in_chinese():
    w = world()
    order(w["rep"], w["customer"], w["product"], quantity=2)
    warehouse_refresh(actor=SYSTEM, full=True)
    default = _page_client(w["manager"]).get("/analytics/").content.decode()
    assert "2026-02" in default and "本期尚未结束" not in default  # the last whole month by default
    page = _page_client(w["manager"]).get("/analytics/", {"period": "month", "start": "2026-03-01"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "领导驾驶舱" in text and "收入与应收" in text and "¥2,000" in text
    assert "本期尚未结束（数据截至 2026-03-20）" in text
    assert "工单量" not in text  # a sales manager has no service cards
    assert 'id="gx-dashboard-data"' in text and "/analytics/dashboard/revenue/records/?period=month" in text
    quarter = _page_client(UserFactory(role=Role.ANALYST)).get("/analytics/", {"period": "quarter",
                                                                             "start": "2026-01-01"})
    assert quarter.status_code == 200 and "2026 Q1" in quarter.content.decode()
    assert _page_client(w["manager"]).get("/analytics/", {"start": "2026-03-02"}).status_code == 400
    assert _page_client(w["rep"]).get("/analytics/").status_code == 403


def test_the_records_page_lists_the_orders_behind_the_revenue():
    w = world()
    made = order(w["rep"], w["customer"], w["product"], quantity=2)
    warehouse_refresh(actor=SYSTEM, full=True)
    page = _page_client(w["manager"]).get("/analytics/dashboard/revenue/records/",
                                          {"period": "month", "start": "2026-03-01"})
    assert page.status_code == 200 and made.number in page.content.decode()
    assert f"/orders/{made.pk}/" in page.content.decode()
    assert _page_client(w["manager"]).get("/analytics/dashboard/cases/records/").status_code == 403
    assert _page_client(w["manager"]).get("/analytics/dashboard/nothing/records/").status_code == 400


def test_the_api_gives_every_figure_and_refuses_impossible_periods():
    w = world()
    order(w["rep"], w["customer"], w["product"], quantity=2)
    warehouse_refresh(actor=SYSTEM, full=True)
    client = client_for(UserFactory(role=Role.ANALYST))
    body = client.get("/api/v1/analytics/dashboard", {"period": "month", "start": "2026-03-01"}).json()
    assert body["period"] == {"kind": "month", "start": "2026-03-01", "end": "2026-04-01", "label": "2026-03"}
    figures = {f["key"]: f for f in body["figures"]}
    assert len(figures) == 8 and figures["revenue"]["value"] == 2000.0 and figures["revenue"]["previous"] == 0.0
    assert figures["revenue"]["change_pct"] is None and len(figures["revenue"]["periods"]) == 12
    one = client.get("/api/v1/analytics/dashboard/revenue", {"period": "year", "start": "2026-01-01"}).json()
    assert one["key"] == "revenue" and one["series"]["revenue"][-1] == 2000.0
    for bad in ({"period": "week"}, {"start": "2026-03-15"}, {"start": "2026-04-01"}, {"start": "1999-01-01"},
                {"start": "not-a-date"}):
        answer = client.get("/api/v1/analytics/dashboard", bad)
        assert answer.status_code in (400, 422), bad
    assert client.get("/api/v1/analytics/dashboard/nothing").status_code == 422
    service = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    assert service.get("/api/v1/analytics/dashboard/revenue").status_code == 403
    assert client_for(w["rep"]).get("/api/v1/analytics/dashboard").status_code == 403
