"""The value module's demo step and the `guanxi segments recompute` command."""

import io

import pytest
from django.core.management import call_command

from guanxi.core import demo
from guanxi.customers.demo.history import transactions_demo_load
from guanxi.segments.demo import value_demo_load
from guanxi.segments.models import CustomerValueSnapshot, Segment, ValueRun

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_value_step_runs_after_the_ledger():
    steps = demo.loaded_demo_steps()
    assert steps.index(transactions_demo_load) < steps.index(value_demo_load)


@pytest.fixture
def customers_and_value(monkeypatch):
    steps = [s for s in demo.loaded_demo_steps()
             if s.__module__.startswith("guanxi.customers.") and s.__module__ != "guanxi.customers.demo.dedupe"]
    monkeypatch.setattr(demo, "DEMO_STEPS", [*steps, value_demo_load])
    out = io.StringIO()
    call_command("demo", "--customers", "300", "--seed", "3", stdout=out)
    return out.getvalue()


def test_demo_computes_values_and_saves_segments(customers_and_value):
    assert "value run over 300 customers" in customers_and_value
    run = ValueRun.objects.get()
    assert run.status == "done" and run.customers == 300
    assert CustomerValueSnapshot.objects.count() == 300
    assert run.summary["clv"]["fitted"], run.summary["clv"]
    assert CustomerValueSnapshot.objects.filter(value_level="vip").exists()
    assert CustomerValueSnapshot.objects.exclude(rfm_segment="no_purchase").count() > 200
    saved = {s.name: s for s in Segment.objects.filter(kind="rule")}
    assert {"高价值流失风险客户", "VIP 宽带客户", "大客户候选"} <= set(saved)
    assert all(s.is_shared and s.owner.role == "analyst" and s.member_count is not None for s in saved.values())
    vip = Segment.objects.get(kind="pyramid", system_key="vip")
    assert vip.service_priority == 1 and vip.service_level == "platinum" and vip.service_team is not None


def test_recompute_command(customers_and_value):
    out = io.StringIO()
    call_command("segments", "recompute", "--json", stdout=out)
    assert "300 customers" in out.getvalue() and '"summary"' in out.getvalue()
    assert ValueRun.objects.filter(status="done").count() == 2


def test_recompute_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("segments", "recompute", "--as-of", "yesterday")


def test_the_nightly_run_is_scheduled():
    from django.conf import settings

    from guanxi.segments.tasks import value_recompute_task

    entry = settings.CELERY_BEAT_SCHEDULE["segments-value-recompute"]
    assert entry["task"] == value_recompute_task.name == "segments.value_recompute"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}


def test_the_api_description_lists_the_segment_endpoints(client):
    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.ADMIN))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/segments", "/api/v1/segments/{segment_id}/members", "/api/v1/segments/preview",
            "/api/v1/segments/reports/{name}", "/api/v1/customers/{customer_id}/value"} <= set(paths)
