"""Channel partners: isolation of one partner organisation from another across services, API and
pages; their performance; the forecast's arithmetic on constructed series and its fallback."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import client_for
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.tests.factories import make_lead
from guanxi.sales.models import Opportunity
from guanxi.sales.selectors.partners import (
    forecast_series,
    partner_forecast,
    partner_performance,
    year_before,
)
from guanxi.sales.services.opportunities import opportunity_win

from .factories import deal, stage

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(admin):
    ours = TeamFactory(kind=TeamKind.PARTNER, name="鑫达通信")
    theirs = TeamFactory(kind=TeamKind.PARTNER, name="远航通信")
    we, colleague = UserFactory(role=Role.PARTNER, team=ours), UserFactory(role=Role.PARTNER, team=ours)
    rival = UserFactory(role=Role.PARTNER, team=theirs)
    our_deal = deal(we, make_customer(we, name="甲客户"), name="我们的商机")
    their_deal = deal(rival, make_customer(rival, name="乙客户"), name="他们的商机")
    our_lead = make_lead(actor=we, person_name="王五", mobile="13800000001")
    their_lead = make_lead(actor=rival, person_name="赵六", mobile="13800000002")
    return {"ours": ours, "theirs": theirs, "we": we, "colleague": colleague, "rival": rival,
            "our_deal": our_deal, "their_deal": their_deal, "our_lead": our_lead, "their_lead": their_lead,
            "manager": UserFactory(role=Role.SALES_MANAGER, team=TeamFactory(kind=TeamKind.SALES))}


def test_leads_and_deals_carry_the_partner(world):
    assert world["our_deal"].partner_id == world["ours"].pk and world["our_lead"].partner_id == world["ours"].pk


def test_partner_isolation_across_the_api(world):
    client = client_for(world["colleague"])
    ids = [o["id"] for o in client.get("/api/v1/opportunities?limit=200").json()["items"]]
    assert ids == [world["our_deal"].pk]
    assert client.get(f"/api/v1/opportunities/{world['our_deal'].pk}").status_code == 200
    assert client.get(f"/api/v1/opportunities/{world['their_deal'].pk}").status_code == 404
    before = Opportunity.objects.get(pk=world["their_deal"].pk).amount
    response = client.patch(f"/api/v1/opportunities/{world['their_deal'].pk}", {"amount": "1"},
                            content_type="application/json")
    assert response.status_code == 404 and Opportunity.objects.get(pk=world["their_deal"].pk).amount == before
    leads = [lead["id"] for lead in client.get("/api/v1/leads?limit=200").json()["items"]]
    assert leads == [world["our_lead"].pk]
    assert client.get(f"/api/v1/leads/{world['their_lead'].pk}").status_code == 404
    partners = client.get("/api/v1/partners").json()["items"]
    assert [p["id"] for p in partners] == [world["ours"].pk]
    assert client.get(f"/api/v1/partners/{world['theirs'].pk}").status_code == 404
    assert client.get(f"/api/v1/partners/{world['theirs'].pk}/forecast").status_code == 404
    assert client.get(f"/api/v1/partners/{world['ours'].pk}/performance").status_code == 200
    product = client.get("/api/v1/sales/analysis/partner?period=year").json()
    assert [r["key"] for r in product["rows"]] in ([], [world["ours"].pk])


def test_partner_isolation_across_the_pages(world):
    client = signed_in(world["colleague"])
    home = client.get("/sales/partner-home/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "我们的商机" in text and "他们的商机" not in text and "王五" in text and "赵六" not in text
    assert client.get(f"/sales/opportunities/{world['their_deal'].pk}/").status_code == 404
    assert client.get(f"/marketing/leads/{world['their_lead'].pk}/").status_code == 404
    assert client.get(f"/sales/partners/{world['theirs'].pk}/").status_code == 404
    assert client.get(f"/sales/partners/{world['ours'].pk}/").status_code == 200
    response = client.post(f"/sales/partner-home/deals/{world['their_deal'].pk}/", {
        f"deal{world['their_deal'].pk}-stage": stage("需求确认").pk,
        f"deal{world['their_deal'].pk}-amount": "1", f"deal{world['their_deal'].pk}-expected_close_date": "2030-07-01"})
    assert response.status_code == 404
    assert client.get("/").status_code == 200 and "代理商首页" in client.get("/").content.decode()


def test_a_partner_updates_its_deal_from_its_home(world):
    deal_ = world["our_deal"]
    client = signed_in(world["colleague"])
    response = client.post(f"/sales/partner-home/deals/{deal_.pk}/", {
        f"deal{deal_.pk}-stage": stage("需求确认").pk, f"deal{deal_.pk}-amount": "23456.00",
        f"deal{deal_.pk}-expected_close_date": "2030-08-01"})
    assert response.status_code == 302
    deal_.refresh_from_db()
    assert (deal_.stage.name, deal_.amount, deal_.expected_close_date) == ("需求确认", Decimal("23456.00"),
                                                                          dt.date(2030, 8, 1))
    response = client.post(f"/sales/partner-home/deals/{deal_.pk}/", {
        f"deal{deal_.pk}-stage": stage("方案报价").pk, f"deal{deal_.pk}-amount": "-5",
        f"deal{deal_.pk}-expected_close_date": "2030-08-01"})
    deal_.refresh_from_db()
    assert deal_.stage.name == "需求确认" and deal_.amount == Decimal("23456.00")


def test_managers_see_every_partner_and_representatives_none(world):
    manager = client_for(world["manager"])
    assert len(manager.get("/api/v1/partners").json()["items"]) == 2
    page = signed_in(world["manager"]).get("/sales/partners/")
    assert page.status_code == 200 and "鑫达通信" in page.content.decode() and "远航通信" in page.content.decode()
    rep = UserFactory(role=Role.SALES_REP)
    assert client_for(rep).get("/api/v1/partners").json()["items"] == []
    assert signed_in(rep).get("/sales/partners/").status_code == 403


def test_performance_against_hand_computed_figures(world):
    at = dt.datetime(2030, 3, 1, 10, tzinfo=dt.UTC)
    for amount, days in (("100000", 10), ("50000", 30)):
        won = deal(world["we"], world["our_deal"].customer, amount=amount, at=at)
        opportunity_win(actor=world["we"], opportunity=won, at=at + dt.timedelta(days=days))
    row = partner_performance(user=world["manager"], start=dt.date(2030, 1, 1), end=dt.date(2031, 1, 1),
                              partner_id=world["ours"].pk)[0]
    assert (row.won, row.closed, row.won_amount, row.average_deal, row.cycle_days) == (
        2, 2, Decimal("150000"), Decimal("75000"), 20.0)
    assert row.open_count == 1


def test_forecast_of_a_constant_series_is_the_constant():
    for mean, lower, upper in forecast_series([100.0] * 18, 3):
        assert mean == pytest.approx(100.0, abs=0.01) and lower <= mean <= upper


def test_forecast_of_a_trend_continues_it_within_its_interval():
    values = [100 + 10 * i + (5 if i % 2 else -5) for i in range(24)]  # 100, 115, 115, 135, …, 335
    steps = forecast_series(values, 3)
    means = [m for m, _lo, _hi in steps]
    assert means[0] < means[1] < means[2]
    for expected, (mean, lower, upper) in zip((340, 350, 360), steps, strict=True):
        assert mean == pytest.approx(expected, rel=0.03) and lower < mean < upper
        assert upper - lower < 40  # the noise is ±5: a narrow interval


def test_forecast_intervals_never_go_below_zero():
    for _mean, lower, _upper in forecast_series([0, 0, 50, 0, 80, 0, 0, 120, 30, 0, 0, 90, 60, 0, 40], 4):
        assert lower >= 0


def test_a_partner_with_too_little_history_gets_the_reason_not_numbers(world):
    result = partner_forecast(user=world["we"], partner_id=world["ours"].pk, today=dt.date(2030, 7, 15))
    assert not result.available and result.points == [] and "历史数据不足" in result.reason
    body = client_for(world["we"]).get(f"/api/v1/partners/{world['ours'].pk}/forecast").json()
    assert body["available"] is False and body["forecast"] == [] and body["reason"]


def test_a_partner_with_two_years_gets_a_forecast(world):
    first = dt.datetime(2028, 1, 10, 10, tzinfo=dt.UTC)
    customer = world["our_deal"].customer
    for month in range(24):
        at = first + dt.timedelta(days=30 * month)
        won = deal(world["we"], customer, amount=str(10000 + 500 * month), at=at)
        opportunity_win(actor=world["we"], opportunity=won, at=at + dt.timedelta(days=5))
    result = partner_forecast(user=world["manager"], partner_id=world["ours"].pk, horizon=4,
                              today=dt.date(2030, 1, 20))
    assert result.available and len(result.points) == 4
    assert result.points[0].month == dt.date(2030, 1, 1)
    assert all(p.lower <= p.mean <= p.upper for p in result.points)
    assert Decimal("15000") < result.points[0].mean < Decimal("30000")
    web = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    with time_machine.travel(dt.datetime(2030, 1, 20, 10, tzinfo=dt.UTC), tick=False):
        web.force_login(world["manager"])  # signed in on the day (a session of today would have expired)
        page = web.get(f"/sales/partners/{world['ours'].pk}/").content.decode()
    assert "80% 区间" in page and "interval" not in page  # the table's heading, as the chart's legend


def test_the_year_up_to_a_leap_day_starts_on_28_february():
    assert year_before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    assert year_before(dt.date(2027, 3, 1)) == dt.date(2026, 3, 1)


def test_the_partner_page_and_performance_on_the_eve_of_a_leap_day(world):
    """The default period is the twelve months up to tomorrow: tomorrow is 29 February 2028."""
    with time_machine.travel(dt.datetime(2028, 2, 28, 12, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        assert signed_in(world["colleague"]).get(f"/sales/partners/{world['ours'].pk}/").status_code == 200
        response = client_for(world["we"]).get(f"/api/v1/partners/{world['ours'].pk}/performance")
        assert response.status_code == 200, response.content
