"""Key-account celebrations in customer care: the occasion sources registered in care (the account's
founding and designation anniversary, its key people's birthdays), rules on them, once per occasion
however often the run repeats, only for designated accounts."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.care.enums import ActionKind, CareChannel, OccasionKind
from guanxi.care.models import CareAction
from guanxi.care.occasions import occasion_sources
from guanxi.care.services import care_rule_save, care_run
from guanxi.core.errors import ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.models import OutboundMessage

from ..occasions import ACCOUNT_ANNIVERSARY, KEY_PERSON_BIRTHDAY
from ..services import key_account_dedesignate, key_account_designate, key_person_add
from .factories import contact, kam, tier

pytestmark = pytest.mark.django_db
D = dt.date
SH = dt.timezone(dt.timedelta(hours=8))


def _rule(key, **data):
    return care_rule_save(actor=SYSTEM, data={
        "name": f"大客户 {key}", "occasion": OccasionKind.KEY_ACCOUNT, "occasion_key": key,
        "action": ActionKind.GREETING, "channel": CareChannel.SMS, "template": "尊敬的{name}，感谢多年的合作！",
        "cost_per_action": Decimal("0.05"), **data})


def _account(name, mobile, *, founded=None, designated=dt.datetime(2024, 3, 10, 7, 30, tzinfo=SH)):
    customer = make_customer(SYSTEM, kind="organisation", name=name, mobile=mobile, birth_date=founded)
    return key_account_designate(actor=SYSTEM, customer=customer, tier=tier(), manager=kam(), reason="年收入贡献大",
                                 override_reason="战略合作", now=designated)


def _run(day):
    return care_run(actor=SYSTEM, day=day, deliver=False)


def test_key_accounts_registers_its_occasions_in_care():
    assert {ACCOUNT_ANNIVERSARY, KEY_PERSON_BIRTHDAY} <= set(occasion_sources())
    with pytest.raises(ValidationFailed) as refused:
        _rule("opening_day")
    assert "occasion_key" in refused.value.fields and not CareAction.objects.exists()


def test_the_account_s_founding_and_designation_anniversaries_are_greeted_once():
    _rule(ACCOUNT_ANNIVERSARY)
    designated = _account("华星制造有限公司", "13800000001")  # 10 March 2024, 07:30 in Shanghai (the 9th in UTC)
    founded = _account("远东物流有限公司", "13800000002", founded=D(2001, 6, 18),
                       designated=dt.datetime(2025, 1, 5, 9, 0, tzinfo=SH))
    assert _run(D(2027, 3, 9))["actions"] == 0  # the designation's day in UTC is not the account's day
    assert _run(D(2027, 3, 10))["actions"] == 1
    assert _run(D(2027, 3, 10))["actions"] == 0  # the run repeats: nothing new
    assert _run(D(2027, 6, 18))["actions"] == 1
    assert [a.customer_id for a in CareAction.objects.order_by("occasion_date")] == [designated.customer_id,
                                                                                    founded.customer_id]
    action = CareAction.objects.get(customer=founded.customer)
    assert action.occasion_label == "大客户纪念日" and action.message.body == "尊敬的远东物流有限公司，感谢多年的合作！"
    assert OutboundMessage.objects.count() == 2
    assert _run(D(2024, 3, 10))["actions"] == 0  # the day of designation itself is no anniversary


def test_key_peoples_birthdays_greet_the_account_once_however_many_share_the_day():
    _rule(KEY_PERSON_BIRTHDAY, lead_days=2)
    account = _account("华星制造有限公司", "13800000001")
    for name in ("王总", "李总"):
        person = contact(SYSTEM, account.customer, name, birth_date=D(1972, 2, 29))
        key_person_add(actor=SYSTEM, account=account, contact=person, role="decision_maker")
    contact(SYSTEM, account.customer, "不是关键人", birth_date=D(1980, 5, 1))
    assert _run(D(2027, 2, 26))["actions"] == 1  # 29 February kept on the 28th in a common year
    assert _run(D(2027, 2, 26))["actions"] == 0 and CareAction.objects.get().occasion_date == D(2027, 2, 28)
    assert _run(D(2028, 2, 27))["actions"] == 1  # a leap year: the 29th
    assert _run(D(2027, 4, 29))["actions"] == 0
    key_account_dedesignate(actor=SYSTEM, account=account, reason="合作结束")
    assert _run(D(2029, 2, 26))["actions"] == 0  # no longer a key account
    assert CareAction.objects.count() == 2
