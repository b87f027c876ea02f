"""The sales demo for 华星通信: regions (the sales regions and their provinces), outlets, where each
representative works, and two years of opportunities for every seller, played through the services
with `at=` so that stage history, times in stage, wins, losses and reasons are those of real deals.

Win rates differ by channel (direct sales win most, telesales least) and by representative (a skill
factor each); stage durations are drawn per stage; amounts depend on the channel (direct deals are
the large ones). Deals still running at `now` stay open in the stage they reached, so the board and
the forecast have a pipeline. Quotas per representative and team and month / quarter are set near
what each has been winning, so attainment lies around 100 %.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import MORE_PARTNERS, SALES_REGIONS, DemoStaff
from guanxi.accounts.enums import Role
from guanxi.catalog.models import Product
from guanxi.customers.models import Customer
from guanxi.marketing.enums import LeadSource, LeadStatus
from guanxi.marketing.models import Lead
from guanxi.marketing.services.leads import lead_create

from ..models import DealReason, Opportunity, Outlet, Period, SalesChannel, SalesExpense
from ..selectors.configuration import stage_list
from ..selectors.forecast import period_start_of
from ..services.analysis import expense_set
from ..services.configuration import outlet_save, region_save, rep_assign
from ..services.expenses import expense_delete, expense_record
from ..services.opportunities import (
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_update,
    opportunity_win,
)
from ..services.quotas import quota_set

LEAD_CITIES = ("深圳", "杭州", "成都", "天津", "苏州", "重庆", "西安", "济南")
LEAD_COMPANIES = ("鼎新科技有限公司", "汇通物流有限公司", "佳和餐饮管理有限公司", "明德教育咨询有限公司",
                  "恒信建材有限公司", "瑞丰商贸有限公司")
LEAD_PEOPLE = ("王磊", "李静", "张伟", "刘洋", "陈晨", "杨帆", "赵敏", "周杰")

DEALS_PER_SELLER = 45  # at scale 1.0, over two years
HISTORY_DAYS = 730
# channel: (win rate, median amount in yuan, lost reasons most heard)
CHANNELS = {
    "direct": (0.42, 180_000, ("竞争对手抢单", "价格偏高")),
    "outlet": (0.34, 12_000, ("价格偏高", "跟进不及时")),
    "telesales": (0.16, 6_000, ("客户预算取消", "跟进不及时")),
    "partner": (0.28, 45_000, ("竞争对手抢单", "覆盖或技术不满足")),
    "online": (0.22, 4_000, ("价格偏高", "客户预算取消")),
}
SELLER_CHANNELS = {Role.SALES_REP: ("direct", "outlet", "telesales", "online"), Role.SALES_MANAGER: ("direct",),
                   Role.KEY_ACCOUNT_MANAGER: ("direct",), Role.PARTNER: ("partner",)}
STAGE_DAYS = (6, 10, 14, 12)  # mean days in each open stage, in order
PRODUCTS = ("企业专线", "千兆宽带", "IPTV 套餐", "云电脑", "物联网卡", "5G 专网", "政企融合套餐", "视频监控",
            "IDC 托管", "SD-WAN 组网", "家庭宽带升级", "手机合约套餐")
COMPETITORS = (("中国移动", "报价低约 10%"), ("中国联通", "已有线路，切换成本低"), ("广电网络", "捆绑电视业务"),
               ("本地 ISP", "安装快"))


# channel: the model-code prefixes of the products it mostly sells (the deal's main product)
CHANNEL_PRODUCTS = {
    "direct": ("ENT-", "CLOUD-", "IOT-"),
    "outlet": ("HX-", "MY-", "BB-", "PLAN-"),
    "telesales": ("PLAN-", "SVC-", "PACK-", "BB-"),
    "partner": ("BB-", "ENT-BB", "IPTV-", "HX-", "IOT-"),
    "online": ("PLAN-", "PACK-", "SVC-", "IPTV-"),
}
# channel: sales expense per deal worked (travel, commissions, outlet running), in yuan
CHANNEL_COST = {"direct": 6_000, "outlet": 900, "telesales": 300, "partner": 3_500, "online": 150}


def _products(rng: random.Random) -> dict[str, list]:
    """Per channel, the catalogue's products it sells (every product when none matches)."""
    products = list(Product.objects.filter(is_active=True).order_by("model_code"))
    out = {}
    for code, prefixes in CHANNEL_PRODUCTS.items():
        out[code] = [p for p in products if p.model_code.startswith(prefixes)] or products
    return out


