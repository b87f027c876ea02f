"""The hotspot demo step: on top of the service desk's demo cases, the planted battery story is the
spike of the week it was planted in, as a keyword and as a topic of its own."""

import datetime as dt

import pytest
import time_machine
from faker import Faker

from guanxi.accounts.demo import demo_staff_create
from guanxi.analytics.hotspot.demo import hotspot_demo_load, planted_week
from guanxi.analytics.models import HotspotRun
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.demo.tickets import service_demo_load

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 3, 4, tzinfo=dt.UTC)


def test_the_planted_story_is_found_in_the_week_it_starts():
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        staff = demo_staff_create(faker=Faker("zh_CN"))
        customers = [make_customer(staff.admin, name=f"客户{i}", arpu="50").pk for i in range(20)]
    with time_machine.travel(NOW, tick=False):
        service_demo_load(seed=3, scale=0.1, staff=staff, customers=customers, now=NOW)
        summary = hotspot_demo_load(seed=3, scale=1.0, staff=staff, customers=customers, now=NOW)
    run = HotspotRun.objects.get()
    week = planted_week(NOW).isoformat()
    assert "spikes in the planted week" in summary
    in_week = [s for s in run.result["spikes"] if s["week"] == week]
    assert any(s["kind"] == "keyword" and s["key"] == "电池鼓包" for s in in_week)
    story = [t["id"] for t in run.result["topics"] if "华星X1" in t["terms"]]
    assert any(s["kind"] == "topic" and s["key"] in story for s in in_week)
    assert all(s["week"] == week for s in run.result["spikes"] if s["key"] in ("电池鼓包", "华星X1"))
