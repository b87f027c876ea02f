"""Workbench API and pages: analysts run analyses (inline without Redis), read their quality and
reasons, walk the customers to the end within their scope with names masked, and save segments;
other roles are refused and nothing changes; bad input is a 4xx with the field named."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.churn.synthetic import plant_customers
from guanxi.analytics.models import MiningAnalysis
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.segments.models import Segment

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
URL = "/api/v1/analytics/workbench"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    plant_customers(400, seed=6, cutoff=NOW - dt.timedelta(days=90))
    return {"analyst": UserFactory(role=Role.ANALYST), "rep": UserFactory(role=Role.SALES_REP)}


def _browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _run(client, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, f"{URL}/analyses", {"name": "API试验", "params": {"seed": 1}, **body})
    assert response.status_code == 201, response.content
    return client.get(f"{URL}/analyses/{response.json()['id']}").json()


def test_an_analyst_runs_reads_walks_and_saves(world, django_capture_on_commit_callbacks):
    client = client_for(world["analyst"])
    catalogue = client.get(f"{URL}/catalogue").json()
    assert {t["name"] for t in catalogue["targets"]} >= {"churned", "arpu", "satisfaction", "bought_category"}
    assert len(catalogue["features"]) == 15
    analysis = _run(client, django_capture_on_commit_callbacks, kind="ranking", target="churned")
    assert analysis["status"] == "done" and analysis["metrics"]["auc"] > 0.7
    assert analysis["reasons"]["importance"][0]["mean_abs_shap"] > 0
    seen, cursor = [], ""
    while True:
        page = client.get(f"{URL}/analyses/{analysis['id']}/customers", {"limit": 150, "cursor": cursor}).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i["rank"] for i in seen] == list(range(1, analysis["scored"] + 1))
    # an analyst does not see personal data: individuals' names are masked
    assert all("*" in i["customer_name"] for i in seen)
    saved = post_json(client, f"{URL}/analyses/{analysis['id']}/segments", {"kind": "top", "value": 30, "name": "前30"})
    assert saved.status_code == 201 and saved.json()["member_count"] == 30
    assert Segment.objects.get(pk=saved.json()["id"]).definition["rules"][0]["field"] == "mining_selection"
    listed = client.get(f"{URL}/analyses", {"limit": 1}).json()
    assert listed["items"][0]["id"] == analysis["id"] and listed["next_cursor"] is None


def test_other_roles_are_refused_and_nothing_changes(world, django_capture_on_commit_callbacks):
    analysis = _run(client_for(world["analyst"]), django_capture_on_commit_callbacks, kind="clustering")
    before = rows_of("analytics", "segments")
    for role in (Role.SALES_REP, Role.SALES_MANAGER, Role.AGENT, Role.SERVICE_MANAGER):
        client = client_for(UserFactory(role=role))
        assert client.get(f"{URL}/catalogue").status_code == 403
        assert post_json(client, f"{URL}/analyses", {"name": "x", "kind": "clustering"}).status_code == 403
        assert client.get(f"{URL}/analyses/{analysis['id']}").status_code == 403
        assert post_json(client, f"{URL}/analyses/{analysis['id']}/segments",
                         {"kind": "top", "value": 3, "name": "x"}).status_code == 403
    assert rows_of("analytics", "segments") == before
    # another analyst's analysis is not found
    assert client_for(UserFactory(role=Role.ANALYST)).get(f"{URL}/analyses/{analysis['id']}").status_code == 404


def test_bad_input_is_a_4xx_naming_the_field(world, django_capture_on_commit_callbacks):
    client = client_for(world["analyst"])
    before = rows_of("analytics")
    assert_error_body(post_json(client, f"{URL}/analyses", {"name": "x", "kind": "regression", "target": "churned"}),
                      422, "target")
    assert_error_body(post_json(client, f"{URL}/analyses", {"name": "x", "kind": "clustering",
                                                            "params": {"clusters": 1}}), 422, "params.clusters")
    assert post_json(client, f"{URL}/analyses", "{not json").status_code in (400, 422)
    assert rows_of("analytics") == before
    analysis = _run(client, django_capture_on_commit_callbacks, kind="clustering", params={"clusters": 3})
    assert_error_body(post_json(client, f"{URL}/analyses/{analysis['id']}/segments",
                                {"kind": "label", "value": 9, "name": "x"}), 422, "value")
    assert_error_body(post_json(client, f"{URL}/analyses/{analysis['id']}/segments",
                                {"kind": "all", "value": 1, "name": "x"}), 422, "kind")
    assert client.get(f"{URL}/analyses/{analysis['id']}/customers", {"cursor": "bogus"}).status_code == 422


def test_pages_show_the_form_the_charts_and_save_a_segment(world):
    browser = _browser(world["analyst"])
    page = browser.get("/analytics/workbench/")
    assert page.status_code == 200 and "数据挖掘工作台" in page.content.decode()
    bad = browser.post("/analytics/workbench/", {"name": "", "kind": "clustering"})
    assert bad.status_code == 422 and not MiningAnalysis.objects.exists()
    created = browser.post("/analytics/workbench/", {"name": "页面聚类", "kind": "clustering", "clusters": "3",
                                                     "seed": "2", "features": ["interactions_90d", "complaints_90d"]})
    assert created.status_code == 302
    analysis = MiningAnalysis.objects.get()
    analysis.refresh_from_db()
    detail = browser.get(created["Location"])
    body = detail.content.decode()
    assert detail.status_code == 200 and analysis.status in ("queued", "running", "done")
    if analysis.status == "done":
        assert "gx-mining-profiles" in body and "轮廓系数" in body
    forbidden = _browser(world["rep"])
    assert forbidden.get("/analytics/workbench/").status_code == 403
    assert forbidden.get(created["Location"]).status_code == 403