def _outlets_by_seller(sellers) -> dict[int, list]:
    """Per seller, the outlets a deal of theirs is booked at: their own, else their region's."""
    outlets = list(Outlet.objects.filter(is_active=True).select_related("region__parent").order_by("id"))
    out = {}
    for seller in sellers:
        assignment = getattr(seller, "sales_assignment", None)
        if assignment is not None and assignment.outlet_id:
            out[seller.pk] = [assignment.outlet]
            continue
        region = (seller.team.region if seller.team else "") or ""
        out[seller.pk] = [o for o in outlets if o.region.parent and o.region.parent.name == region] or outlets
    return out


def _organisation(rng: random.Random, staff: DemoStaff) -> int:
    regions = {}
    for name, provinces in SALES_REGIONS.items():
        regions[name] = region_save(actor=SYSTEM, name=name)
        for province in provinces[:2]:
            region = region_save(actor=SYSTEM, name=province, parent=regions[name])
            for i in range(2):
                outlet_save(actor=SYSTEM, name=f"{province[:2]}{('中心', '城东')[i]}营业厅", region=region,
                            address=f"{province}{rng.randint(1, 300)}号")
    sellers = [u for role in SELLER_CHANNELS for u in staff.by_role(role)]
    for user in sellers:
        region = regions.get((user.team.region if user.team else "") or "")
        if region is not None:
            outlet = region.children.first().outlets.order_by("id").first() if user.role == Role.SALES_REP else None
            rep_assign(actor=SYSTEM, user=user, region=region, outlet=outlet)
    return len(regions)


def _amount(rng: random.Random, median: int) -> Decimal:
    return Decimal(round(median * rng.lognormvariate(0, 0.6), -2)).quantize(Decimal("0.01"))


def _reasons() -> dict[str, dict[str, DealReason]]:
    reasons: dict[str, dict[str, DealReason]] = {"won": {}, "lost": {}}
    for reason in DealReason.objects.filter(is_active=True):
        reasons[reason.kind][reason.name] = reason
    return reasons


def _play(rng: random.Random, now: dt.datetime, seller, customer, channel: SalesChannel, skill: float,
          reasons, *, product=None, outlet=None, creator=None) -> tuple[str, Decimal, dt.datetime]:
    """One deal from its creation to where it stands at `now`: (status, amount, closed or created at)."""
    rate, median, usual_losses = CHANNELS[channel.code]
    open_stages = [s for s in stage_list(active_only=True) if not s.is_terminal]
    # Within two years, and never before the company knew the customer.
    earliest = max(now - dt.timedelta(days=HISTORY_DAYS), customer.created_at)
    start = earliest + (now - dt.timedelta(days=3) - earliest) * rng.random()
    # The chance to pass each open stage, so that passing all of them gives the win rate.
    step = min(0.97, (rate * skill) ** (1 / len(open_stages)))
    expected = start + dt.timedelta(days=sum(STAGE_DAYS) * rng.uniform(0.8, 1.4))
    opportunity = opportunity_create(
        actor=creator or seller, owner=seller if creator else None, customer=customer,
        name=product.name if product else rng.choice(PRODUCTS), amount=_amount(rng, median),
        product=product, outlet=outlet,
        expected_close_date=timezone.localdate(expected), channel=channel,
        source=rng.choice(("客户来电", "老客户推荐", "营业厅到访", "展会", "官网留言")),
        competitors=[{"name": n, "note": note} for n, note in rng.sample(COMPETITORS, rng.choice((0, 0, 1, 2)))],
        at=start)
    at = start
    for index in range(len(open_stages)):
        at += dt.timedelta(days=rng.gammavariate(2.0, STAGE_DAYS[index % len(STAGE_DAYS)] / 2.0))
        if at >= now:
            # Still running: the representative has moved its close date into the coming weeks.
            if opportunity.expected_close_date < timezone.localdate(now):
                opportunity_update(actor=seller, opportunity=opportunity, data={
                    "expected_close_date": timezone.localdate(now + dt.timedelta(days=rng.randint(3, 100)))})
            return "open", opportunity.amount, start
        if rng.random() > step:
            name = rng.choice(usual_losses) if rng.random() < 0.7 else rng.choice(list(reasons["lost"]))
            opportunity_lose(actor=seller, opportunity=opportunity, reason=reasons["lost"][name],
                             note="", at=at)
            return "lost", opportunity.amount, at
        if index + 1 < len(open_stages):
            opportunity_move(actor=seller, opportunity=opportunity, stage=open_stages[index + 1], at=at)
    won = rng.choice(list(reasons["won"].values())) if reasons["won"] and rng.random() < 0.8 else None
    opportunity_win(actor=seller, opportunity=opportunity, reason=won, at=at)
    return "won", opportunity.amount, at


