"""Demo data of the value module: a value run over the demo customers and their ledger (the
customers app's transactions demo step runs before this one), tiered service on the pyramid's
top levels, and a few saved segments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import KEY_ACCOUNTS_TEAM, SERVICE_TEAMS, DemoStaff
from guanxi.accounts.enums import Role

from .enums import SegmentKind, ServiceLevel, ServiceMode
from .models import Segment
from .services import segment_create, segment_update, value_recompute

DEMO_SEGMENTS = (
    ("高价值流失风险客户",
     "VIP 与大客户中处于流失风险的客户：生命周期为有风险，或仍活跃概率低于 50%，或属于需保持/挽留的重要客户。",
     {"match": "all", "rules": [
         {"field": "value_level", "op": "in", "value": ["vip", "large"]},
         {"match": "any", "rules": [
             {"field": "lifecycle_stage", "op": "eq", "value": "at_risk"},
             {"field": "p_alive", "op": "lt", "value": "0.5"},
             {"field": "rfm_segment", "op": "in", "value": ["important_retain", "important_winback"]},
         ]},
     ]}),
    ("VIP 宽带客户", "价值金字塔为 VIP 且持有宽带业务的客户。",
     {"match": "all", "rules": [
         {"field": "value_level", "op": "eq", "value": "vip"},
         {"field": "holds", "op": "has_any", "value": ["宽带"]},
     ]}),
    ("大客户候选", "大客户综合评分达到 60 分、近一年有消费的客户。",
     {"match": "all", "rules": [
         {"field": "key_account_score", "op": "gte", "value": "60"},
         {"field": "last_purchase", "op": "within_days", "value": 365},
     ]}),
)


def value_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                    now: dt.datetime | None = None) -> str:
    """A value run over every customer as of `now`'s day, tiered service for VIP and large customers,
    and the demo segments (shared, owned by the analyst)."""
    run = value_recompute(actor=SYSTEM, as_of=timezone.localdate(now) if now else None)
    admin = staff.admin
    owner = next(iter(staff.by_role(Role.ANALYST)), admin)
    tiers = (("vip", 1, ServiceLevel.PLATINUM, ServiceMode.DEDICATED, "7×24", KEY_ACCOUNTS_TEAM,
              "专属客户经理一对一服务，故障与投诉走红色通道优先处理，每季度上门回访。"),
             ("large", 2, ServiceLevel.GOLD, ServiceMode.PRIORITY_HOTLINE, "每天 8:00–22:00", SERVICE_TEAMS[0],
              "VIP 热线优先接入，业务办理免排队，每半年电话回访。"))
    for key, priority, level, mode, hours, team, content in tiers:
        segment = Segment.objects.filter(kind=SegmentKind.PYRAMID, system_key=key).first()
        if segment and segment.service_priority is None:
            segment_update(actor=admin, segment=segment, data={
                "service_priority": priority, "service_level": level, "service_mode": mode, "service_hours": hours,
                "service_team": staff.teams.get(team), "service_content": content})
    made = 0
    for name, description, definition in DEMO_SEGMENTS:
        if not Segment.objects.filter(kind=SegmentKind.RULE, name=name).exists():
            segment_create(actor=owner, data={"name": name, "description": description, "definition": definition,
                                              "is_shared": True})
            made += 1
    clv = "CLV fitted" if run.summary.get("clv", {}).get("fitted") else "no CLV"
    return f"value run over {run.customers} customers in {run.seconds:.1f}s ({clv}), {made} segments"
