"""CRM quality assessment: the figures equal direct counts of the same data (retention, value in use,
history depth, contact strategy per tier), answers are scored against the targets with the gaps named,
the history is kept; bad answers and other roles are refused and store nothing; pages and API."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.models import QualityAssessment
from guanxi.analytics.quality import figures, services
from guanxi.analytics.quality.checklist import QUESTION_KEYS
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.customers.models import Customer, Interaction
from guanxi.segments.models import CustomerValueSnapshot, Segment, ValueRun

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _answers(level: int) -> dict:
    return {key: {"level": level, "evidence": "/segments/", "note": ""} for key in QUESTION_KEYS}


def _customers(n: int) -> list[Customer]:
    return Customer.objects.bulk_create([Customer(code=f"Q{i:04d}", kind="individual", name=f"质量{i}")
                                         for i in range(n)])


def test_retention_counts_last_years_customers_still_active(db):
    customers = _customers(5)
    at = lambda days: NOW - dt.timedelta(days=days)  # noqa: E731
    # four active the year before last; two of them again in the last year; one only recently
    Interaction.objects.bulk_create(
        [Interaction(customer=c, channel="call", direction="inbound", occurred_at=at(500)) for c in customers[:4]]
        + [Interaction(customer=c, channel="call", direction="inbound", occurred_at=at(30)) for c in customers[1:3]]
        + [Interaction(customer=customers[4], channel="call", direction="inbound", occurred_at=at(10))])
    assert figures.retention(TODAY) == {"value": 0.5, "base": 4, "retained": 2}


def test_value_use_and_contact_strategy_from_segments_and_snapshots(db):
    Segment.objects.create(name="VIP", kind="pyramid", system_key="vip", service_priority=1)
    Segment.objects.create(name="北京", definition={"match": "all", "rules": [
        {"field": "province", "op": "in", "value": ["北京"]}]}, service_priority=2)
    Segment.objects.create(name="高价值", definition={"match": "all", "rules": [
        {"match": "any", "rules": [{"field": "clv_36m", "op": "gt", "value": "100"}]}]})
    use = figures.value_use()
    assert (use["tiered_segments"], use["tiered_by_value"], use["campaigns"]) == (2, 1, 0)
    assert use["value"] == 0.5 and use["rule_segments_by_value"] == 2
    run = ValueRun.objects.create(as_of=TODAY)
    contacts = {"vip": 9, "large": 6, "medium": 4, "small": 1}
    snapshots = []
    for i, (level, n) in enumerate(contacts.items()):
        for customer in _customers(2) if i == 0 else Customer.objects.bulk_create(
                [Customer(code=f"S{level}{k}", kind="individual", name="x") for k in range(2)]):
            snapshots.append(CustomerValueSnapshot(
                customer=customer, run=run, computed_at=NOW, arpu_band="a", value_level=level, abc_class="A",
                revenue_12m=Decimal(n * 100), revenue_prev_12m=0, revenue_total=0, contribution_share=0,
                purchase_days=0, rfm_segment="no_purchase", loyalty_index=0, credit_score=0, retention_index=0,
                ka_profit=0, ka_strategic=0, ka_loss=0, ka_relationship=0, ka_growth=0, ka_time=0,
                key_account_score=0, product_kinds=0, competitor_products=0, tenure_days=0, contacts_12m=n,
                contact_minutes_12m=0, outlet_visits_12m=0))
    CustomerValueSnapshot.objects.bulk_create(snapshots)
    strategy = figures.contact_strategy()
    assert [t["tier"] for t in strategy["tiers"]] == ["small", "medium", "large", "vip"]
    assert [t["contacts"] for t in strategy["tiers"]] == [1, 4, 6, 9] and strategy["value"] == 1.0


def test_an_assessment_is_scored_gaps_named_and_history_kept(db):
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    first = services.quality_assessment_create(actor=manager, answers=_answers(1), as_of=TODAY - dt.timedelta(days=90))
    second = services.quality_assessment_create(actor=manager, answers=_answers(4))
    assert first.checklist_score == 25.0 and second.checklist_score == 100.0
    assert second.data_score == first.data_score == 0.0  # an empty database answers nothing yet
    assert second.score == 50.0 and second.created_by == manager
    assert {g["key"] for g in first.gaps} == set(QUESTION_KEYS) | {"retention", "value_use", "history",
                                                                   "contact_strategy"}
    assert {g["key"] for g in second.gaps} == {"retention", "value_use", "history", "contact_strategy"}
    assert all(g["fix"] for g in second.gaps)
    assert list(QualityAssessment.objects.order_by("-as_of").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_bad_answers_and_other_roles_store_nothing(db):
    before = rows_of("analytics")
    bad = [({**_answers(2), "proposition": {"level": 5}}, "answers.proposition.level"),
           ({**_answers(2), "proposition": {"level": 2, "evidence": "javascript:alert(1)"}},
            "answers.proposition.evidence"),
           ({k: v for k, v in _answers(2).items() if k != "performance"}, "answers.performance"),
           ({**_answers(2), "extra": {"level": 1}}, "answers.extra")]
    for answers, field in bad:
        with pytest.raises(ValidationFailed) as refused:
            services.quality_assessment_create(actor=SYSTEM, answers=answers)
        assert field in refused.value.fields
    for role in (Role.AGENT, Role.SALES_REP, Role.TEAM_LEAD):
        with pytest.raises(PermissionDenied):
            services.quality_assessment_create(actor=UserFactory(role=role), answers=_answers(2))
    assert rows_of("analytics") == before


def test_api_and_page(db):
    manager = UserFactory(role=Role.SALES_MANAGER)
    client = client_for(manager)
    assert set(client.get("/api/v1/analytics/quality/figures").json()) == {"retention", "value_use", "history",
                                                                           "contact_strategy"}
    assert len(client.get("/api/v1/analytics/quality/checklist").json()["questions"]) == len(QUESTION_KEYS)
    created = post_json(client, "/api/v1/analytics/quality/assessments", {"answers": _answers(3)})
    assert created.status_code == 201 and created.json()["checklist_score"] == 75.0
    assert_error_body(post_json(client, "/api/v1/analytics/quality/assessments", {"answers": {}}), 422)
    page = client.get("/api/v1/analytics/quality/assessments", {"limit": 1}).json()
    assert [i["id"] for i in page["items"]] == [created.json()["id"]] and page["next_cursor"] is None
    agent = client_for(UserFactory(role=Role.AGENT))
    assert agent.get("/api/v1/analytics/quality/figures").status_code == 403
    assert post_json(agent, "/api/v1/analytics/quality/assessments", {"answers": _answers(3)}).status_code == 403
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(manager)
    form = {f"{k}-level": "2" for k in QUESTION_KEYS}
    assert browser.post("/analytics/quality/", form).status_code == 302
    body = browser.get("/analytics/quality/").content.decode()
    assert "CRM质量评估" in body and "gx-quality-history" in body
    assert browser.post("/analytics/quality/", {}).status_code == 422
    assert QualityAssessment.objects.count() == 2
    assert browser.get(f"/analytics/quality/{created.json()['id']}/").status_code == 200
    rep = Client()
    rep.force_login(UserFactory(role=Role.SALES_REP))
    assert rep.get("/analytics/quality/").status_code == 403
