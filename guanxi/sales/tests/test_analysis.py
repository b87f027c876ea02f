"""The sales analysis (SPEC C.4) against hand-computed figures, and who sees which deals in it.

2030, team T: rep A won 100 000 (product 宽带, channel 直销, created 1 Mar, won 11 Mar: 10 days) and
300 000 (宽带, 直销, created 1 Mar, won 31 Mar: 30 days), lost 50 000 (宽带, 电话销售); rep B won
60 000 (no product, 电话销售, created 1 Apr, won 21 Apr: 20 days). Sales expenses 2030: T 40 000 for
直销 and 20 000 for 电话销售.

By product: 宽带 closed 3, won 2, won amount 400 000, win rate 2/3, average deal 200 000, cycle 20
days; (not set) closed 1, won 1, 60 000. By channel: 直销 won 2 of 2 (cost 40 000 → 20 000 per won
deal), 电话销售 won 1 of 2 (cost 20 000 per won deal). Total: closed 4, won 3, 460 000, cycle
(10 + 30 + 20) / 3 = 20 days.
"""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog.tests.factories import make_product
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import client_for
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import SalesChannel, SalesExpense
from guanxi.sales.selectors.analysis import (
    analysis_report,
    analysis_scope,
    dimension_report,
    funnel_conversion,
    period_range,
    totals,
)
from guanxi.sales.services.opportunities import opportunity_lose, opportunity_move, opportunity_win

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2030, 1, 1), dt.date(2031, 1, 1))


def at(month, day):
    return dt.datetime(2030, month, day, 10, tzinfo=dt.UTC)


@pytest.fixture
def world(admin):
    team, manager, (a, b) = sales_team()
    product = make_product("BB-1", name="宽带")
    direct, tele = SalesChannel.objects.get_or_create(code="direct", defaults={"name": "直销"})[0], \
        SalesChannel.objects.get_or_create(code="telesales", defaults={"name": "电话销售"})[0]
    ca, cb = make_customer(a, name="甲公司"), make_customer(b, name="乙公司")
    won1 = deal(a, ca, amount="100000", product=product, channel=direct, at=at(3, 1))
    opportunity_move(actor=a, opportunity=won1, stage=stage("需求确认"), at=at(3, 5))
    opportunity_win(actor=a, opportunity=won1, at=at(3, 11))
    won2 = deal(a, ca, amount="300000", product=product, channel=direct, at=at(3, 1))
    opportunity_win(actor=a, opportunity=won2, reason=reason("won"), at=at(3, 31))
    lost = deal(a, ca, amount="50000", product=product, channel=tele, at=at(3, 1))
    opportunity_lose(actor=a, opportunity=lost, reason=reason("lost"), at=at(3, 21))
    won3 = deal(b, cb, amount="60000", channel=tele, at=at(4, 1))
    opportunity_win(actor=b, opportunity=won3, at=at(4, 21))
    SalesExpense.objects.create(team=team, month=dt.date(2030, 2, 1), channel=direct, amount=Decimal("40000"))
    SalesExpense.objects.create(team=team, month=dt.date(2030, 5, 1), channel=tele, amount=Decimal("20000"))
    return {"team": team, "manager": manager, "a": a, "b": b, "product": product, "direct": direct, "tele": tele}


def test_periods():
    assert period_range("year", dt.date(2030, 5, 9)) == YEAR
    assert period_range("quarter", dt.date(2030, 5, 9)) == (dt.date(2030, 4, 1), dt.date(2030, 7, 1))
    assert period_range("month", dt.date(2030, 12, 9)) == (dt.date(2030, 12, 1), dt.date(2031, 1, 1))


