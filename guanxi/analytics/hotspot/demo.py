"""Demo hotspot (焦点): a planted story on top of the service desk's ordinary cases — in the week
three weeks before now, customers of the 华星X1 phone ask and complain about its battery swelling
and draining (电池鼓包, 续航), far above the usual level; then an analysis of the last 26 weeks,
which must find that week's spike."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.customers.models import Customer
from guanxi.servicedesk.enums import Channel, TicketStatus, TicketType
from guanxi.servicedesk.models import TicketCategory
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

from .services import hotspot_run_create

PLANTED_CASES = 36
WEEKS_AGO = 3
STORY = (
    (TicketType.CONSULTATION, "华星X1手机电池鼓包能否三包换货",
     "客户的华星X1手机使用两个月后电池鼓包，后盖被顶起，咨询能否按三包规定免费更换电池或换货。"),
    (TicketType.QUERY, "查询华星X1电池续航异常的检测进度",
     "客户的华星X1手机充满电后续航不足半天且充电时严重发热，上周送检，查询电池检测结果。"),
    (TicketType.CONSULTATION, "华星X1充电发烫电池鼓包是否安全",
     "客户反映华星X1手机充电时发烫，电池有鼓包迹象，担心安全问题，咨询是否需要停止使用并退货。"),
)


def planted_week(now: dt.datetime) -> dt.date:
    """The Monday of the planted week."""
    today = timezone.localdate(now)
    return today - dt.timedelta(days=today.weekday(), weeks=WEEKS_AGO)


def hotspot_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime) -> str:
    if not customers:
        return "no customers: no hotspot story"
    rng = random.Random(seed + 40)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    agents = staff.by_role(Role.AGENT) or staff.by_role(Role.TEAM_LEAD)
    category = TicketCategory.objects.filter(name="手机故障").first()
    monday = planted_week(now)
    tz = timezone.get_current_timezone()
    pool = list(Customer.objects.filter(pk__in=customers).only("id", "arpu", "created_at"))
    for n in range(max(12, round(PLANTED_CASES * min(scale, 1.0)))):
        ticket_type, subject, description = STORY[n % len(STORY)]
        day = monday + dt.timedelta(days=rng.randrange(7))
        at = dt.datetime.combine(day, dt.time(rng.randrange(9, 20), rng.randrange(60)), tzinfo=tz)
        customer = rng.choice([c for c in pool if c.created_at < at] or pool)
        owner = agents[n % len(agents)]
        ticket = ticket_create(actor=owner, customer=customer, at=at, data={
            "subject": subject, "description": description, "type": ticket_type, "category": category,
            "channel": rng.choice((Channel.HOTLINE, Channel.WECHAT, Channel.OUTLET))})
        ticket_transition(actor=owner, ticket=ticket, status=TicketStatus.RESOLVED,
                          reason="已转厂商检测，按三包规定处理", at=at + dt.timedelta(hours=rng.uniform(1, 20)))
    run = hotspot_run_create(actor=SYSTEM, end=timezone.localdate(now))
    found = [s for s in run.result["spikes"] if s["week"] == monday.isoformat()]
    return (f"hotspot: {run.documents} cases analysed, {len(run.result['topics'])} topics, "
            f"{len(found)} spikes in the planted week")
