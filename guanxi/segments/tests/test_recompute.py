"""The value run on a real database: snapshots consistent with the ledger, segments, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Holding, Interaction
from guanxi.segments import compute
from guanxi.segments.models import CustomerValueSnapshot, Segment, ValueRun
from guanxi.segments.services import segment_create, strategic_weight_set, value_recompute

from .factories import make_customer, make_transactions

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 1, 31)
TZ = timezone.get_default_timezone()


def at(day: dt.date, hour=12, minute=0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@pytest.fixture
def ledger(admin):
    """A: a monthly subscriber with a refund; B: one purchase; C: nothing; D: deleted."""
    a = make_customer(admin, name="甲", arpu="120", overdue_count=1, credit_level="AA")
    b = make_customer(admin, name="乙", arpu="30")
    c = make_customer(admin, name="丙", arpu="0")
    d = make_customer(admin, name="丁", arpu="10")
    rows = []
    for month in range(1, 13):  # Feb 2025 … Jan 2026: the last 12 months
        day = dt.date(2025 + (month + 1 > 12), (month % 12) + 1, 5)
        rows += [("bill", day, 100), ("payment", day + dt.timedelta(days=3), 100)]
    rows += [("bill", dt.date(2024, 3, 5), 80),  # the 12 months before
             ("order", dt.date(2025, 12, 24), 500), ("refund", dt.date(2025, 12, 28), 200),
             ("order", dt.date(2025, 12, 5), 50),  # same day as that month's bill: one purchase day
             ("bill", dt.date(2022, 1, 1), 999),  # older than three years: not read
             ("order", at(AS_OF, 23, 30), 40),  # late on the as-of day, local time: counted
             ("order", at(AS_OF + dt.timedelta(days=1), 0, 30), 999)]  # after the as-of day: not read
    make_transactions(a, rows)
    make_transactions(b, [("order", dt.date(2025, 8, 1), 60)])
    make_transactions(d, [("order", dt.date(2025, 8, 1), 60)])
    d.deleted_at = timezone.now()
    d.save(update_fields=["deleted_at"])
    Holding.objects.create(customer=a, product="5G套餐", category="移动套餐", started_on=dt.date(2019, 1, 1))
    Holding.objects.create(customer=a, product="家庭宽带", category="宽带")
    Holding.objects.create(customer=a, product="电信宽带", category="宽带", is_competitor=True)
    Interaction.objects.create(customer=a, channel="call", occurred_at=at(dt.date(2025, 10, 1)), duration_seconds=600)
    Interaction.objects.create(customer=a, channel="outlet", occurred_at=at(dt.date(2025, 11, 1)))
    Interaction.objects.create(customer=a, channel="call", occurred_at=at(dt.date(2024, 1, 1)))  # over a year ago
    return {"a": a, "b": b, "c": c, "d": d}


def snap(customer) -> CustomerValueSnapshot:
    return CustomerValueSnapshot.objects.get(customer=customer)


def test_snapshots_follow_the_ledger(ledger, admin):
    strategic_weight_set(actor=admin, customer=ledger["a"], weight=90, reason="省公司战略客户")
    run = value_recompute(actor=SYSTEM, as_of=AS_OF)
    assert run.status == "done" and run.customers == 3 and run.finished_at and run.seconds > 0
    assert set(CustomerValueSnapshot.objects.values_list("customer_id", flat=True)) == {
        ledger["a"].pk, ledger["b"].pk, ledger["c"].pk}

    a = snap(ledger["a"])
    # 12 bills + 500 + 50 + 40 in orders − 200 refunded
    assert a.revenue_12m == Decimal("1590.00") and a.revenue_prev_12m == Decimal("80.00")
    assert a.revenue_total == Decimal("1670.00")
    # purchase days: 13 bill days (one of them also an order day), 24 Dec and the as-of day
    assert a.purchase_days == 15 and a.first_purchase_on == dt.date(2024, 3, 5)
    assert a.last_purchase_on == AS_OF and a.recency_days == 0
    assert a.product_kinds == 2 and a.competitor_products == 1
    assert a.tenure_days == (AS_OF - dt.date(2019, 1, 1)).days
    assert a.contacts_12m == 2 and a.contact_minutes_12m == 10 and a.outlet_visits_12m == 1
    assert a.ka_strategic == 90 and a.value_level == "medium" and a.arpu_band == "80–150"
    assert a.abc_class == "A" and a.rfm_segment != "no_purchase"
    assert a.growth_rate == pytest.approx((1590 - 80) / 80)
    # AA (85) − one overdue payment (8) − refund share 200/1690 × 20
    assert a.credit_score == round(85 - 8 - 20 * 200 / 1690)

    b = snap(ledger["b"])
    assert b.purchase_days == 1 and b.recency_days == (AS_OF - dt.date(2025, 8, 1)).days
    assert b.revenue_12m == Decimal("60.00") and b.value_level == "small"

    c = snap(ledger["c"])
    assert c.purchase_days == 0 and c.rfm_segment == "no_purchase" and c.abc_class == "C"
    assert c.last_purchase_on is None and c.rfm_r is None and c.clv_36m is None and c.portfolio == ""
    assert a.contribution_share + b.contribution_share == pytest.approx(1.0)

    summary = run.summary
    assert summary["abc"] == {"A": 1, "C": 2} and summary["clv"]["fitted"] is False  # two buyers: too few
    assert "repeat" in summary["clv"]["reason"]
    assert set(summary["timings"]) >= {"read transactions", "clv", "write", "segments"}


def test_system_segments_and_rule_counts(ledger, admin):
    rule = segment_create(actor=admin, data={"name": "有消费", "definition": {
        "match": "all", "rules": [{"field": "last_purchase", "op": "is_not_empty"}]}})
    assert rule.member_count == 0  # no snapshot yet
    run = value_recompute(actor=SYSTEM, as_of=AS_OF)
    rule.refresh_from_db()
    assert rule.member_count == 2
    pyramid = {s.system_key: s for s in Segment.objects.filter(kind="pyramid")}
    assert set(pyramid) == {"vip", "large", "medium", "small"}
    assert pyramid["medium"].member_count == 1 and pyramid["small"].member_count == 2
    assert pyramid["vip"].member_count == 0 and pyramid["vip"].is_shared
    assert Segment.objects.filter(kind="abc").count() == 3 and Segment.objects.filter(kind="rfm").count() == 9
    assert Segment.objects.filter(kind="cluster").count() == len(run.clusters) == 0  # three customers: no clusters
    # The names are stored in the default language.
    assert pyramid["vip"].name == "价值金字塔：VIP 客户"


def test_a_second_run_replaces_the_snapshot(ledger, admin):
    first = value_recompute(actor=SYSTEM, as_of=AS_OF)
    ledger["b"].deleted_at = timezone.now()
    ledger["b"].save(update_fields=["deleted_at"])
    make_transactions(ledger["c"], [("order", dt.date(2026, 1, 2), 70)])
    second = value_recompute(actor=SYSTEM, as_of=AS_OF)
    assert CustomerValueSnapshot.objects.count() == 2
    assert set(CustomerValueSnapshot.objects.values_list("run_id", flat=True)) == {second.pk}
    assert snap(ledger["c"]).revenue_12m == Decimal("70.00")
    assert ValueRun.objects.filter(pk__in=[first.pk, second.pk], status="done").count() == 2
    assert Segment.objects.filter(kind="pyramid").count() == 4  # updated, not duplicated


def test_a_failed_run_is_recorded_and_changes_nothing(ledger, monkeypatch):
    value_recompute(actor=SYSTEM, as_of=AS_OF)
    before = {s.customer_id: s.revenue_12m for s in CustomerValueSnapshot.objects.all()}
    counts = dict(Segment.objects.values_list("id", "member_count"))

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(compute, "abc_classes", broken)
    with pytest.raises(RuntimeError):
        value_recompute(actor=SYSTEM, as_of=AS_OF + dt.timedelta(days=1))
    failed = ValueRun.objects.order_by("-id").first()
    assert failed.status == "failed" and "out of memory" in failed.error and failed.finished_at
    assert {s.customer_id: s.revenue_12m for s in CustomerValueSnapshot.objects.all()} == before
    assert dict(Segment.objects.values_list("id", "member_count")) == counts


def test_a_failed_write_leaves_the_old_snapshot(ledger, monkeypatch):
    from guanxi.segments import storage

    value_recompute(actor=SYSTEM, as_of=AS_OF)
    before = CustomerValueSnapshot.objects.count()
    original = storage.write_snapshots

    def write_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage, "write_snapshots", write_then_fail)
    with pytest.raises(RuntimeError):
        value_recompute(actor=SYSTEM, as_of=AS_OF)
    assert CustomerValueSnapshot.objects.count() == before
    assert CustomerValueSnapshot.objects.values("run_id").distinct().count() == 1


def test_clv_and_clusters_with_enough_customers(admin):
    customers = [make_customer(admin, name=f"客户{i}", arpu=str(20 + 15 * i)) for i in range(40)]
    for i, customer in enumerate(customers):
        days = [dt.date(2023, 3, 1) + dt.timedelta(days=37 * k + i) for k in range(1 + i % 9)]
        make_transactions(customer, [("order", day, 50 + 10 * (i % 5) + k) for k, day in enumerate(days)])
    run = value_recompute(actor=SYSTEM, as_of=AS_OF)
    assert run.summary["clv"]["fitted"], run.summary["clv"]
    repeaters = CustomerValueSnapshot.objects.filter(purchase_days__gt=1)
    assert repeaters.count() > 30 and not repeaters.filter(clv_36m__isnull=True).exists()
    assert all(s.clv_36m >= s.clv_12m >= 0 and 0 <= s.p_alive <= 1 for s in repeaters)
    assert len(run.clusters) >= 3
    assert set(CustomerValueSnapshot.objects.values_list("cluster", flat=True)) == {c["id"] for c in run.clusters}
    assert Segment.objects.filter(kind="cluster").count() == len(run.clusters)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the run lock is a PostgreSQL advisory lock")
def test_only_one_run_at_a_time(ledger):
    import psycopg
    from django.conf import settings

    from guanxi.core.errors import Conflict
    from guanxi.segments.services.recompute import LOCK_KEY

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=connection.settings_dict[
            "NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        with pytest.raises(Conflict):
            value_recompute(actor=SYSTEM, as_of=AS_OF)
        other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    assert value_recompute(actor=SYSTEM, as_of=AS_OF).status == "done"
