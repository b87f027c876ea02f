"""Hotspot analysis: keywords with the domain dictionary, topics and spikes (pure), a run over real
cases that finds a planted spike in the week it starts, and the drill-down to the cases within the
viewer's scope with their numbers masked."""

import datetime as dt
import random

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.hotspot import selectors
from guanxi.analytics.hotspot.analysis import Params, documents_build, hotspot_analyse
from guanxi.analytics.hotspot.services import hotspot_run_create
from guanxi.analytics.hotspot.text import keywords, normalized
from guanxi.analytics.models import HotspotCase, HotspotRun
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Ticket

NOW = dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)  # Monday 2026-06-01, 12:00 in Shanghai
START = dt.date(2026, 3, 2)  # a Monday, 13 weeks before
SPIKE_WEEK = dt.date(2026, 5, 11)
ORDINARY = ("宽带晚上频繁掉线，影响孩子上网课", "查询上月话费明细，多出40元流量费", "咨询5G畅享套餐升级资费和合约期",
            "小区地下室手机信号差无法通话", "微信充值100元两小时未到账", "光猫LOS灯红灯闪烁无法上网")
STORY = "华星X1手机电池鼓包，续航不足半天，要求按三包换货，联系电话13812345678"


def _rows(seed=3, spike=True):
    rng = random.Random(seed)
    rows = []
    for week in range(13):
        for _ in range(rng.randint(18, 24)):
            day = START + dt.timedelta(weeks=week, days=rng.randrange(7))
            rows.append((len(rows), day, rng.choice(ORDINARY), "query", "small", "宽带", "一组"))
    if spike:
        for n in range(14):
            day = SPIKE_WEEK + dt.timedelta(days=n % 7)
            rows.append((len(rows), day, STORY, "complaint", "vip", "终端维修", "二组"))
    return rows


def _analyse(rows):
    docs = documents_build(rows, keywords, ("type", "tier", "category", "team"), normalized)
    return hotspot_analyse(docs, start=START, end=START + dt.timedelta(weeks=13, days=-1), params=Params(seed=1))


def test_keywords_keep_domain_terms_whole_and_drop_stop_words_and_numbers():
    words = keywords(STORY)
    assert {"华星X1", "电池鼓包", "续航", "三包", "换货"} <= set(words)
    assert not {"要求", "联系电话", "客户"} & set(words)
    assert not any(ch.isdigit() for w in words for ch in w if w not in {"华星X1"})


def test_planted_spike_is_found_in_the_week_it_starts_and_nowhere_else():
    result = _analyse(_rows())["result"]
    story = {s["key"] for s in result["spikes"] if s["kind"] == "keyword"}
    assert {"华星X1", "电池鼓包"} <= story
    assert {s["week"] for s in result["spikes"]} == {SPIKE_WEEK.isoformat()}
    topic = next(t for t in result["topics"] if "华星X1" in t["terms"])
    assert topic["count"] == 14
    assert topic["concentration"]["category"][0] == {"name": "终端维修", "count": 14, "share": 1.0}
    assert topic["concentration"]["tier"][0]["name"] == "vip"
    assert any(s["kind"] == "topic" and s["key"] == topic["id"] for s in result["spikes"])


def test_no_spike_without_a_surge_and_the_same_seed_gives_the_same_topics():
    flat = _analyse(_rows(spike=False))
    assert flat["result"]["spikes"] == []
    again = _analyse(_rows(spike=False))
    assert again["result"] == flat["result"]
    assert (again["assignments"][1] == flat["assignments"][1]).all()


def _load_cases(agent, customer, rows, prefix):
    """Cases for `rows` (id ignored, day, text, type), opened at noon of their day."""
    tickets = [Ticket(number=f"{prefix}{n:06d}", subject=text[:40], description=text, type=kind, channel="hotline",
                      customer=customer, owner=agent) for n, (_i, _day, text, kind, *_rest) in enumerate(rows)]
    Ticket.objects.bulk_create(tickets)
    for ticket, (_i, day, *_rest) in zip(tickets, rows, strict=True):
        opened = dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=opened)
    return tickets


@pytest.fixture
def planted(db):
    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    rep = UserFactory(role=Role.SALES_REP)
    with time_machine.travel(NOW, tick=False):
        ordinary = make_customer(admin, name="张三", arpu="30")
        owned = make_customer(admin, name="李四", arpu="30")
        owned.owner = rep
        owned.save(update_fields=["owner"])
        rows = _rows()
        story = [r for r in rows if r[2] == STORY]
        _load_cases(agent, ordinary, [r for r in rows if r[2] != STORY], "A")
        _load_cases(agent, owned, story, "B")
        run = hotspot_run_create(actor=SYSTEM, start=START, end=dt.date(2026, 5, 31))
    return {"run": run, "rep": rep}


def test_a_run_over_the_cases_finds_the_spike_and_drills_down_within_scope_masked(planted):
    run = planted["run"]
    assert run.status == HotspotRun.Status.DONE and run.documents == Ticket.objects.count()
    spikes = selectors.hotspot_spikes(run=run, kind="topic")
    assert [s["week"] for s in spikes] == [SPIKE_WEEK.isoformat()]
    topic = spikes[0]["key"]
    analyst = UserFactory(role=Role.ANALYST)  # reads every case, no personal data
    cases = list(selectors.hotspot_case_list(user=analyst, run=run, topic=topic))
    assert len(cases) == 14 and {c.description for c in cases} == {STORY}
    rows = selectors.hotspot_case_rows(user=analyst, tickets=cases)
    assert "13812345678" not in rows[0]["description"] and "华星X1" in rows[0]["description"]
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    assert "13812345678" in selectors.hotspot_case_rows(user=manager, tickets=cases[:1])[0]["description"]
    by_keyword = selectors.hotspot_case_list(user=analyst, run=run, keyword="电池鼓包", start=SPIKE_WEEK,
                                             end=SPIKE_WEEK + dt.timedelta(days=6))
    assert by_keyword.count() == 14
    # A sales manager lists only the cases of the customers in their scope: none of these.
    sales_manager = UserFactory(role=Role.SALES_MANAGER)
    assert not selectors.hotspot_case_list(user=sales_manager, run=run, topic=topic).exists()


