"""Test worlds for care: customers with birthdays, rules, a contract."""

import datetime as dt
from decimal import Decimal

from guanxi.accounts.access import SYSTEM
from guanxi.customers.tests.factories import make_customer
from guanxi.orders.models import Contract

from ..enums import ActionKind, CareChannel, OccasionKind
from ..services import care_rule_save

_numbers = iter(range(10_000_000))


def customer(name="张三", birth=None, owner=None, **data):
    n = next(_numbers)
    data.setdefault("mobile", f"138{n:08d}")
    return make_customer(SYSTEM, name=name, birth_date=birth, **({"owner": owner.pk} if owner else {}), **data)


def greeting_rule(occasion=OccasionKind.BIRTHDAY, **data):
    return care_rule_save(actor=SYSTEM, data={
        "name": f"{occasion} greeting", "occasion": occasion, "action": ActionKind.GREETING,
        "channel": CareChannel.SMS, "template": "尊敬的{name}，祝您生日快乐！", "cost_per_action": Decimal("0.05"),
        **data})


def task_rule(occasion=OccasionKind.CONTRACT_ANNIVERSARY, action=ActionKind.VISIT, **data):
    return care_rule_save(actor=SYSTEM, data={
        "name": f"{occasion} {action}", "occasion": occasion, "action": action, "channel": CareChannel.TASK,
        "cost_per_action": Decimal("50"), **data})


def contract(customer, owner, signed_on: dt.date, status=Contract.Status.ACTIVE):
    return Contract.objects.create(number=f"HT{next(_numbers)}", title="年度服务合同", customer=customer, owner=owner,
                                   status=status, amount=Decimal("100000"), signed_on=signed_on,
                                   starts_on=signed_on, ends_on=signed_on + dt.timedelta(days=3650))
