"""Hotspot analysis over customers' interactions (contact notes of consultations and queries), alone
or with the cases: a keyword planted in the interactions of one week is found as a spike in that
week, and its drill-down lists the interactions of the customers the viewer may read, masked as the
customers app masks them, each linking to the customer's 360."""

import datetime as dt
import random

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.hotspot import selectors
from guanxi.analytics.hotspot.services import hotspot_run_create
from guanxi.analytics.models import HotspotCase, HotspotInteraction
from guanxi.core.errors import ValidationFailed
from guanxi.customers.models import Interaction
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.tests.factories import sales_team

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)  # Monday 2026-06-01, 12:00 in Shanghai
START = dt.date(2026, 3, 2)
SPIKE_WEEK = dt.date(2026, 5, 11)
ORDINARY = ("宽带晚上频繁掉线，影响孩子上网课", "查询上月话费明细，多出40元流量费", "咨询5G畅享套餐升级资费和合约期",
            "小区地下室手机信号差无法通话", "微信充值100元两小时未到账", "光猫LOS灯红灯闪烁无法上网")
STORY = "咨询华星X1手机电池鼓包能否三包换货，联系电话13812345678"


def _interactions(customer, texts_and_days):
    Interaction.objects.bulk_create([
        Interaction(customer=customer, channel="call", subject=text[:30], content=text,
                    occurred_at=dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC)) for text, day in texts_and_days])


@pytest.fixture
def planted(db):
    admin = UserFactory(role=Role.ADMIN)
    _team, manager, (rep, _other) = sales_team()
    rng = random.Random(5)
    with time_machine.travel(NOW, tick=False):
        ordinary = make_customer(admin, name="张三", arpu="30")
        owned = make_customer(rep, name="李四", arpu="30")
        _interactions(ordinary, [(rng.choice(ORDINARY), START + dt.timedelta(weeks=w, days=rng.randrange(7)))
                                 for w in range(13) for _ in range(rng.randint(18, 24))])
        _interactions(owned, [(STORY, SPIKE_WEEK + dt.timedelta(days=n % 7)) for n in range(14)])
        Interaction.objects.create(customer=owned, channel="call", occurred_at=NOW - dt.timedelta(days=3))  # no text
    return {"manager": manager, "owned": owned}


def test_interactions_hotspot_finds_the_planted_keyword_and_drills_down_to_the_customer(planted):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationFailed):
            hotspot_run_create(actor=SYSTEM, start=START, end=dt.date(2026, 5, 31), source="emails")
        run = hotspot_run_create(actor=SYSTEM, start=START, end=dt.date(2026, 5, 31), source="interactions")
    texts = Interaction.objects.exclude(subject="", content="").count()
    assert run.documents == texts and run.params["source"] == "interactions"
    story = {t["id"] for t in run.result["topics"] if "电池鼓包" in t["terms"]}
    spikes = [s for s in selectors.hotspot_spikes(run=run, kind="topic") if int(s["key"]) in story]
    assert [s["week"] for s in spikes] == [SPIKE_WEEK.isoformat()]
    assert "电池鼓包" in {s["label"] for s in selectors.hotspot_spikes(run=run, kind="keyword")}
    assert HotspotInteraction.objects.filter(run=run).count() == texts and not HotspotCase.objects.exists()
    topic = spikes[0]["key"]
    # 李四 is a customer of the manager's team: the 14 contacts, unmasked; the analyst reads them
    # masked; the manager of another sales team nothing.
    mine = list(selectors.hotspot_interaction_list(user=planted["manager"], run=run, topic=topic))
    assert len(mine) == 14 and {i.customer_id for i in mine} == {planted["owned"].pk}
    rows = selectors.hotspot_interaction_rows(user=planted["manager"], interactions=mine[:1])
    assert rows[0]["customer_name"] == "李四" and "13812345678" in rows[0]["content"]
    assert rows[0]["customer_url"] == f"/customers/{planted['owned'].pk}/"
    analyst = UserFactory(role=Role.ANALYST)
    masked = selectors.hotspot_interaction_rows(
        user=analyst, interactions=selectors.hotspot_interaction_list(user=analyst, run=run, topic=topic)[:1])
    assert masked[0]["customer_name"] != "李四" and "13812345678" not in masked[0]["content"]
    assert not selectors.hotspot_interaction_list(user=sales_team()[1], run=run, topic=topic).exists()
    by_keyword = selectors.hotspot_interaction_list(user=planted["manager"], run=run, keyword="电池鼓包")
    assert by_keyword.count() == 14
    # The API and the page: the drill-down of the topic leads to the customer's 360.
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(planted["manager"])
    page = client.get(f"/api/v1/analytics/hotspots/interactions?run={run.pk}&topic={topic}&limit=10").json()
    assert len(page["items"]) == 10 and page["next_cursor"]
    rest = client.get(f"/api/v1/analytics/hotspots/interactions?run={run.pk}&topic={topic}&limit=10"
                      f"&cursor={page['next_cursor']}").json()
    assert len(rest["items"]) == 4 and rest["next_cursor"] is None
    html = client.get(f"/analytics/hotspots/cases/?run={run.pk}&topic={topic}").content.decode()
    assert "客户接触" in html and f"/customers/{planted['owned'].pk}/" in html


def test_both_sources_add_up(planted):
    with time_machine.travel(NOW, tick=False):
        both = hotspot_run_create(actor=SYSTEM, start=START, end=dt.date(2026, 5, 31), source="both")
    assert both.documents == Interaction.objects.exclude(subject="", content="").count()  # no cases here
    assert [s["week"] for s in selectors.hotspot_spikes(run=both, kind="keyword") if s["label"] == "电池鼓包"] == [
        SPIKE_WEEK.isoformat()]
