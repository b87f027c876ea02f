"""The recycling sweep: warnings once per record and cycle, returns by rule (logged with the rule),
calendar and Chinese working days across National Day and the Spring Festival, tiers, deals won,
contracts ended (a registered source), leads."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import ValidationFailed
from guanxi.customers.services.history import interaction_record
from guanxi.customers.timeline import customer_timeline
from guanxi.marketing.services.leads import lead_contact
from guanxi.marketing.tests.factories import make_lead
from guanxi.sales.services.opportunities import opportunity_create, opportunity_win
from guanxi.tasks.models import Task

from ..contracts import register_contract_end_source, unregister_contract_end_source
from ..enums import DayKind, EventKind, RecordKind, RuleKind
from ..models import PoolEvent, PoolWarning
from ..services import pool_claim, pool_sweep, rule_save
from .factories import owned_customer, pool_customer, rule, sales_team

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hour=10):
    return dt.datetime(y, m, d, hour, tzinfo=TZ)


@pytest.fixture
def rep():
    return sales_team()[2][0]


def _sweep(moment):
    with time_machine.travel(moment, tick=False):
        return pool_sweep(now=timezone.now())


def test_no_follow_up_warns_once_then_returns(rep):
    r = rule(days=30, warn_days=5)
    with time_machine.travel(at(2030, 3, 1), tick=False):
        customer = owned_customer(rep)
    assert _sweep(at(2030, 3, 20))["warned"] == 0
    first = _sweep(at(2030, 3, 26))  # 26 days without a follow-up: 4 left, within the 5 warning days
    assert first["warned"] == 1 and first["returned"] == 0
    task = Task.objects.get(assignee=rep)
    assert task.customer == customer and ("公海" in task.subject or "pool" in task.subject)
    assert _sweep(at(2030, 3, 27))["warned"] == 0  # never repeated
    assert Task.objects.filter(assignee=rep).count() == 1
    result = _sweep(at(2030, 3, 31))  # 30 days
    assert result["returned"] == 1
    customer.refresh_from_db()
    assert customer.owner is None
    event = PoolEvent.objects.get(kind=EventKind.RETURN)
    assert (event.owner, event.rule, event.rule_name, event.customer) == (rep, r, r.name, customer)
    assert not PoolWarning.objects.exists()
    assert any(e.kind == "pool_return" for e in customer_timeline(customer=customer))


def test_a_follow_up_resets_the_clock_and_the_warning(rep):
    rule(days=30, warn_days=5)
    with time_machine.travel(at(2030, 3, 1), tick=False):
        customer = owned_customer(rep)
    _sweep(at(2030, 3, 26))
    assert PoolWarning.objects.count() == 1
    with time_machine.travel(at(2030, 3, 27), tick=False):
        interaction_record(actor=SYSTEM, customer=customer, channel="call", staff=rep, subject="回访")
    assert _sweep(at(2030, 3, 31))["returned"] == 0
    assert not PoolWarning.objects.exists()  # followed up: the next neglect warns again
    assert _sweep(at(2030, 4, 21))["warned"] == 1
    assert _sweep(at(2030, 4, 26))["returned"] == 1


def test_a_claim_starts_the_clock(rep):
    rule(days=10)
    with time_machine.travel(at(2030, 1, 1), tick=False):
        customer = pool_customer()
    with time_machine.travel(at(2030, 3, 1), tick=False):
        pool_claim(actor=rep, customer=customer)
    assert _sweep(at(2030, 3, 5))["returned"] == 0
    assert _sweep(at(2030, 3, 11))["returned"] == 1


@pytest.mark.parametrize(("last", "kept_on", "returned_on"), [
    # National Day 2025: Oct 1-8 off, Sep 28 (Sun) and Oct 11 (Sat) worked. From Tue Sep 30, the
    # 5 working days are Oct 9, 10, 11, 13, 14.
    (at(2025, 9, 30), at(2025, 10, 13), at(2025, 10, 14)),
    # Spring Festival 2025: Jan 28 - Feb 4 off, Jan 26 (Sun) and Feb 8 (Sat) worked. From Mon Jan 27,
    # the 5 working days are Feb 5, 6, 7, 8, 10.
    (at(2025, 1, 27), at(2025, 2, 9), at(2025, 2, 10)),
])
def test_working_days_skip_the_holidays_and_count_make_up_days(rep, last, kept_on, returned_on):
    rule(days=5, day_kind=DayKind.WORKING)
    with time_machine.travel(last, tick=False):
        customer = owned_customer(rep)
    assert _sweep(kept_on)["returned"] == 0
    assert _sweep(returned_on)["returned"] == 1
    customer.refresh_from_db()
    assert customer.owner is None


def test_calendar_days_do_not_care_for_holidays(rep):
    rule(days=5)
    with time_machine.travel(at(2025, 9, 30), tick=False):
        owned_customer(rep)
    assert _sweep(at(2025, 10, 4))["returned"] == 0
    assert _sweep(at(2025, 10, 5))["returned"] == 1


def test_a_rule_applies_to_its_tiers_only(rep):
    rule(days=5, tiers=["vip"])
    with time_machine.travel(at(2030, 3, 1), tick=False):
        small = owned_customer(rep, name="小客户", arpu=Decimal("20"))
        vip = owned_customer(rep, name="大客户", arpu=Decimal("800"))
    assert _sweep(at(2030, 4, 1))["returned"] == 1
    small.refresh_from_db()
    vip.refresh_from_db()
    assert small.owner == rep and vip.owner is None


def test_no_won_deal(rep):
    rule(kind=RuleKind.NO_WON_DEAL, days=90)
    with time_machine.travel(at(2030, 1, 1), tick=False):
        winner, idle = owned_customer(rep, name="赢单客户"), owned_customer(rep, name="无单客户")
    with time_machine.travel(at(2030, 3, 1), tick=False):
        deal = opportunity_create(actor=rep, customer=winner, name="专线", amount=Decimal("1000"),
                                  expected_close_date=dt.date(2030, 3, 30))
        opportunity_win(actor=rep, opportunity=deal)
    assert _sweep(at(2030, 4, 15))["returned"] == 1
    winner.refresh_from_db()
    idle.refresh_from_db()
    assert winner.owner == rep and idle.owner is None


def test_contract_ended_uses_the_registered_source(rep):
    rule(kind=RuleKind.CONTRACT_ENDED, days=30)
    with time_machine.travel(at(2030, 1, 1), tick=False):
        ended, running = owned_customer(rep, name="合同到期"), owned_customer(rep, name="合同中")
    ends = {ended.pk: dt.date(2030, 2, 1), running.pk: dt.date(2030, 12, 31)}
    asked = []

    def source(before):
        asked.append(before)
        return [pk for pk, end in ends.items() if end < before]

    register_contract_end_source(source)
    try:
        assert _sweep(at(2030, 2, 20))["returned"] == 0
        assert _sweep(at(2030, 3, 5))["returned"] == 1
    finally:
        unregister_contract_end_source(source)
    assert asked[-1] == dt.date(2030, 2, 4)
    ended.refresh_from_db()
    assert ended.owner is None


def test_leads_return_when_untouched(rep):
    rule(days=7, applies_to=RecordKind.LEAD, warn_days=2)
    with time_machine.travel(at(2030, 3, 1), tick=False):
        touched, idle = make_lead(rep, mobile="13900000001"), make_lead(rep, mobile="13900000002")
    with time_machine.travel(at(2030, 3, 5), tick=False):
        lead_contact(actor=rep, lead=touched, note="已联系")
    assert _sweep(at(2030, 3, 6))["warned"] == 1
    task = Task.objects.get(assignee=rep)  # the owner's task opens the lead
    assert task.customer is None and task.source_id == idle.pk
    assert task.source_url == reverse("marketing:lead_detail", args=[idle.pk]) and task.source_label == str(idle)
    assert _sweep(at(2030, 3, 8))["returned"] == 1
    idle.refresh_from_db()
    touched.refresh_from_db()
    assert idle.owner is None and touched.owner == rep


def test_a_disabled_rule_does_nothing(rep):
    r = rule(days=5)
    rule_save(actor=SYSTEM, rule=r, data={"is_enabled": False})
    with time_machine.travel(at(2030, 3, 1), tick=False):
        owned_customer(rep)
    assert _sweep(at(2030, 5, 1)) == {"returned": 0, "warned": 0, "owners_told": 0}


@pytest.mark.parametrize(("data", "field"), [
    ({"days": 0}, "days"), ({"kind": "never"}, "kind"), ({"warn_days": 30}, "warn_days"),
    ({"tiers": ["gold"]}, "tiers"), ({"applies_to": "lead", "kind": "no_won_deal"}, "applies_to"),
    ({"name": ""}, "name"), ({"day_kind": "lunar"}, "day_kind"),
])
def test_bad_rules_are_refused(data, field):
    with pytest.raises(ValidationFailed) as refused:
        rule_save(actor=SYSTEM, data={"name": "规则", "kind": "no_follow_up", "days": 30, **data})
    assert field in refused.value.fields
