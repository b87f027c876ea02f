"""Demo data of customer care: rules for birthday greetings, 春节 and 中秋 greetings, a 中秋 gift for
VIP customers and contract anniversary visits; one customer in seven keeps a lunar birthday; then
the daily care run played for every day of the past year, so history, costs and tasks are filled."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Customer
from guanxi.segments.enums import SegmentKind
from guanxi.segments.models import Segment

from .enums import ActionKind, BirthdayCalendar, CareChannel, Festival, OccasionKind
from .models import CareProfile, CareRule
from .services import care_rule_save, care_run

RULES = [
    {"name": "生日祝福短信", "occasion": OccasionKind.BIRTHDAY, "action": ActionKind.GREETING,
     "channel": CareChannel.SMS, "template": "尊敬的{name}，华星通信祝您生日快乐，身体健康，万事如意！",
     "cost_per_action": Decimal("0.05"), "budget": Decimal("500")},
    {"name": "春节祝福短信", "occasion": OccasionKind.LUNAR_FESTIVAL, "occasion_key": Festival.SPRING,
     "action": ActionKind.GREETING, "channel": CareChannel.SMS, "lead_days": 1,
     "template": "{name}您好，华星通信恭祝您新春快乐，阖家幸福！", "cost_per_action": Decimal("0.05")},
    {"name": "中秋祝福短信", "occasion": OccasionKind.LUNAR_FESTIVAL, "occasion_key": Festival.MID_AUTUMN,
     "action": ActionKind.GREETING, "channel": CareChannel.SMS,
     "template": "{name}您好，华星通信祝您中秋快乐，花好月圆！", "cost_per_action": Decimal("0.05")},
    {"name": "大客户中秋月饼礼盒", "occasion": OccasionKind.LUNAR_FESTIVAL, "occasion_key": Festival.MID_AUTUMN,
     "action": ActionKind.GIFT, "channel": CareChannel.TASK, "lead_days": 7, "vip": True,
     "cost_per_action": Decimal("198"), "budget": Decimal("20000")},
    {"name": "合同周年拜访", "occasion": OccasionKind.CONTRACT_ANNIVERSARY, "action": ActionKind.VISIT,
     "channel": CareChannel.TASK, "lead_days": 3, "cost_per_action": Decimal("50")},
]
LUNAR_SHARE = 7  # one customer in seven keeps a lunar birthday


def care_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime | None = None) -> str:
    rng = random.Random(seed + 90)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    vip = Segment.objects.filter(kind=SegmentKind.PYRAMID, system_key="vip").first()
    for data in RULES:
        data = dict(data)
        wants_vip = data.pop("vip", False)
        if wants_vip and vip is None:
            continue
        if not CareRule.objects.filter(name=data["name"]).exists():
            care_rule_save(actor=SYSTEM, data={**data, "segment": vip if wants_vip else None})
    born = list(Customer.objects.alive().filter(birth_date__isnull=False).order_by("id").values_list("pk", flat=True))
    lunar = rng.sample(born, len(born) // LUNAR_SHARE)
    CareProfile.objects.bulk_create([CareProfile(customer_id=pk, birthday_calendar=BirthdayCalendar.LUNAR)
                                     for pk in lunar], ignore_conflicts=True)
    today = timezone.localdate(now)
    totals = {"actions": 0, "messages": 0, "tasks": 0}
    for back in range(365, -1, -1):
        day = today - dt.timedelta(days=back)
        moment = min(now, timezone.make_aware(dt.datetime.combine(day, dt.time(7)), timezone.get_current_timezone()))
        result = care_run(actor=SYSTEM, day=day, now=moment, deliver=False)
        for key in totals:
            totals[key] += result[key]
    return (f"{CareRule.objects.count()} care rules, {len(lunar)} lunar birthdays; a year of care runs: "
            f"{totals['actions']} actions, {totals['messages']} greetings, {totals['tasks']} tasks")
