"""Churn API and pages: analysts train and see the quality; managers and owners read the scores of
the customers they may see, paged to the end, with names masked; a refused call changes nothing."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.churn import services
from guanxi.analytics.churn.synthetic import plant_customers
from guanxi.analytics.models import ChurnModel
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=90)


@pytest.fixture
def scored():
    with time_machine.travel(NOW, tick=False):
        planted = plant_customers(600, seed=4, cutoff=CUTOFF)
        services.churn_model_train(actor=SYSTEM, cutoff=CUTOFF, seed=1, min_churners=20)
        services.churn_scores_refresh(actor=SYSTEM, as_of=CUTOFF)
        yield planted


def _browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_scores_are_paged_to_the_end_within_the_scope_and_masked(scored):
    rep = UserFactory(role=Role.SALES_REP)
    mine = scored["ids"][:7].tolist()
    Customer.objects.filter(pk__in=mine).update(owner=rep, team=None)
    client, seen, cursor = client_for(rep), [], ""
    while True:
        page = client.get("/api/v1/analytics/churn/scores", {"limit": 3, "cursor": cursor}).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(i["customer"] for i in seen) == sorted(mine)
    assert [i["probability"] for i in seen] == sorted((i["probability"] for i in seen), reverse=True)
    assert all(len(i["reasons"]) <= 3 and i["model_version"] == 1 for i in seen)
    detail = client.get(f"/api/v1/analytics/churn/customers/{mine[0]}").json()
    assert detail["customer"] == mine[0] and detail["data_to"] == str(NOW.date())
    assert client.get(f"/api/v1/analytics/churn/customers/{scored['ids'][100]}").status_code == 404
    # a manager whose role may not see personal data reads masked names
    analyst = client_for(UserFactory(role=Role.ANALYST)).get("/api/v1/analytics/churn/scores", {"limit": 5}).json()
    assert len(analyst["items"]) == 5


def test_only_analysts_train_and_see_the_quality(scored):
    rep, analyst = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.ANALYST)
    assert client_for(rep).get("/api/v1/analytics/churn/models").status_code == 403
    before = rows_of("analytics")
    assert post_json(client_for(rep), "/api/v1/analytics/churn/models", {}).status_code == 403
    assert rows_of("analytics") == before
    models = client_for(analyst).get("/api/v1/analytics/churn/models").json()
    assert models[0]["status"] == "active" and models[0]["metrics"]["auc"] > 0.7
    assert client_for(UserFactory(role=Role.AGENT)).get("/api/v1/analytics/churn/scores").status_code == 403


def test_too_few_churners_through_the_api_says_why(scored):
    analyst = UserFactory(role=Role.ANALYST)
    with time_machine.travel(NOW, tick=False):
        Customer.objects.update(deleted_at=NOW)  # nobody left to learn from
        response = post_json(client_for(analyst), "/api/v1/analytics/churn/models", {"horizon_days": 90})
    assert "流失客户太少" in assert_error_body(response, 422)["message"]
    assert ChurnModel.objects.filter(status="active").count() == 1


def test_pages_show_quality_risk_and_the_360(scored):
    analyst = UserFactory(role=Role.ANALYST)
    page = _browser(analyst).get("/analytics/churn/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "客户流失预警" in text and "gx-churn-reliability" in text and "gx-churn-lift" in text
    cid = int(scored["ids"][0])
    Customer.objects.filter(pk=cid).update(owner=analyst)
    assert "流失风险" in _browser(analyst).get(f"/analytics/churn/customers/{cid}/").content.decode()
    assert "流失风险" in _browser(analyst).get(f"/customers/{cid}/").content.decode()
    assert _browser(UserFactory(role=Role.AGENT)).get("/analytics/churn/").status_code == 403


def test_the_key_account_dashboards_show_the_churn_risk(scored):
    from guanxi.key_accounts.models import KeyAccountTier
    from guanxi.key_accounts.selectors import account_dashboard, portfolio_dashboard
    from guanxi.key_accounts.services import key_account_designate

    manager = UserFactory(role=Role.KEY_ACCOUNT_MANAGER)
    from guanxi.customers.tests.factories import make_customer

    scored_id = scored["ids"][0].item()
    with time_machine.travel(NOW, tick=False):
        unscored = make_customer(SYSTEM, name="未评分集团", kind="organisation")
        accounts = [key_account_designate(actor=SYSTEM, customer=customer, tier=KeyAccountTier.objects.first(),
                                          manager=manager, reason="测试", override_reason="测试")
                    for customer in (Customer.objects.get(pk=scored_id), unscored)]
        portfolio = portfolio_dashboard(user=manager)
        risk = {row["id"]: row["risk"] for row in portfolio["top"]}
        expected = round(Customer.objects.get(pk=scored_id).churn_score.probability * 100, 1)
        assert portfolio["has_risk"] and risk == {accounts[0].pk: expected, accounts[1].pk: None}
        assert account_dashboard(user=manager, account=accounts[0])["risk"] == expected