def _quotas(rng: random.Random, now: dt.datetime, sellers, won: dict) -> int:
    """Monthly and quarterly quotas near what each seller has won per month, and their teams' sums."""
    today = timezone.localdate(now)
    months, day = [], period_start_of(Period.MONTH, today - dt.timedelta(days=HISTORY_DAYS))
    while day <= today + dt.timedelta(days=92):
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    made, team_month = 0, defaultdict(Decimal)
    for seller in sellers:
        monthly = sum(won[seller.pk].values(), Decimal(0)) / max(1, len(months) - 3)
        if not monthly:
            continue
        quarters = defaultdict(Decimal)
        for month in months:
            amount = Decimal(round(float(monthly) * rng.uniform(0.85, 1.2), -3))
            quota_set(actor=SYSTEM, period=Period.MONTH, period_start=month, amount=amount, user=seller)
            quarters[period_start_of(Period.QUARTER, month)] += amount
            team_month[(seller.team, Period.MONTH, month)] += amount
            made += 1
        for quarter, amount in quarters.items():
            quota_set(actor=SYSTEM, period=Period.QUARTER, period_start=quarter, amount=amount, user=seller)
            team_month[(seller.team, Period.QUARTER, quarter)] += amount
    for (team, kind, start), amount in team_month.items():
        quota_set(actor=SYSTEM, period=kind, period_start=start, amount=amount, team=team)
        made += 1
    return made


def sales_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                    now: dt.datetime | None = None) -> str:
    """The sales organisation, two years of deals for every seller on their own customers, quotas."""
    rng = random.Random(seed + 40)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    regions = _organisation(rng, staff)
    channels = {c.code: c for c in SalesChannel.objects.filter(is_active=True)}
    reasons = _reasons()
    per_seller = max(3, round(DEALS_PER_SELLER * scale))
    sellers = [u for role in SELLER_CHANNELS for u in staff.by_role(role) if u.is_active]
    won: dict = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[str, int] = defaultdict(int)
    products, outlets = _products(rng), _outlets_by_seller(sellers)
    worked: dict = defaultdict(int)  # (team, month, channel) → deals worked, for the sales expenses
    for seller in sellers:
        own = list(Customer.objects.alive().filter(owner=seller, created_at__lt=now - dt.timedelta(days=3))
                   .order_by("id")[:500])
        # Partners newer than the customer base sell to customers of their region on the company's books.
        creator = SYSTEM if not own and seller.role == Role.PARTNER else None
        if creator is not None:
            own = _region_customers(rng, seller, now)
        if not own:
            continue
        skill = rng.uniform(0.7, 1.3)
        usable = [code for code in SELLER_CHANNELS[seller.role] if code in channels]
        for _ in range(per_seller):
            code = rng.choice(usable)
            status, amount, at = _play(rng, now, seller, rng.choice(own), channels[code], skill, reasons,
                                       product=rng.choice(products[code]) if products[code] else None,
                                       outlet=rng.choice(outlets[seller.pk]) if outlets[seller.pk] else None,
                                       creator=creator)
            counts[status] += 1
            worked[(seller.team_id, timezone.localdate(at).replace(day=1), channels[code].pk, code)] += 1
            if status == "won":
                won[seller.pk][timezone.localdate(at).replace(day=1)] += amount
    quotas = _quotas(rng, now, [s for s in sellers if s.pk in won], won)
    expenses = _expenses(rng, worked)
    entries = _rep_expenses(rng, now, [s for s in sellers if s.role in EXPENSE_ROLES and s.team_id])
    leads = _partner_leads(rng, now, [s for s in sellers if s.role == Role.PARTNER], per_seller)
    return (f"{regions} regions, {sum(counts.values())} opportunities ({counts['won']} won, {counts['lost']} lost, "
            f"{counts['open']} open), {quotas} quotas, {expenses} monthly sales expenses, {entries} expense entries, "
            f"{leads} partner leads")


def _region_customers(rng: random.Random, seller, now: dt.datetime) -> list:
    customers = Customer.objects.alive().filter(created_at__lt=now - dt.timedelta(days=3)).order_by("id")
    total = customers.count()
    start = rng.randrange(max(1, total - 300))
    return list(customers[start:start + 300])


def _expenses(rng: random.Random, worked: dict) -> int:
    """Each team's sales expenses per month and channel, near what its deals cost to work."""
    totals: dict = defaultdict(Decimal)
    for (team_id, month, channel_id, code), n in worked.items():
        if team_id is not None:
            totals[(team_id, month, channel_id)] += Decimal(round(n * CHANNEL_COST[code] * rng.uniform(0.7, 1.3), -2))
    for (team_id, month, channel_id), amount in totals.items():
        expense_set(actor=SYSTEM, team_id=team_id, month=month, channel_id=channel_id, amount=amount,
                    note="演示数据")
    return len(totals)


