"""The weighted forecast, quotas and attainment, and the funnel against hand-computed figures.

The team (June 2030): A has 100 000 at 50 % (方案报价) and 40 000 at 25 % (需求确认) due in June,
80 000 at 75 % (商务谈判) due in July, and won 200 000 on 20 June; B has 33 333.33 at 10 % (初步接洽)
due in June and lost 50 000 in June. Quotas for June: team 500 000, A 250 000, B 100 000.

June, team: pipeline 100 000 + 40 000 + 33 333.33 = 173 333.33; weighted 50 000 + 10 000 +
3 333.333 = 63 333.33; won 200 000; attainment 200 000 / 500 000 = 40 %; expected 263 333.33.
July, team: pipeline 80 000, weighted 60 000, nothing won, no quota.
"""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.selectors.forecast import forecast, forecast_by_rep, funnel, periods
from guanxi.sales.services.opportunities import opportunity_lose, opportunity_win
from guanxi.sales.services.quotas import quota_set

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db
MAY = dt.datetime(2030, 5, 1, 10, tzinfo=dt.UTC)
JUNE_20 = dt.datetime(2030, 6, 20, 10, tzinfo=dt.UTC)


@pytest.fixture
def world(admin):
    team, manager, (a, b) = sales_team()
    customer_a, customer_b = make_customer(a, name="甲公司"), make_customer(b, name="乙公司")
    deal(a, customer_a, amount="100000", close=dt.date(2030, 6, 10), stage=stage("方案报价"), at=MAY)
    deal(a, customer_a, amount="40000", close=dt.date(2030, 6, 30), stage=stage("需求确认"), at=MAY)
    deal(a, customer_a, amount="80000", close=dt.date(2030, 7, 5), stage=stage("商务谈判"), at=MAY)
    deal(b, customer_b, amount="33333.33", close=dt.date(2030, 6, 15), at=MAY)
    won = deal(a, customer_a, amount="200000", close=dt.date(2030, 6, 1), at=MAY)
    opportunity_win(actor=a, opportunity=won, at=JUNE_20)
    lost = deal(b, customer_b, amount="50000", close=dt.date(2030, 6, 1), at=MAY)
    opportunity_lose(actor=b, opportunity=lost, reason=reason("lost"), at=JUNE_20)
    june = dt.date(2030, 6, 1)
    quota_set(actor=manager, period="month", period_start=june, amount=Decimal("500000"), team=team)
    quota_set(actor=manager, period="month", period_start=june, amount=Decimal("250000"), user=a)
    quota_set(actor=manager, period="month", period_start=june, amount=Decimal("100000"), user=b)
    return {"team": team, "manager": manager, "a": a, "b": b}


def test_the_team_forecast_per_month(world):
    june, july = forecast(user=world["manager"], kind="month", first=dt.date(2030, 6, 12), count=2,
                          team_id=world["team"].pk)
    assert (june.label, june.start, june.end) == ("2030-06", dt.date(2030, 6, 1), dt.date(2030, 7, 1))
    assert (june.pipeline, june.weighted, june.won, june.quota) == (
        Decimal("173333.33"), Decimal("63333.33"), Decimal("200000"), Decimal("500000"))
    assert june.attainment == pytest.approx(0.4) and june.expected == Decimal("263333.33")
    assert (july.pipeline, july.weighted, july.won, july.quota, july.attainment) == (
        Decimal("80000"), Decimal("60000.00"), Decimal("0"), None, None)


def test_a_quarter_adds_its_months_and_has_its_own_quota(world):
    (q2,) = forecast(user=world["manager"], kind="quarter", first=dt.date(2030, 5, 3), count=1,
                     team_id=world["team"].pk)
    assert (q2.label, q2.start, q2.end) == ("2030 Q2", dt.date(2030, 4, 1), dt.date(2030, 7, 1))
    assert (q2.weighted, q2.won, q2.quota) == (Decimal("63333.33"), Decimal("200000"), None)


def test_each_representative_against_their_quota(world):
    rows = {r.user.pk: r for r in forecast_by_rep(user=world["manager"], kind="month", start=dt.date(2030, 6, 1),
                                                  team_id=world["team"].pk)}
    a, b = rows[world["a"].pk], rows[world["b"].pk]
    assert (a.weighted, a.won, a.quota, a.attainment) == (Decimal("60000.00"), Decimal("200000"),
                                                          Decimal("250000"), pytest.approx(0.8))
    assert (b.weighted, b.won, b.attainment) == (Decimal("3333.33"), Decimal("0"), 0.0)
    assert world["manager"].pk not in rows or rows[world["manager"].pk].won == 0


def test_a_representative_sees_their_own_forecast_only(world):
    (june,) = forecast(user=world["b"], kind="month", first=dt.date(2030, 6, 1), count=1, owner_id=world["b"].pk)
    assert (june.weighted, june.won, june.quota) == (Decimal("3333.33"), Decimal("0"), Decimal("100000"))
    with pytest.raises(PermissionDenied):
        forecast(user=world["b"], kind="month", first=dt.date(2030, 6, 1), count=1, owner_id=world["a"].pk)
    with pytest.raises(PermissionDenied):
        forecast(user=world["b"], kind="month", first=dt.date(2030, 6, 1), count=1, team_id=world["team"].pk)


def test_the_funnel_counts_open_deals_per_open_stage(world):
    rows = {r.name: (r.count, r.amount, r.weighted) for r in funnel(user=world["manager"], team_id=world["team"].pk)}
    assert rows == {"初步接洽": (1, Decimal("33333.33"), Decimal("3333.33")),
                    "需求确认": (1, Decimal("40000"), Decimal("10000.00")),
                    "方案报价": (1, Decimal("100000"), Decimal("50000.00")),
                    "商务谈判": (1, Decimal("80000"), Decimal("60000.00"))}


def test_periods_roll_over_the_year():
    assert periods("quarter", dt.date(2030, 11, 5), 2) == [(dt.date(2030, 10, 1), dt.date(2031, 1, 1)),
                                                          (dt.date(2031, 1, 1), dt.date(2031, 4, 1))]


def test_quotas_refuse_bad_periods_and_negative_amounts(world):
    for kwargs in ({"period_start": dt.date(2030, 6, 2)}, {"period": "quarter", "period_start": dt.date(2030, 5, 1)},
                   {"amount": Decimal("-1")}):
        args = {"period": "month", "period_start": dt.date(2030, 6, 1), "amount": Decimal(1), **kwargs}
        with pytest.raises(ValidationFailed):
            quota_set(actor=world["manager"], team=world["team"], **args)
    other_team = sales_team()[0]
    with pytest.raises(PermissionDenied):
        quota_set(actor=world["manager"], period="month", period_start=dt.date(2030, 6, 1), amount=Decimal(1),
                  team=other_team)
