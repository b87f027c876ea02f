"""The daily care run: solar and lunar birthdays, festivals with lead days, contract anniversaries
as tasks, segments, opt-outs, budgets, idempotence (repeated and concurrent runs), the timeline."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.timeline import customer_timeline
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.marketing.models import MarketingOptOut
from guanxi.segments.models import Segment
from guanxi.tasks.models import Task

from ..enums import BirthdayCalendar, Festival, OccasionKind
from ..models import CareAction
from ..services import care_profile_set, care_run, spent
from .factories import contract, customer, greeting_rule, task_rule

pytestmark = pytest.mark.django_db
D = dt.date


def run(day):
    return care_run(actor=SYSTEM, day=day, deliver=False)


def test_solar_birthday_greeting_once_with_the_name():
    rule = greeting_rule()
    born = customer("李四", birth=D(1990, 6, 15))
    customer("王五", birth=D(1990, 6, 16))
    first = run(D(2030, 6, 15))
    assert first["actions"] == 1 and first["messages"] == 1
    action = CareAction.objects.get()
    assert action.customer == born and action.rule == rule and action.occasion_date == D(2030, 6, 15)
    assert action.message.body == "尊敬的李四，祝您生日快乐！" and action.message.recipient == born.mobile
    assert run(D(2030, 6, 15))["actions"] == 0  # the run repeats: nothing new
    assert CareAction.objects.count() == OutboundMessage.objects.count() == 1


def test_lunar_birthday_kept_on_the_lunar_day_not_the_solar_one():
    greeting_rule()
    keeper = customer("赵六", birth=D(1990, 10, 4))
    care_profile_set(actor=SYSTEM, customer=keeper, birthday_calendar=BirthdayCalendar.LUNAR)
    assert run(D(2026, 10, 4))["actions"] == 0
    assert run(D(2026, 9, 26))["actions"] == 1  # 八月十六 in 2026


def test_birthday_lead_days_and_29_february():
    greeting_rule(lead_days=3)
    customer(birth=D(2000, 2, 29))
    assert run(D(2027, 2, 25))["actions"] == 1  # kept on 28 February in a common year
    assert CareAction.objects.get().occasion_date == D(2027, 2, 28)


def test_festival_reaches_everyone_reachable_not_opted_out():
    greeting_rule(OccasionKind.LUNAR_FESTIVAL, occasion_key=Festival.MID_AUTUMN, lead_days=2,
                  template="{name}您好，中秋快乐！")
    a, b = customer("甲"), customer("乙")
    customer("丙", mobile="")
    MarketingOptOut.objects.create(customer=b, channel="all", source="customer")
    assert run(D(2026, 9, 22))["actions"] == 0
    result = run(D(2026, 9, 23))  # 中秋 2026-09-25
    assert result["actions"] == 1 and CareAction.objects.get().customer == a
    assert CareAction.objects.get().occasion_label in ("中秋节", "Mid-Autumn Festival")


def test_segment_limits_the_rule():
    vip = customer("大客户", birth=D(1980, 1, 5), arpu=Decimal("900"))
    customer("小客户", birth=D(1980, 1, 5), arpu=Decimal("10"))
    segment = Segment.objects.create(name="高ARPU", definition={
        "match": "all", "rules": [{"field": "arpu", "op": "gte", "value": 500}]})
    greeting_rule(segment=segment)
    assert run(D(2030, 1, 5))["actions"] == 1 and CareAction.objects.get().customer == vip


def test_budget_stops_the_rule():
    greeting_rule(budget=Decimal("0.10"))
    for name in "甲乙丙":
        customer(name, birth=D(1985, 7, 1))
    assert run(D(2030, 7, 1))["actions"] == 2
    rule_spent = spent(CareAction.objects.first().rule, 2030)
    assert rule_spent == Decimal("0.10")
    assert run(D(2030, 7, 1))["actions"] == 0


def test_contract_anniversary_becomes_a_task_for_the_owner():
    owner = UserFactory(role=Role.SALES_REP)
    task_rule(lead_days=3)
    client = customer("华星科技", owner=owner)
    contract(client, owner, D(2027, 5, 20))
    contract(customer("草稿公司", owner=owner), owner, D(2027, 5, 20), status="draft")
    assert run(D(2028, 5, 17))["tasks"] == 1
    task = Task.objects.get()
    assert task.assignee == owner and task.customer == client and task.kind == "care"
    assert CareAction.objects.get().task == task
    assert run(D(2028, 5, 17))["tasks"] == 0


def test_care_on_the_360_timeline():
    greeting_rule()
    born = customer(birth=D(1990, 6, 15))
    run(D(2030, 6, 15))
    events = [e for e in customer_timeline(customer=born) if e.kind == "care"]
    assert len(events) == 1 and "/care/rules/" in events[0].link


def test_disabled_rule_does_nothing():
    greeting_rule(is_enabled=False)
    customer(birth=D(1990, 6, 15))
    assert run(D(2030, 6, 15))["actions"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent runs need PostgreSQL")
def test_concurrent_runs_greet_once():
    greeting_rule(budget=Decimal("0.25"))
    for i in range(8):
        customer(f"客户{i}", birth=D(1990, 6, 15))
    results, barrier = [], threading.Barrier(3)

    def worker():
        barrier.wait()
        try:
            results.append(run(D(2030, 6, 15))["actions"])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 5 == CareAction.objects.count()  # the budget pays for five, each once
    assert OutboundMessage.objects.count() == 5