# The representatives' own expense entries: the last months, a few a month, on the deals they worked.
EXPENSE_ROLES = (Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER)
EXPENSE_MONTHS = 6
# channel: the categories its representatives spend on, with the range of one entry in yuan and the note
ENTRY_KINDS = {
    "direct": (("travel", 300, 2_500, "拜访{customer}差旅费"), ("entertainment", 400, 3_000, "与{customer}商务接待"),
               ("materials", 150, 1_200, "{customer}方案样品及资料")),
    "outlet": (("materials", 80, 600, "营业厅促销物料"), ("travel", 60, 400, "上门装机回访交通费")),
    "telesales": (("other", 30, 300, "外呼话费补贴"), ("materials", 50, 300, "短信及资料寄送")),
    "online": (("other", 30, 250, "线上推广小额费用"),),
    "partner": (("commission", 300, 2_000, "代理商协同拜访费用"),),
}


def _rep_expenses(rng: random.Random, now: dt.datetime, sellers) -> int:
    """Each representative's expense entries over the last months, entered by themselves: two to five
    a month on deals they worked that month (travel, entertainment, materials…, by channel). What they
    add is taken off the team's monthly figure of the month and channel, so the sales cost the
    analysis counts stays what the deals cost to work."""
    today = timezone.localdate(now)
    first = today.replace(day=1)
    months = [first]
    for _ in range(EXPENSE_MONTHS - 1):
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    added: dict = defaultdict(Decimal)
    made = 0
    for seller in sellers:
        for month in months:
            last = min(today, (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
            start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
            end = timezone.make_aware(dt.datetime.combine(last, dt.time.max))
            deals = list(Opportunity.objects.filter(owner=seller, customer__owner=seller, created_at__lte=end,
                                                  channel__isnull=False)
                         .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
                         .select_related("customer", "channel").order_by("id")[:40])
            if not deals:
                continue
            for _ in range(rng.randint(2, 5)):
                deal = rng.choice(deals)
                kinds = ENTRY_KINDS.get(deal.channel.code, ENTRY_KINDS["online"])
                category, low, high, note = rng.choice(kinds)
                day = month + dt.timedelta(days=rng.randrange((last - month).days + 1))
                day = max(day, timezone.localdate(deal.created_at))
                if deal.closed_at is not None:
                    day = max(month, min(day, timezone.localdate(deal.closed_at)))
                amount = Decimal(round(rng.uniform(low, high), -1) or 10)
                expense_record(actor=seller, rep=seller, amount=amount, spent_on=day, category=category,
                               opportunity=deal, note=note.format(customer=deal.customer.name)[:200])
                added[(seller.team_id, month, deal.channel_id)] += amount
                made += 1
    for (team_id, month, channel_id), amount in added.items():
        figure = SalesExpense.objects.filter(team_id=team_id, month=month, channel_id=channel_id,
                                             rep__isnull=True).first()
        if figure is not None and figure.amount <= amount:
            expense_delete(actor=SYSTEM, expense=figure)  # the entries cover the month: no ¥0 figure left
        elif figure is not None:
            expense_set(actor=SYSTEM, team_id=team_id, month=month, channel_id=channel_id,
                        amount=max(Decimal(0), figure.amount - amount), note=figure.note)
    return made


def _partner_leads(rng: random.Random, now: dt.datetime, partners, per_seller: int) -> int:
    """Two years of leads each user of the partner organisations beyond the first submitted (the
    marketing demo gives the first its leads); about a third were converted into deals."""
    made, more = 0, {team for team, _region, _prefix in MORE_PARTNERS}
    for partner in [p for p in partners if p.team and p.team.name in more]:
        for _ in range(max(2, per_seller // 2)):
            at = now - dt.timedelta(days=rng.uniform(3, HISTORY_DAYS))
            lead = lead_create(actor=partner, source=LeadSource.PARTNER, at=at, data={
                "company_name": f"{rng.choice(LEAD_CITIES)}{rng.choice(LEAD_COMPANIES)}",
                "person_name": rng.choice(LEAD_PEOPLE), "mobile": f"139{rng.randrange(10**8):08d}",
                "source_detail": partner.team.name if partner.team else "",
                "interest": rng.choice(("企业宽带", "集团专线", "IPTV", "物联网卡", "千兆宽带"))})
            if rng.random() < 0.35:
                # Converted (the conversion service arrives with the pool): the status as it ends up.
                Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.CONVERTED,
                                                       closed_at=at + dt.timedelta(days=rng.randint(5, 40)))
            made += 1
    return made