def test_by_product_and_total(world):
    scope = analysis_scope(user=world["manager"], start=YEAR[0], end=YEAR[1])
    rows = {r.key: r for r in dimension_report(scope=scope, report="product")}
    broadband, unset = rows[world["product"].pk], rows[None]
    assert (broadband.closed, broadband.won, broadband.lost, broadband.won_amount) == (3, 2, 1, Decimal("400000"))
    assert broadband.win_rate == pytest.approx(2 / 3, abs=1e-4) and broadband.average_deal == Decimal("200000")
    assert broadband.cycle_days == pytest.approx(20.0)
    assert (unset.closed, unset.won, unset.won_amount, unset.label) == (1, 1, Decimal("60000"), "(未设置)")
    total = totals(list(rows.values()))
    assert (total.closed, total.won, total.won_amount, total.cycle_days) == (4, 3, Decimal("460000"), 20.0)


def test_by_channel_with_cost_strengths_and_weaknesses(world):
    scope = analysis_scope(user=world["manager"], start=YEAR[0], end=YEAR[1])
    rows = {r.key: r for r in dimension_report(scope=scope, report="channel")}
    direct, tele = rows[world["direct"].pk], rows[world["tele"].pk]
    assert (direct.won, direct.closed, direct.cost, direct.cost_per_won) == (2, 2, Decimal("40000"),
                                                                            Decimal("20000"))
    assert (tele.won, tele.closed, tele.cost, tele.cost_per_won) == (1, 2, Decimal("20000"), Decimal("20000"))
    assert "胜率" in direct.strengths and "胜率" in tele.weaknesses


def test_funnel_conversion_and_time_in_stage(world):
    scope = analysis_scope(user=world["manager"], start=YEAR[0], end=YEAR[1])
    steps = {s.name: s for s in funnel_conversion(scope=scope)}
    first, second = steps["初步接洽"], steps["需求确认"]
    assert first.entered == 4 and second.entered == 1
    assert first.conversion == pytest.approx(0.25)
    assert second.average_days == pytest.approx(6.0)  # 5 Mar to 11 Mar
    assert steps["赢单"].entered == 3


def test_reach_of_each_role(world):
    rep = analysis_report(user=world["b"], report="representative", period="year", day=YEAR[0], team_id=None)
    assert [r.key for r in rep["rows"]] == [world["b"].pk]
    _other_team, other_manager, _reps = sales_team()
    with pytest.raises(PermissionDenied):
        analysis_scope(user=other_manager, start=YEAR[0], end=YEAR[1], team_id=world["team"].pk)
    assert analysis_report(user=other_manager, report="product", period="year", day=YEAR[0],
                           team_id=None)["rows"] == []
    analyst = UserFactory(role=Role.ANALYST)
    assert totals(analysis_report(user=analyst, report="product", period="year", day=YEAR[0],
                                  team_id=None)["rows"]).won == 3
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        analysis_scope(user=agent, start=YEAR[0], end=YEAR[1])


def test_behaviour_and_reasons(world):
    report = analysis_report(user=world["manager"], report="behaviour", period="year", day=YEAR[0], team_id=None)
    rows = {r.user_id: r for r in report["behaviour"]}
    assert (rows[world["a"].pk].created, rows[world["a"].pk].won, rows[world["a"].pk].won_amount) == (
        3, 2, Decimal("400000"))
    assert rows[world["a"].pk].touched == 4  # a move and three closes
    reasons = analysis_report(user=world["manager"], report="reasons", period="year", day=YEAR[0],
                              team_id=None)["reasons"]
    assert sum(r.count for r in reasons if r.status == "won") == 3
    assert sum(r.count for r in reasons if r.status == "lost") == 1


