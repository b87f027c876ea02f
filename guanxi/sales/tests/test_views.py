"""The sales pages: the board (a move posted as the board's htmx form does, a refused move with its
message), an opportunity's page with move / win / lose, the forms, and the forecast page."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import Opportunity
from guanxi.sales.selectors.opportunities import BOARD_CARDS
from guanxi.sales.services.opportunities import opportunity_win

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    team, manager, (rep, other) = sales_team()
    return {"team": team, "manager": manager, "rep": rep, "other": other, "deal": deal(rep, amount="88000")}


def test_the_team_board_shows_columns_with_totals_and_cards(world):
    page = signed_in(world["manager"]).get(reverse("sales:board"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="gx-board-column') == 6
    assert f'data-opportunity="{world["deal"].pk}"' in html and "¥88,000" in html
    assert 'draggable="true"' in html


def test_a_card_dropped_on_a_column_moves_the_deal(world):
    client = signed_in(world["rep"])
    response = client.post(reverse("sales:board_move"), {
        "opportunity": world["deal"].pk, "stage": stage("方案报价").pk, "owner": world["rep"].pk},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="gx-board"' in response.content.decode()
    assert Opportunity.objects.get().stage.name == "方案报价"
    response = client.post(reverse("sales:board_move"), {
        "opportunity": world["deal"].pk, "stage": stage("赢单").pk, "owner": world["rep"].pk})
    assert Opportunity.objects.get().status == "won"


def test_a_refused_move_comes_back_with_its_reason_and_changes_nothing(world):
    before = Opportunity.objects.values().get()
    lost = signed_in(world["rep"]).post(reverse("sales:board_move"), {
        "opportunity": world["deal"].pk, "stage": stage("丢单").pk})
    assert 'id="gx-board-message"' in lost.content.decode()
    stranger = signed_in(world["other"]).post(reverse("sales:board_move"), {
        "opportunity": world["deal"].pk, "stage": stage("方案报价").pk, "team": world["team"].pk})
    assert 'id="gx-board-message"' in stranger.content.decode()
    assert Opportunity.objects.values().get() == before


def test_the_deal_page_moves_wins_and_refuses_a_loss_without_reason(world):
    client, pk = signed_in(world["rep"]), world["deal"].pk
    page = client.get(reverse("sales:opportunity", args=[pk]))
    assert page.status_code == 200 and 'id="gx-stage-history"' in page.content.decode()
    client.post(reverse("sales:opportunity_move", args=[pk]), {"stage": stage("商务谈判").pk})
    assert Opportunity.objects.get().probability == 75
    client.post(reverse("sales:opportunity_lose", args=[pk]), {"lose-note": "没有原因"})
    assert Opportunity.objects.get().status == "open"
    client.post(reverse("sales:opportunity_lose", args=[pk]), {"lose-reason": reason("lost").pk})
    assert Opportunity.objects.get().status == "lost"
    assert signed_in(UserFactory(role=Role.SALES_REP)).get(reverse("sales:opportunity", args=[pk])).status_code \
        == 404


def test_opening_and_editing_a_deal_through_the_forms(world):
    client = signed_in(world["rep"])
    customer = make_customer(world["rep"], name="新客户")
    bad = client.post(reverse("sales:opportunity_create"), {
        "customer": customer.pk, "name": "云电脑", "amount": "-1", "expected_close_date": "2030-01-31"})
    assert bad.status_code == 200 and Opportunity.objects.count() == 1
    response = client.post(reverse("sales:opportunity_create"), {
        "customer": customer.pk, "name": "云电脑", "amount": "5000", "expected_close_date": "2030-01-31",
        "competitors": "中国移动：报价低\n本地 ISP"})
    created = Opportunity.objects.get(name="云电脑")
    assert response.status_code == 302 and created.competitors.count() == 2
    client.post(reverse("sales:opportunity_edit", args=[created.pk]), {
        "name": "云电脑 50 台", "amount": "6000", "expected_close_date": "2030-02-28", "probability": "35"})
    created.refresh_from_db()
    assert (created.name, created.probability, created.competitors.count()) == ("云电脑 50 台", 35, 0)


def test_the_forecast_page_draws_from_its_json_blocks(world):
    page = signed_in(world["manager"]).get(reverse("sales:forecast"), {"period": "quarter"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="gx-forecast-data"' in html and 'id="gx-funnel-data"' in html and 'id="gx-rep-table"' in html
    marker = 'id="gx-funnel-data" type="application/json">'
    start = html.index(marker) + len(marker)
    funnel = json.loads(html[start:html.index("</script>", start)])
    assert funnel[0] == {"name": "初步接洽", "value": 1, "amount": 88000.0}
    assert signed_in(UserFactory(role=Role.AGENT)).get(reverse("sales:forecast")).status_code == 403


def column_html(html: str, stage_id: int) -> str:
    """The markup of one board column."""
    pattern = rf'<section class="gx-board-column[^"]*"\s+data-stage="{stage_id}".*?</section>'
    return re.search(pattern, html, re.S).group(0)


def test_a_column_with_more_deals_than_cards_shows_the_first_cards_its_totals_and_a_more_link(world):
    rep, first = world["rep"], world["deal"].stage
    customer = world["deal"].customer
    for i in range(BOARD_CARDS + 1):
        deal(rep, customer, amount="1000", close=dt.date(2030, 1, 1) + dt.timedelta(days=i), name=f"线路{i:02d}")
    client = signed_in(world["manager"])
    html = client.get(reverse("sales:board"), {"team": world["team"].pk}).content.decode()
    column = column_html(html, first.pk)
    assert column.count('class="card gx-board-card') == BOARD_CARDS
    assert f'<span class="badge text-bg-light">{BOARD_CARDS + 2}</span>' in column
    assert f"¥{88000 + 1000 * (BOARD_CARDS + 1):,}" in column
    assert "线路00" in column and f"线路{BOARD_CARDS - 1:02d}" in column  # soonest close first
    assert f"线路{BOARD_CARDS:02d}" not in column and f'data-opportunity="{world["deal"].pk}"' not in column
    more = re.search(r'<a class="small d-block text-center gx-board-more" href="([^"]+)"', column)
    assert more and "还有 2 个" in column
    listing = client.get(more.group(1).replace("&amp;", "&"))
    assert listing.status_code == 200
    rows = re.findall(r'<tr data-opportunity="(\d+)">', listing.content.decode())
    assert len(rows) == BOARD_CARDS + 2 and int(rows[-1]) == world["deal"].pk  # the column's order: 2030-06-15 last


def test_the_won_column_shows_only_recent_deals_and_a_column_list_stays_within_reach(world):
    rep, now = world["rep"], dt.datetime.now(dt.UTC)
    old = deal(rep, world["deal"].customer, amount="5000", name="旧单", at=now - dt.timedelta(days=90))
    opportunity_win(actor=rep, opportunity=old, at=now - dt.timedelta(days=40))
    opportunity_win(actor=rep, opportunity=world["deal"])
    won = stage("赢单")
    column = column_html(signed_in(rep).get(reverse("sales:board"), {"owner": rep.pk}).content.decode(), won.pk)
    assert f'data-opportunity="{world["deal"].pk}"' in column and "旧单" not in column and "¥88,000" in column
    stranger = signed_in(world["other"]).get(reverse("sales:board_column"), {"owner": rep.pk, "stage": won.pk})
    assert stranger.status_code == 200 and "data-opportunity=" not in stranger.content.decode()
    assert signed_in(rep).get(reverse("sales:board_column"), {"stage": "x"}).status_code == 400
    assert signed_in(rep).get(reverse("sales:board_column"), {"stage": 10**9}).status_code == 404