def test_series_by_week_and_month_fold_the_days_with_density(planted):
    run = planted["run"]
    weekly = selectors.hotspot_series(run=run, unit="week")
    assert weekly["buckets"][0] == START.isoformat() and len(weekly["buckets"]) == 13
    assert sum(weekly["totals"]) == run.documents
    term = next(k for k in weekly["keywords"] if k["term"] == "电池鼓包")
    spike_at = weekly["buckets"].index(SPIKE_WEEK.isoformat())
    assert term["counts"][spike_at] == 14 and sum(term["counts"]) == 14
    assert term["density"][spike_at] == round(100 * 14 / weekly["totals"][spike_at], 2)
    monthly = selectors.hotspot_series(run=run, unit="month")
    assert monthly["buckets"] == ["2026-03-01", "2026-04-01", "2026-05-01"]
    assert sum(monthly["totals"]) == run.documents
    with pytest.raises(ValidationFailed):
        selectors.hotspot_series(run=run, unit="year")


def test_only_roles_allowed_run_or_read_and_a_new_run_replaces_the_drill_down_rows(planted):
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        selectors.hotspot_run_latest(user=agent)
    with pytest.raises(PermissionDenied):
        hotspot_run_create(actor=UserFactory(role=Role.TEAM_LEAD))
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationFailed):
            hotspot_run_create(actor=SYSTEM, start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1))
        second = hotspot_run_create(actor=UserFactory(role=Role.ANALYST), start=START, end=dt.date(2026, 5, 31))
    assert set(HotspotCase.objects.values_list("run_id", flat=True).distinct()) == {second.pk}
    assert HotspotRun.objects.filter(status="done").count() == 2


def _browser(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_api_lists_walk_to_their_end_and_the_cases_are_scoped_and_masked(planted):
    from guanxi.core.testing import assert_error_body, client_for

    run = planted["run"]
    client = client_for(UserFactory(role=Role.ANALYST))
    summary = client.get("/api/v1/analytics/hotspots?unit=month").json()
    assert summary["id"] == run.pk and summary["buckets"] == ["2026-03-01", "2026-04-01", "2026-05-01"]
    terms, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/analytics/hotspots/keywords?limit=7&cursor={cursor}").json()
        terms += [k["term"] for k in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert terms == [k["term"] for k in run.result["keywords"]]
    spikes = client.get("/api/v1/analytics/hotspots/spikes?kind=topic").json()["items"]
    assert [s["week"] for s in spikes] == [SPIKE_WEEK.isoformat()]
    cases, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/analytics/hotspots/cases?topic={spikes[0]['key']}&limit=5&cursor={cursor}").json()
        cases += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(cases) == 14 and len({c["id"] for c in cases}) == 14
    assert all("13812345678" not in c["description"] for c in cases)
    assert_error_body(client.get("/api/v1/analytics/hotspots/cases"), 422)
    assert_error_body(client.get("/api/v1/analytics/hotspots?unit=year"), 422)
    assert_error_body(client.get("/api/v1/analytics/hotspots/keywords?cursor=abc"), 422)
    assert client_for(UserFactory(role=Role.AGENT)).get("/api/v1/analytics/hotspots").status_code == 403


def test_api_refuses_an_impossible_period_and_runs_nothing(planted):
    from guanxi.core.testing import assert_error_body, client_for, post_json

    with time_machine.travel(NOW, tick=False):
        client = client_for(UserFactory(role=Role.ANALYST))
        response = post_json(client, "/api/v1/analytics/hotspots/runs", {"start": "2026-05-01", "end": "2026-04-01"})
        assert_error_body(response, 422)
        response = post_json(client_for(UserFactory(role=Role.TEAM_LEAD)), "/api/v1/analytics/hotspots/runs", {})
        assert response.status_code == 403
    assert HotspotRun.objects.count() == 1


def test_page_in_chinese_with_the_spike_and_the_drill_down_to_case_pages(planted):
    run = planted["run"]
    client = _browser(UserFactory(role=Role.SERVICE_MANAGER))
    page = client.get("/analytics/hotspots/?unit=week").content.decode()
    assert "焦点分析" in page and "gx-hotspot-topics" in page and SPIKE_WEEK.isoformat() in page
    assert "Hotspot" not in page and "Spikes" not in page
    topic = selectors.hotspot_spikes(run=run, kind="topic")[0]["key"]
    cases = client.get(f"/analytics/hotspots/cases/?run={run.pk}&topic={topic}").content.decode()
    assert cases.count("/service/") >= 14 and "13812345678" in cases  # a service manager sees numbers
    masked = _browser(UserFactory(role=Role.ANALYST)).get(f"/analytics/hotspots/cases/?topic={topic}")
    assert masked.status_code == 200 and "13812345678" not in masked.content.decode()
    assert client.get("/analytics/hotspots/cases/?topic=x").status_code == 400
    assert _browser(UserFactory(role=Role.AGENT)).get("/analytics/hotspots/").status_code == 403