def test_by_customer_group_counts_organisations_apart_and_individuals_as_the_rest(world):
    """甲公司 and 乙公司 are individuals here (the factory's default); an organisation wins 80 000 in 5 days
    and loses one deal: individuals keep the four deals above."""
    a = world["a"]
    org = make_customer(a, kind="organisation", name="丙集团")
    won = deal(a, org, amount="80000", at=at(5, 1))
    opportunity_win(actor=a, opportunity=won, at=at(5, 6))
    opportunity_lose(actor=a, opportunity=deal(a, org, amount="1000", at=at(5, 1)), reason=reason("lost"),
                     at=at(5, 9))
    scope = analysis_scope(user=world["manager"], start=YEAR[0], end=YEAR[1])
    rows = {r.key: r for r in dimension_report(scope=scope, report="customer_group")}
    assert {k: (r.closed, r.won, r.won_amount, r.cycle_days) for k, r in rows.items()} == {
        "organisation": (2, 1, Decimal("80000"), 5.0), "individual": (4, 3, Decimal("460000"), 20.0)}
    own = analysis_scope(user=a, start=YEAR[0], end=YEAR[1])
    lost_only = deal(world["b"], make_customer(world["b"], kind="organisation", name="丁集团"), at=at(6, 1))
    opportunity_lose(actor=world["b"], opportunity=lost_only, reason=reason("lost"), at=at(6, 2))
    mine = {r.key: (r.closed, r.won, r.won_amount, r.cycle_days)
            for r in dimension_report(scope=own, report="customer_group")}
    assert mine == {"organisation": (2, 1, Decimal("80000"), 5.0), "individual": (3, 2, Decimal("400000"), 20.0)}


def test_the_api_answers_every_report_and_refuses_bad_input(world):
    client = client_for(world["manager"])
    for report in ("product", "region", "outlet", "representative", "customer_group", "channel", "partner",
                   "team", "funnel", "reasons", "efficiency", "behaviour"):
        response = client.get(f"/api/v1/sales/analysis/{report}?period=year&start=2030-06-01")
        assert response.status_code == 200, (report, response.content)
    body = client.get("/api/v1/sales/analysis/product?period=year&start=2030-06-01").json()
    assert body["total"]["won_amount"] == "460000.00" or float(body["total"]["won_amount"]) == 460000
    assert client.get("/api/v1/sales/analysis/nothing").status_code == 404
    assert client.get("/api/v1/sales/analysis/product?period=decade").status_code == 422
    other_team, _m, _r = sales_team()
    assert client.get(f"/api/v1/sales/analysis/product?team={other_team.pk}").status_code == 403


def _signed_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_page_draws_each_report_in_chinese_and_drills_down(world):
    client = _signed_in(world["manager"])
    for report in ("product", "channel", "funnel", "reasons", "behaviour", "efficiency"):
        page = client.get(f"/sales/analysis/?report={report}&period=year&start=2030-06-01")
        assert page.status_code == 200 and "销售分析" in page.content.decode()
    page = client.get("/sales/analysis/?report=product&period=year&start=2030-06-01").content.decode()
    assert "宽带" in page and "gx-analysis-data" in page
    drill = client.get(f"/sales/analysis/deals/?closed_after=2030-01-01&closed_before=2031-01-01"
                       f"&product={world['product'].pk}&status=won").content.decode()
    assert drill.count('href="/sales/opportunities/') == 2
    # the heading and the count are in Chinese (the catalogue's entries match what blocktranslate looks up)
    assert "结束于 2030-01-01 至 2031-01-01 之前" in drill and "2 个商机" in drill
    assert "closed from" not in drill and " deals" not in drill
    unset = client.get("/sales/analysis/deals/?closed_after=2030-01-01&closed_before=2031-01-01&product=")
    assert unset.content.decode().count('href="/sales/opportunities/') == 1
    assert client.get("/sales/analysis/deals/").status_code == 400


def test_the_xlsx_export_holds_the_table(world):
    response = _signed_in(world["manager"]).get("/sales/analysis/?report=channel&period=year&start=2030-06-01"
                                                "&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "名称" and {r[0] for r in rows[2:]} == {"直销", "电话销售"}
    assert _signed_in(world["a"]).get("/sales/analysis/?report=channel&format=xlsx").status_code == 403


def test_a_drill_down_shows_nothing_beyond_the_callers_reach(world):
    client = _signed_in(world["b"])
    page = client.get("/sales/analysis/deals/?closed_after=2030-01-01&closed_before=2031-01-01").content.decode()
    assert page.count('href="/sales/opportunities/') == 1
