"""The care demo step: its rules, lunar keepers and a year of history, and a second load adds no rule."""

import datetime as dt

import pytest

from ..demo import care_demo_load
from ..models import CareAction, CareProfile, CareRule
from .factories import customer

pytestmark = [pytest.mark.django_db, pytest.mark.demo]
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_demo_year_of_care():
    for i in range(14):
        customer(f"客户{i}", birth=dt.date(1980 + i, 1 + i % 12, 1 + i))
    summary = care_demo_load(seed=1, scale=0.01, staff=None, customers=[], now=NOW)
    assert "care rules" in summary
    assert CareRule.objects.count() == 4  # no VIP segment in this world: no gift rule
    assert CareProfile.objects.count() == 2
    births = CareAction.objects.filter(rule__occasion="birthday").count()
    assert 14 <= births <= 16  # everyone's birthday in the year before (a lunar one may come twice in 366 days)
    festival = CareAction.objects.filter(rule__occasion_key="mid_autumn", occasion_date=dt.date(2026, 9, 25))
    assert festival.count() == 14
    care_demo_load(seed=1, scale=0.01, staff=None, customers=[], now=NOW)
    assert CareRule.objects.count() == 4 and CareAction.objects.filter(rule__occasion="birthday").count() == births
