"""Segment, settings and strategic-weight services; the selectors other modules use."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.segments import selectors
from guanxi.segments.models import Segment, StrategicWeight, ValueSettings
from guanxi.segments.services import (
    segment_create,
    segment_update,
    strategic_weight_set,
    value_config,
    value_settings_update,
)

from .factories import make_customer, make_snapshot

pytestmark = pytest.mark.django_db
VIP = {"match": "all", "rules": [{"field": "value_level", "op": "eq", "value": "vip"}]}


@pytest.fixture
def analyst():
    return UserFactory(role=Role.ANALYST)


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"name": "<script>x</script>"}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "ok", "service_priority": 0}, "service_priority"),
    ({"name": "ok", "service_level": "diamond"}, "service_level"),
    ({"name": "ok", "service_team": 999_999}, "service_team"),
    ({"name": "ok", "colour": "red"}, "colour"),
    ({"name": "ok", "definition": {"match": "all", "rules": [{"field": "x", "op": "eq", "value": 1}]}},
     "definition.rules.0.field"),
])
def test_segment_create_refuses_bad_input(analyst, data, field):
    with pytest.raises(ValidationFailed) as caught:
        segment_create(actor=analyst, data=data)
    assert field in caught.value.fields
    assert not Segment.objects.exists()


def test_segment_changes_are_audited(analyst):
    segment = segment_create(actor=analyst, data={"name": "A", "definition": VIP})
    segment_update(actor=analyst, segment=segment, data={"name": "B", "service_priority": 3,
                                                        "service_team": TeamFactory().pk})
    history = list(segment.history.order_by("history_id").values_list("history_type", "name", "service_priority"))
    assert history == [("+", "A", None), ("~", "B", 3)]


def test_tiered_service_plan_takes_the_highest_priority(admin):
    vip = make_customer(admin, name="张三", arpu="900")
    make_snapshot(vip, value_level="vip", abc_class="A")
    low = segment_create(actor=admin, data={"name": "A 类", "service_priority": 5, "service_level": "silver",
                                            "definition": {"match": "all", "rules": [
                                                {"field": "abc_class", "op": "eq", "value": "A"}]}})
    high = segment_create(actor=admin, data={"name": "VIP", "definition": VIP, "service_priority": 1,
                                             "service_level": "platinum"})
    segment_create(actor=admin, data={"name": "无服务", "definition": VIP})
    assert selectors.customer_service_plan(customer=vip) == high
    segment_update(actor=admin, segment=high, data={"service_priority": None})
    assert selectors.customer_service_plan(customer=vip) == low
    assert selectors.customer_service_plan(customer=make_customer(admin, name="李四")) is None


def test_selectors_for_other_modules(admin, analyst):
    vip = make_customer(admin, name="张三", arpu="900")
    other = make_customer(admin, name="李四")
    make_snapshot(vip, value_level="vip")
    shared = segment_create(actor=analyst, data={"name": "VIP", "definition": VIP, "is_shared": True})
    private = segment_create(actor=analyst, data={"name": "私有", "definition": VIP})
    assert list(selectors.segment_queryset(segment=shared)) == [vip]
    assert selectors.segment_contains(segment=shared, customer_id=vip.pk)
    assert not selectors.segment_contains(segment=shared, customer_id=other.pk)
    agent = UserFactory(role=Role.AGENT)
    assert selectors.customer_segments(customer=vip, user=agent) == [shared]
    assert set(selectors.customer_segments(customer=vip)) == {shared, private}
    assert selectors.customer_segments(customer=other) == []


def test_value_settings_are_for_administrators_and_feed_the_run(admin, analyst):
    with pytest.raises(PermissionDenied):
        value_settings_update(actor=analyst, data={"vip_floor": "1000"})
    assert not ValueSettings.objects.exists()
    with pytest.raises(ValidationFailed) as caught:
        value_settings_update(actor=admin, data={"vip_floor": "10", "abc_a_share": "0.9", "abc_b_share": "0.2",
                                                 "arpu_bands": "80,30", "weight_time": 500, "nonsense": 1})
    # Field errors first; the checks across fields (floors, shares) wait until every field is valid.
    assert set(caught.value.fields) == {"arpu_bands", "weight_time", "nonsense"}
    with pytest.raises(ValidationFailed) as caught:
        value_settings_update(actor=admin, data={"abc_a_share": "0.9", "abc_b_share": "0.2"})
    assert set(caught.value.fields) == {"abc_b_share"}
    value_settings_update(actor=admin, data={"vip_floor": "1000", "pyramid_basis": "revenue", "arpu_bands": "50, 100",
                                             "weight_strategic": 40})
    config = value_config(as_of=dt.date(2026, 1, 31))
    assert config.pyramid_floors == (1000.0, 200.0, 50.0) and config.pyramid_basis == "revenue"
    assert config.arpu_bands == (50.0, 100.0) and config.ka_weights["strategic"] == 40
    assert ValueSettings.objects.get().history.count() == 1
    with pytest.raises(ValidationFailed) as caught:
        value_settings_update(actor=admin, data={"vip_floor": "10"})  # below the large floor
    assert "vip_floor" in caught.value.fields
    assert ValueSettings.objects.get().vip_floor == Decimal("1000")


def test_strategic_weight(admin, analyst):
    customer = make_customer(admin, name="张三")
    with pytest.raises(PermissionDenied):
        strategic_weight_set(actor=analyst, customer=customer, weight=50)
    with pytest.raises(ValidationFailed):
        strategic_weight_set(actor=admin, customer=customer, weight=101)
    strategic_weight_set(actor=admin, customer=customer, weight=50, reason="合作伙伴")
    strategic_weight_set(actor=admin, customer=customer, weight=70)
    weight = StrategicWeight.objects.get()
    assert weight.weight == 70 and weight.history.count() == 2
    strategic_weight_set(actor=admin, customer=customer, weight=None)
    assert not StrategicWeight.objects.exists()
