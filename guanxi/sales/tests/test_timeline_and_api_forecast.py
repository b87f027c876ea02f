"""Deals on the customer 360 timeline (opened, won, lost; paged with `before`), and the forecast,
funnel and quota endpoints."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.services.opportunities import opportunity_lose, opportunity_win
from guanxi.sales.timeline import opportunity_events

from .factories import deal, reason, sales_team

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2030, 3, 1, 9, tzinfo=dt.UTC)


def test_deals_are_on_the_customer_timeline_newest_first():
    _, _, (rep, _) = sales_team()
    customer = make_customer(rep, name="星河科技")
    first = deal(rep, customer, name="企业专线", at=T0)
    second = deal(rep, customer, name="IPTV", at=T0 + dt.timedelta(days=1))
    opportunity_win(actor=rep, opportunity=first, at=T0 + dt.timedelta(days=5))
    opportunity_lose(actor=rep, opportunity=second, reason=reason("lost"), at=T0 + dt.timedelta(days=6))
    events = opportunity_events(customer, 10)
    assert [e.kind for e in events] == ["opportunity_lost", "opportunity_won", "opportunity_opened",
                                        "opportunity_opened"]
    assert "企业专线" in events[1].title and events[1].link.endswith(f"/sales/opportunities/{first.pk}/")
    older = opportunity_events(customer, 10, before=T0 + dt.timedelta(days=2))
    assert [e.at for e in older] == [T0 + dt.timedelta(days=1), T0]
    assert len(opportunity_events(customer, 1)) == 1


def test_forecast_funnel_and_quota_endpoints():
    team, manager, (rep, _) = sales_team()
    deal(rep, amount="20000", close=dt.date(2030, 6, 10))
    client = client_for(manager)
    rows = client.get("/api/v1/sales/forecast", {"period": "month", "start": "2030-06-01", "periods": 2,
                                                 "team": team.pk}).json()
    assert [(r["period"], r["weighted"]) for r in rows] == [("2030-06", "2000.00"), ("2030-07", "0.00")]
    funnel = client.get("/api/v1/sales/funnel", {"team": team.pk}).json()
    assert funnel[0]["count"] == 1 and funnel[0]["amount"] == "20000.00"
    quota = post_json(client, "/api/v1/sales/quotas", {"period": "month", "period_start": "2030-06-01",
                                                        "amount": "50000", "user": rep.pk})
    assert quota.status_code == 200 and quota.json()["amount"] == "50000.00"
    reps = client.get("/api/v1/sales/forecast/representatives", {"start": "2030-06-05", "team": team.pk}).json()
    assert {r["representative"]["id"]: r["quota"] for r in reps}[rep.pk] == "50000.00"
    listed = client.get("/api/v1/sales/quotas", {"period": "month"}).json()
    assert [q["amount"] for q in listed["items"]] == ["50000.00"] and listed["next_cursor"] is None
    assert_error_body(post_json(client, "/api/v1/sales/quotas", {
        "period": "month", "period_start": "2030-06-01", "amount": "-1", "user": rep.pk}), 422, "amount")
    assert_error_body(client.get("/api/v1/sales/forecast", {"period": "week"}), 422, "period")
    assert_error_body(client_for(rep).get("/api/v1/sales/funnel", {"team": team.pk}), 403)
    assert Decimal(client_for(rep).get("/api/v1/sales/funnel", {"owner": rep.pk}).json()[0]["amount"]) == 20000
