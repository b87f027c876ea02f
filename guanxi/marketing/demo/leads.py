"""Demo leads (线索) of 华星通信 over the two years before `now`: from the public web forms, outlets,
events, partners, imported lists and staff, each source with its own qualification rate; older leads
mostly worked through (qualified, converted into the customers they became, or disqualified with a
reason), recent ones still new or contacted, some in the pool. Bulk-written (a few thousand rows in
seconds), with history rows and the capture dates set in one prepared statement."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.customers.models import Customer

from ..enums import Authority, DisqualifyReason, LeadSource, LeadStatus, Timeline
from ..models import Lead, WebForm
from ..rules import name_key
from ..services.leads import web_form_create

LEADS_AT_SCALE_1 = 3000
DAYS = 730
# source → (share of leads, qualified share of those worked, converted share of those qualified)
SOURCES = {
    LeadSource.WEB_FORM: (0.32, 0.22, 0.35),
    LeadSource.OUTLET: (0.20, 0.38, 0.55),
    LeadSource.EVENT: (0.14, 0.30, 0.40),
    LeadSource.PARTNER: (0.12, 0.42, 0.50),
    LeadSource.IMPORT: (0.12, 0.10, 0.25),
    LeadSource.MANUAL: (0.10, 0.35, 0.50),
}
DETAILS = {
    LeadSource.WEB_FORM: ("官网咨询表单", "5G 套餐活动页"),
    LeadSource.OUTLET: ("福田营业厅", "天河营业厅", "浦东营业厅", "朝阳营业厅"),
    LeadSource.EVENT: ("2025 通信展", "中小企业数字化峰会", "社区宽带推广日"),
    LeadSource.PARTNER: ("鑫达通信代理",),
    LeadSource.IMPORT: ("展会名单导入", "合作伙伴名单导入"),
    LeadSource.MANUAL: ("",),
}
INTERESTS = ("千兆宽带", "5G 融合套餐", "企业专线", "云电脑", "IPTV 高清电视", "物联网卡", "企业宽带", "视频监控",
             "全屋 WiFi", "固话升级")
INDUSTRIES = ("制造业", "零售", "教育", "医疗", "物流", "餐饮", "软件和信息服务", "房地产", "")
PROVINCES = ("广东省", "上海市", "北京市", "浙江省", "江苏省", "四川省", "湖北省")
DISQUALIFY = (DisqualifyReason.NO_NEED, DisqualifyReason.NO_BUDGET, DisqualifyReason.UNREACHABLE,
              DisqualifyReason.COMPETITOR, DisqualifyReason.DUPLICATE, DisqualifyReason.INVALID)
DISQUALIFY_WEIGHTS = (30, 20, 25, 12, 8, 5)


def _source(rng: random.Random) -> str:
    return rng.choices(list(SOURCES), weights=[v[0] for v in SOURCES.values()])[0]


def _mobile(rng: random.Random) -> str:
    return "+861" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _moment(rng: random.Random, now: dt.datetime) -> dt.datetime:
    """A working hour some day of the two years before now, more of them lately (the business grows)."""
    days = int(DAYS * (1 - rng.random() ** 0.8))
    day = now - dt.timedelta(days=days)
    moment = timezone.localtime(day).replace(hour=rng.randint(9, 20), minute=rng.randint(0, 59), second=0,
                                             microsecond=0)
    return min(moment, now - dt.timedelta(hours=1))


def _work(lead: Lead, rng: random.Random, now: dt.datetime, customers: list[Customer]) -> None:
    """How far the lead got by now: leads a month old or more were mostly worked through."""
    age = (now - lead.created_at).days
    _share, qualify_rate, convert_rate = SOURCES[lead.source]
    if age < 3 or (age < 30 and rng.random() < 0.5):
        return  # still new
    step = lambda days: min(lead.created_at + dt.timedelta(days=days, hours=rng.randint(1, 8)), now)  # noqa: E731
    lead.status, lead.contacted_at = LeadStatus.CONTACTED, step(rng.uniform(0.1, 3))
    if age < 14 and rng.random() < 0.6:
        return
    if rng.random() < qualify_rate:
        lead.status, lead.qualified_at = LeadStatus.QUALIFIED, step(rng.uniform(3, 14))
        lead.timeline = rng.choice((Timeline.MONTH, Timeline.QUARTER, Timeline.HALF_YEAR))
        lead.authority = rng.choice((Authority.DECISION_MAKER, Authority.DECISION_MAKER, Authority.INFLUENCER))
        lead.budget = Decimal(rng.choice((200, 500, 1200, 5000, 20000, 80000)))
        lead.need = lead.interest
        if age > 30 and customers and rng.random() < convert_rate:
            customer = customers.pop()
            lead.status, lead.closed_at, lead.customer = LeadStatus.CONVERTED, step(rng.uniform(15, 45)), customer
            lead.person_name = customer.name if customer.kind == "individual" else lead.person_name
            lead.company_name = "" if customer.kind == "individual" else customer.name
            lead.mobile = customer.mobile or lead.mobile
    elif age > 20 and rng.random() < 0.85:
        lead.status, lead.closed_at = LeadStatus.DISQUALIFIED, step(rng.uniform(5, 20))
        lead.disqualify_reason = rng.choices(DISQUALIFY, weights=DISQUALIFY_WEIGHTS)[0]


def lead_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                   now: dt.datetime | None = None) -> str:
    """Two public web forms and about LEADS_AT_SCALE_1 × scale leads (at least 40)."""
    now = now or timezone.now()
    rng, faker = random.Random(seed + 50), Faker("zh_CN")  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    faker.seed_instance(seed + 50)
    forms = {slug: WebForm.objects.filter(slug=slug).first() or web_form_create(
        actor=SYSTEM, slug=slug, title=title, intro=intro, interest_label="您感兴趣的业务")
        for slug, title, intro in (
            ("contact", "官网咨询表单", "留下您的联系方式，华星通信客户经理将在一个工作日内与您联系。"),
            ("5g", "5G 套餐活动页", "预约 5G 融合套餐，免费上门测速与安装。"))}
    owners = [u for u in staff.users if u.role in (Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER)]
    partner = next(iter(staff.by_role(Role.PARTNER)), None)
    convertible = list(Customer.objects.filter(pk__in=customers).only("id", "name", "kind", "mobile").order_by("id"))
    rng.shuffle(convertible)
    convertible = convertible[: max(1, len(convertible) // 5)]
    leads = []
    for _ in range(max(40, int(LEADS_AT_SCALE_1 * scale))):
        source = _source(rng)
        company = faker.company() if rng.random() < 0.45 else ""
        lead = Lead(person_name=faker.name(), company_name=company, mobile=_mobile(rng),
                    email=faker.free_email() if rng.random() < 0.4 else "", province=rng.choice(PROVINCES),
                    city=faker.city_name(), industry=rng.choice(INDUSTRIES) if company else "", source=source,
                    source_detail=rng.choice(DETAILS[source]), interest=rng.choice(INTERESTS),
                    web_form=(forms["contact" if rng.random() < 0.7 else "5g"] if source == LeadSource.WEB_FORM
                              else None),
                    created_by=partner if source == LeadSource.PARTNER else None,
                    partner=partner.team if source == LeadSource.PARTNER and partner else None)
        lead.created_at = _moment(rng, now)
        _work(lead, rng, now, convertible)
        if owners and (lead.status != LeadStatus.NEW or rng.random() < 0.5):
            lead.owner = rng.choice(owners)
            lead.team_id = lead.owner.team_id
        if lead.source == LeadSource.WEB_FORM and lead.web_form.title != lead.source_detail:
            lead.source_detail = lead.web_form.title
        lead.name_key = name_key(person_name=lead.person_name, company_name=lead.company_name)
        lead._history_date = lead.closed_at or lead.qualified_at or lead.contacted_at or lead.created_at
        leads.append(lead)
    leads.sort(key=lambda lead: lead.created_at)
    moments = [lead.created_at for lead in leads]
    bulk_create_with_history(leads, Lead, batch_size=500)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # bulk_create stamps auto_now_add fields with the current time
        cursor.executemany(
            f"UPDATE {quote(Lead._meta.db_table)} SET {quote('created_at')} = %s, {quote('updated_at')} = %s "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            f"WHERE {quote('id')} = %s",
            [(connection.ops.adapt_datetimefield_value(at), connection.ops.adapt_datetimefield_value(
                lead._history_date), lead.pk) for lead, at in zip(leads, moments, strict=True)])
    counts = {status: sum(lead.status == status for lead in leads) for status in LeadStatus.values}
    return (f"{len(leads)} leads over two years ({counts['qualified']} qualified, {counts['converted']} converted, "
            f"{counts['disqualified']} disqualified, {counts['new'] + counts['contacted']} open)")
