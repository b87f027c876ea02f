"""Demo data of key accounts: the 50 demo customers (organisations first) with the highest key-account
scores are designated (those below the threshold with an override reason), in three tiers, managed by
kam1 and kam2 (each backing the other up); their contacts form the org charts; competitors with their
share of wallet; plans with objectives for last year and this year."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.models import User
from guanxi.customers.enums import CustomerKind
from guanxi.customers.models import Contact, Customer
from guanxi.segments.models import CustomerValueSnapshot

from .enums import PersonRole, VisitKind
from .models import GreenProcess, GreenStep, GreenTemplate, KeyAccount, KeyAccountTier, Visit
from .selectors import revenue_by_month
from .services import (
    competitor_save,
    green_document_upload,
    green_process_start,
    green_step_complete,
    green_steps_escalate,
    key_account_designate,
    key_account_plan_save,
    key_person_add,
    visit_record,
    visit_schedule,
)

ACCOUNTS = 50
TIER_SPLIT = (("strategic", 10), ("key", 15), ("standard", 25))
REASONS = [
    "年收入贡献居前，合作关系稳定，纳入大客户管理",
    "战略行业客户，业务增长潜力大",
    "多业务融合客户，流失影响大，需专属服务",
    "政企信息化重点项目客户",
]
OVERRIDES = ["区域战略合作伙伴，虽评分未达标仍纳入", "集团总部指定重点客户"]
COMPETITORS = [
    ("中国移动", "专线、云服务"),
    ("中国联通", "宽带、数据中心"),
    ("中国电信", "固话、天翼云"),
    ("华为云", "云主机"),
]
ROLE_BY_TITLE = {
    "总经理": PersonRole.DECISION_MAKER,
    "财务总监": PersonRole.BUYER,
    "信息化部主管": PersonRole.TECHNICAL,
}
POSITIONING = "{name}是我司{tier}，以综合信息化解决方案为核心，巩固首选供应商地位。"
EXTERNAL = "行业数字化转型加速，竞争对手以低价专线切入；客户预算向云与安全倾斜。"
INTERNAL = "我方网络覆盖与本地服务团队有优势，方案响应速度需提升，云产品线较弱。"
OBJECTIVES = "收入增长 {growth}%，钱包份额提升至 {share}%，满意度不低于 {sat} 分，新签项目 {projects} 个。"
STRATEGY = "客户经理每月拜访决策层；联合解决方案团队推进专线扩容与云迁移项目；红色通道保障重大故障。"


def _chosen() -> list[int]:
    base = CustomerValueSnapshot.objects.filter(customer__deleted_at__isnull=True, customer__merged_into__isnull=True)
    best = ("-key_account_score", "customer_id")
    organisations = list(
        base.filter(customer__kind=CustomerKind.ORGANISATION)
        .order_by(*best)
        .values_list("customer_id", flat=True)[:ACCOUNTS]
    )
    if len(organisations) < ACCOUNTS:
        organisations += list(
            base.exclude(customer_id__in=organisations)
            .order_by(*best)
            .values_list("customer_id", flat=True)[: ACCOUNTS - len(organisations)]
        )
    return organisations


def key_accounts_demo_load(
    *, seed: int, scale: float, staff, customers: list[int], now: dt.datetime | None = None
) -> str:
    rng = random.Random(seed + 120)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    managers = list(User.objects.filter(username__in=("kam1", "kam2"), is_active=True).order_by("username"))
    if not managers:
        return "no key-account managers: no key accounts"
    tiers = {t.code: t for t in KeyAccountTier.objects.all()}
    ladder = [code for code, n in TIER_SPLIT for _ in range(n)]
    this_year = timezone.localdate(now).year
    made = people = plans = 0
    chosen = [pk for pk in _chosen() if not KeyAccount.objects.filter(customer_id=pk).exists()]
    for index, customer in enumerate(Customer.objects.filter(pk__in=chosen).order_by("id")):
        manager = managers[index % len(managers)]
        backup = managers[(index + 1) % len(managers)] if len(managers) > 1 else None
        tier = tiers.get(ladder[min(index, len(ladder) - 1)]) or next(iter(tiers.values()))
        designated = now - dt.timedelta(days=rng.randint(60, 700))
        last_year = sum(revenue_by_month(customer_id=customer.pk, year=this_year - 1), Decimal("0"))
        share = Decimal(rng.randint(35, 75))
        wallet = (
            (last_year * 100 / share).quantize(Decimal("1")) if last_year > 0 else Decimal(rng.randint(5, 50) * 10000)
        )
        account = key_account_designate(
            actor=SYSTEM,
            customer=customer,
            tier=tier,
            manager=manager,
            backup=backup,
            reason=rng.choice(REASONS),
            override_reason=rng.choice(OVERRIDES),
            wallet_estimate=wallet,
            now=designated,
        )
        made += 1
        contacts = list(Contact.objects.filter(customer=customer).order_by("id"))
        root = None
        for contact in contacts:
            person = key_person_add(
                actor=SYSTEM,
                account=account,
                contact=contact,
                role=ROLE_BY_TITLE.get(contact.title, rng.choice([PersonRole.INFLUENCER, PersonRole.USER])),
                influence=5 if root is None else rng.randint(2, 4),
                relationship=rng.randint(2, 5),
                reports_to=root,
            )
            root = root or person
            people += 1
        left = Decimal("100") - share
        for name, products in rng.sample(COMPETITORS, rng.randint(1, 2)):
            portion = (left * Decimal(rng.randint(30, 60)) / 100).quantize(Decimal("0.01"))
            competitor_save(actor=SYSTEM, account=account, name=name, share_of_wallet=portion, products=products)
            left -= portion
        for year in (this_year - 1, this_year):
            base = sum(revenue_by_month(customer_id=customer.pk, year=year - 1), Decimal("0")) or wallet * share / 100
            growth, projects = rng.randint(5, 20), rng.randint(1, 4)
            target_share, sat = min(share + rng.randint(3, 10), Decimal(95)), rng.choice((85, 88, 90))
            key_account_plan_save(
                actor=SYSTEM,
                account=account,
                year=year,
                data={
                    "positioning": POSITIONING.format(name=customer.name, tier=tier.name),
                    "external_analysis": EXTERNAL,
                    "internal_analysis": INTERNAL,
                    "strategy": STRATEGY,
                    "objectives_text": OBJECTIVES.format(growth=growth, share=target_share, sat=sat, projects=projects),
                    "revenue_target": (base * (100 + growth) / 100).quantize(Decimal("0.01")),
                    "share_target": target_share,
                    "satisfaction_target": sat,
                    "projects_target": projects,
                },
            )
            plans += 1
    red = red_channel_demo(rng=rng, now=now)
    return (
        f"{made} key accounts ({', '.join(m.username for m in managers)}), {people} key people, {plans} plans; {red}"
    )


# ---------------------------------------------------------------- green and yellow channels

VISIT_SUBJECTS = {
    VisitKind.MANAGER_VISIT: [
        "季度业务回顾拜访",
        "高层拜访：年度合作规划",
        "走访信息化部门了解需求",
        "专线扩容方案沟通",
    ],
    VisitKind.CUSTOMER_VISIT: ["客户来访参观数据中心", "客户来访洽谈云迁移", "客户技术团队来访交流"],
    VisitKind.FRIENDLY_SERVICE: ["中秋节慰问", "免费网络安全巡检", "重大活动通信保障", "春节慰问"],
}
OUTCOMES = [
    "客户对服务满意，提出带宽扩容需求",
    "了解到明年信息化预算增加，跟进云服务商机",
    "客户反映故障处理偏慢，已转服务经理跟进",
    "确认续约意向，下月启动合同谈判",
    "决策层关系良好，邀请参加行业沙龙",
]
PROCESS_TITLES = ["专线扩容项目", "云专网接入项目", "视频会议系统项目", "数据中心托管项目", "物联网卡批量开通"]


def _document(name: str) -> ContentFile:
    return ContentFile(f"{name}（演示文件）".encode(), name=f"{name}.pdf")


def _walk(account, template, *, started: dt.datetime, steps_done: int, rng: random.Random, title: str) -> None:
    """A process started at `started` with its first `steps_done` steps completed a working day or so apart."""
    process = green_process_start(actor=SYSTEM, account=account, template=template, title=title, now=started)
    moment = started
    for step in GreenStep.objects.filter(process=process).order_by("position")[:steps_done]:
        moment += dt.timedelta(hours=rng.randint(4, 60))
        for name in step.required_documents:
            green_document_upload(actor=SYSTEM, step=step, name=name, upload=_document(name), now=moment)
        green_step_complete(actor=SYSTEM, step=step, notes=rng.choice(OUTCOMES), now=moment)


def key_account_channels_demo_load(
    *, seed: int, scale: float, staff, customers: list[int], now: dt.datetime | None = None
) -> str:
    """Green-channel processes in every state (completed, in progress, late) and two years of visits,
    customers' visits and friendly services for the demo's key accounts; a second load adds nothing."""
    rng = random.Random(seed + 121)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    if GreenProcess.objects.exists() or Visit.objects.exists():
        return "green and yellow channels loaded already"
    template = GreenTemplate.objects.filter(is_active=True).order_by("id").first()
    accounts = list(KeyAccount.objects.filter(is_active=True).select_related("tier", "customer").order_by("id"))
    processes = visits = 0
    for index, account in enumerate(accounts):
        if template is not None:
            if index % 4 == 0:  # a project finished within the last two years
                _walk(
                    account,
                    template,
                    started=now - dt.timedelta(days=rng.randint(60, 700)),
                    steps_done=5,
                    rng=rng,
                    title=f"{account.customer.name} · {rng.choice(PROCESS_TITLES)}",
                )
                processes += 1
            if index % 3 == 0:  # one in progress, at any step; the older ones run late
                _walk(
                    account,
                    template,
                    started=now - dt.timedelta(days=rng.randint(2, 40)),
                    steps_done=rng.randint(0, 4),
                    rng=rng,
                    title=f"{account.customer.name} · {rng.choice(PROCESS_TITLES)}",
                )
                processes += 1
        cadence = account.tier.visit_cadence_days
        moment = now - dt.timedelta(days=730) + dt.timedelta(days=rng.randint(0, 20))
        while moment < now - dt.timedelta(days=1):
            kind = rng.choices(list(VISIT_SUBJECTS), weights=(6, 1, 1))[0]
            visit = visit_schedule(
                actor=SYSTEM,
                account=account,
                kind=kind,
                scheduled_at=moment,
                subject=rng.choice(VISIT_SUBJECTS[kind]),
                now=moment,
            )
            visit_record(actor=SYSTEM, visit=visit, outcome=rng.choice(OUTCOMES), now=moment + dt.timedelta(hours=2))
            visits += 1
            moment += dt.timedelta(days=max(cadence, 30) * rng.uniform(0.8, 1.6), hours=rng.randint(-3, 3))
        ahead = now + dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
        visit_schedule(
            actor=SYSTEM,
            account=account,
            kind=VisitKind.MANAGER_VISIT,
            scheduled_at=ahead,
            subject=rng.choice(VISIT_SUBJECTS[VisitKind.MANAGER_VISIT]),
            now=now,
        )
        visits += 1
    late = green_steps_escalate(actor=SYSTEM, now=now)
    return f"{processes} green-channel processes ({late} steps late), {visits} visits"


RED_STANDARDS = (("first_response", 15, "红色通道首次响应"), ("resolution", 240, "红色通道解决时限"),
                 ("fault_repair", 180, "红色通道故障修复"))
RED_SUBJECTS = ["专线中断，业务受影响", "视频会议系统频繁掉线", "对账单金额有误，投诉", "机房电路告警"]


def red_channel_demo(*, rng: random.Random, now: dt.datetime) -> str:
    """The red channel (红色通道): its team, tighter standards on the office calendar and a rule for every
    tier; a few key accounts' faults and complaints opened over the last days, routed through it."""
    from guanxi.accounts.enums import Role, TeamKind
    from guanxi.accounts.models import Team
    from guanxi.accounts.services import team_create
    from guanxi.servicedesk.models import BusinessCalendar, ServiceStandard
    from guanxi.servicedesk.services.standards import standard_save
    from guanxi.servicedesk.services.tickets import ticket_create

    from .models import RedChannelRule
    from .services import red_channel_rule_save

    calendar = BusinessCalendar.objects.order_by("id").first()
    agent = User.objects.filter(role=Role.AGENT, is_active=True).order_by("id").first()
    if calendar is None or agent is None or RedChannelRule.objects.exists():
        return "no red channel"
    team = Team.objects.filter(name="大客户红色通道班组").first() or team_create(
        actor=SYSTEM, name="大客户红色通道班组", kind=TeamKind.SERVICE)
    standards = [
        ServiceStandard.objects.filter(code=f"red-{metric}").first()
        or standard_save(actor=SYSTEM, data={"code": f"red-{metric}", "name": name, "metric": metric,
                                             "target_minutes": minutes, "calendar": calendar.pk,
                                             "warning_percent": 50, "breach_actions": ["notify", "escalate"]})
        for metric, minutes, name in RED_STANDARDS
    ]
    red_channel_rule_save(actor=SYSTEM, name="大客户红色通道", team=team, standards=standards)
    accounts = list(KeyAccount.objects.filter(is_active=True).select_related("customer").order_by("id")[:6])
    for index, account in enumerate(accounts):
        ticket_create(actor=SYSTEM, customer=account.customer, at=now - dt.timedelta(hours=6 + 20 * index),
                      data={"subject": rng.choice(RED_SUBJECTS), "type": "complaint" if index % 3 == 2 else "fault",
                            "channel": "key_accounts", "priority": 2})
    return f"red channel with {len(accounts)} cases"
