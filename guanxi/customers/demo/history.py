"""Demo history of a telecom operator: about three contacts (接触记录) per customer, and three years of
bills, payments, orders and refunds (交易记录). Two demo steps (registered in CustomersConfig.ready()).

Each customer's ledger starts in the month its record was
created (at most three years ago) and, for churned ones, stops 2–14 months ago. Monthly bills
follow the ARPU — rising for growing customers, falling for those at risk — and are paid 2–20 days
later; customers with overdue payments leave their last bills unpaid. Orders (devices, add-ons)
come from a repeat-purchase process: each customer buys at its own Poisson rate and may drop out
after any purchase (the BG/NBD story the value module fits), so there are frequent buyers,
occasional ones, one-time buyers and lapsed ones; a few orders are refunded. Rows are validated
like `transaction_record` and written with bulk inserts (append-only rows: no audit trail);
external ids are the billing system's numbers.
"""

import datetime as dt
import math
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.demo import SERVICE_TEAMS, DemoStaff
from guanxi.accounts.enums import Role

from ..enums import CustomerKind, Direction, InteractionChannel, LifecycleStage, PaymentMethod, TransactionKind
from ..models import Customer, Interaction, Transaction
from ..services.history import clean_transaction

YEARS = 3
BATCH = 2000
ORDER_ITEMS = {
    CustomerKind.INDIVIDUAL: (("购买合约手机", 2.5), ("购买光猫", 0.4), ("流量加油包", 0.1), ("国际漫游包", 0.3),
                              ("宽带提速包", 0.3), ("视频会员", 0.15), ("智能家居套装", 1.0)),
    CustomerKind.ORGANISATION: (("物联网卡批量开通", 1.0), ("云主机扩容", 1.5), ("专线设备", 2.0),
                                ("企业宽带升级", 0.8), ("集团V网扩容", 0.5)),
}
PAY_CHANNELS = {PaymentMethod.CASH: InteractionChannel.OUTLET, PaymentMethod.ALIPAY: InteractionChannel.WEB,
                PaymentMethod.WECHAT_PAY: InteractionChannel.WECHAT, PaymentMethod.BANK_TRANSFER: "",
                PaymentMethod.DIRECT_DEBIT: ""}


def _month(today: dt.date, back: int, day: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return dt.date(year, month + 1, min(day, 28))


def _moment(day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59))))
    return min(moment, now - dt.timedelta(minutes=rng.randint(1, 600)))


class _Ledger:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng, self.now, self.today = rng, now, timezone.localdate(now)
        self.rows: list[Transaction] = []

    def add(self, customer_id: int, kind: str, amount: float, day: dt.date, *, channel: str = "",
            description: str = "", external_id: str | None = None) -> None:
        clean, errors = clean_transaction({"kind": kind, "amount": Decimal(str(round(amount, 2))),
                                           "occurred_at": _moment(day, self.rng, self.now), "channel": channel,
                                           "description": description, "external_id": external_id}, now=self.now)
        if errors:
            raise ValueError(f"demo transaction not valid: {errors}")
        self.rows.append(Transaction(customer_id=customer_id, **clean))

    def bills(self, c: dict, start_back: int, stop_back: int) -> None:
        """Monthly bills from `start_back` months ago to `stop_back` months ago, and their payments."""
        rng, stage = self.rng, c["stage"]
        unpaid = min(c["overdue"], 4)  # the last bills of customers in arrears stay open
        pay_channel = PAY_CHANNELS.get(c["payment_method"], InteractionChannel.WEB)
        span = max(start_back - stop_back, 1)
        issued = []  # (billed on, amount): this month's bill is not issued before its billing day
        for back in range(start_back, stop_back - 1, -1):
            progress = (start_back - back) / span
            trend = {LifecycleStage.GROWING: 0.6 + 0.4 * progress, LifecycleStage.AT_RISK: 1.3 - 0.5 * progress,
                     LifecycleStage.NEW: 0.9 + 0.1 * progress}.get(stage, 1.0)
            amount = max(c["arpu"], 8.0) * trend * rng.uniform(0.85, 1.15)
            billed = _month(self.today, back, c["billing_day"])
            if c["since"] < billed <= self.today:  # no bill before the relationship began, none ahead
                issued.append((billed, amount))
        for index, (billed, amount) in enumerate(issued):
            month = f"{billed:%Y%m}"
            self.add(c["id"], TransactionKind.BILL, amount, billed, description=f"{billed:%Y年%m月} 月账单",
                     external_id=f"BILL-C{c['id']}-{month}")
            if len(issued) - index <= unpaid:  # counted from the last bill issued, whatever today's day
                continue
            paid = billed + dt.timedelta(days=rng.randint(2, 20) if rng.random() < 0.9 else rng.randint(21, 55))
            if paid <= self.today:
                self.add(c["id"], TransactionKind.PAYMENT, round(amount, 2), paid, channel=pay_channel,
                         description="缴费", external_id=f"PAY-C{c['id']}-{month}")

    def orders(self, c: dict, first: dt.date, last: dt.date) -> None:
        """Repeat purchases between `first` and `last` (BG/NBD: Poisson rate, dropout after a purchase)."""
        rng = self.rng
        organisation = c["kind"] == CustomerKind.ORGANISATION
        rate = rng.gammavariate(0.9, 0.3 if organisation else 0.12)  # purchases a month while active
        dropout = rng.betavariate(1.2, 4.0)
        base = rng.lognormvariate(math.log(1800 if organisation else 260), 0.6)
        items = ORDER_ITEMS[CustomerKind.ORGANISATION if organisation else CustomerKind.INDIVIDUAL]
        moment, number = first, 0
        while rate > 0:
            wait = max(1, round(rng.expovariate(rate) * 30))  # days until the next purchase
            if wait > (last - moment).days:
                break
            moment += dt.timedelta(days=wait)
            number += 1
            item, weight = rng.choice(items)
            amount = max(5.0, rng.gammavariate(4, base * weight / 4))
            channel = rng.choice((InteractionChannel.OUTLET, InteractionChannel.WEB, InteractionChannel.CALL))
            self.add(c["id"], TransactionKind.ORDER, amount, moment, channel=channel, description=item,
                     external_id=f"ORD-C{c['id']}-{number:04d}")
            refunded = moment + dt.timedelta(days=rng.randint(1, 14))
            if rng.random() < 0.04 and refunded <= last:
                self.add(c["id"], TransactionKind.REFUND, amount * rng.choice((1.0, 0.5)), refunded,
                         channel=channel, description=f"退货退款：{item}", external_id=f"REF-C{c['id']}-{number:04d}")
            if rng.random() < dropout:
                break


def transactions_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                           now: dt.datetime | None = None) -> str:
    """Three years of ledger for the demo customers (prospects have none), from the month each
    customer's record was created."""
    rng = random.Random(seed + 7)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    ledger = _Ledger(rng, now or timezone.now())
    fields = ("id", "kind", "arpu", "lifecycle_stage", "billing_cycle_day", "overdue_count", "payment_method",
              "created_at")
    total = 0
    for row in Customer.objects.filter(id__in=customers).order_by("id").values_list(*fields):
        c = dict(zip(("id", "kind", "arpu", "stage", "billing_day", "overdue", "payment_method", "created_at"), row,
                     strict=True))
        if c["stage"] == LifecycleStage.PROSPECT:
            continue
        c["arpu"], c["billing_day"] = float(c["arpu"]), c["billing_day"] or rng.randint(1, 28)
        since = timezone.localdate(c["created_at"])
        start_back = min(YEARS * 12, (ledger.today.year - since.year) * 12 + ledger.today.month - since.month)
        c["since"] = since
        stop_back = rng.randint(2, min(14, start_back)) if c["stage"] == LifecycleStage.CHURNED else 0
        ledger.bills(c, start_back, stop_back)
        first = max(_month(ledger.today, start_back, 1) + dt.timedelta(days=rng.randint(0, 27)), since)
        ledger.orders(c, first, ledger.today - dt.timedelta(days=30 * stop_back))
        if len(ledger.rows) >= BATCH:
            total += len(Transaction.objects.bulk_create(ledger.rows))
            ledger.rows = []
    total += len(Transaction.objects.bulk_create(ledger.rows))
    return f"{total} transactions (bills, payments, orders, refunds) over the last {YEARS} years"


# -- interactions (客户接触记录) ----------------------------------------------------------------
# channel → (direction, weight, [(subject, content)]); the staff who took part follow the channel.
INTERACTION_TEMPLATES: dict[str, tuple[str, int, tuple[tuple[str, str], ...]]] = {
    InteractionChannel.CALL: (Direction.INBOUND, 34, (
        ("咨询话费余额", "客户来电查询本月话费及余额，已告知查询方式并发送账单短信。"),
        ("咨询套餐资费", "客户询问5G套餐资费及流量包，已介绍当前在售套餐。"),
        ("反映网络信号差", "客户反映家中室内信号弱，已记录地址并提交网络优化。"),
        ("查询宽带到期时间", "客户查询宽带合约到期时间，已告知续约优惠。"),
        ("办理停机保号", "客户出国半年，来电办理停机保号，已核实身份并办理。"),
        ("咨询国际漫游", "客户下周赴日本出差，咨询漫游资费，已推荐国际漫游包。"),
    )),
    InteractionChannel.VISIT: (Direction.OUTBOUND, 8, (
        ("客户经理上门拜访", "拜访客户信息化负责人，了解专线扩容需求。"),
        ("年度合作回顾", "与客户回顾年度合作情况，收集对网络质量和服务的意见。"),
        ("新业务推介", "上门介绍云主机及物联网卡方案，客户表示会内部评估。"),
    )),
    InteractionChannel.OUTLET: (Direction.INBOUND, 16, (
        ("营业厅补换卡", "客户到厅补办SIM卡，已核验身份证原件。"),
        ("营业厅办理套餐变更", "客户到厅将套餐变更为更高档位，次月生效。"),
        ("营业厅缴费", "客户到厅现金缴纳话费。"),
        ("营业厅购机", "客户到厅购买合约手机，已签订合约协议。"),
    )),
    InteractionChannel.EMAIL: (Direction.OUTBOUND, 10, (
        ("发送电子账单", "按月发送电子账单至客户邮箱。"),
        ("发送合同续签提醒", "邮件提醒客户合同即将到期，附续签方案。"),
    )),
    InteractionChannel.SMS: (Direction.OUTBOUND, 16, (
        ("流量使用提醒", "本月套餐内流量已使用80%，可回复短信办理流量包。"),
        ("缴费提醒", "您的账户余额不足，请及时缴费以免影响使用。"),
        ("营销短信：宽带提速", "千兆宽带限时升级优惠，回复1办理。"),
    )),
    InteractionChannel.WECHAT: (Direction.INBOUND, 10, (
        ("微信公众号咨询", "客户通过公众号咨询积分兑换规则，已在线解答。"),
        ("微信查询账单", "客户在微信中查询上月账单明细。"),
    )),
    InteractionChannel.WEB: (Direction.INBOUND, 6, (
        ("网上营业厅登录", "客户登录网上营业厅查询通话详单。"),
        ("网上办理流量包", "客户在网上营业厅订购10GB流量包。"),
    )),
}
INTERACTIONS_PER_CUSTOMER = 3
INTERACTION_YEARS = 3


def interactions_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                           now: dt.datetime | None = None) -> str:
    """About three contacts per customer over the last three years (since the customer's record was
    created), validated like `interaction_record` and written with bulk inserts (append-only rows:
    no audit trail)."""
    rng = random.Random(seed + 2)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    rows = list(Customer.objects.filter(id__in=customers).order_by("id")
                .values_list("id", "kind", "owner_id", "created_at"))
    users = {u.id: u for u in staff.users}
    agents = [u for u in staff.users if u.role in (Role.AGENT, Role.TEAM_LEAD)]
    sellers = staff.by_role(Role.SALES_REP) + staff.by_role(Role.PARTNER)
    channels = list(INTERACTION_TEMPLATES)
    weights = [INTERACTION_TEMPLATES[c][1] for c in channels]
    end = now or timezone.now()
    earliest = end - dt.timedelta(days=INTERACTION_YEARS * 365)
    batch: list[Interaction] = []
    total = 0
    for customer_id, kind, owner_id, created_at in rows:
        span = max(60, int((end - max(created_at, earliest)).total_seconds()))
        for _ in range(max(0, round(rng.gauss(INTERACTIONS_PER_CUSTOMER, 1.2)))):
            channel = rng.choices(channels, weights)[0]
            if channel == InteractionChannel.VISIT and kind == CustomerKind.INDIVIDUAL:
                channel = InteractionChannel.CALL  # only organisations get visits
            direction, _, templates = INTERACTION_TEMPLATES[channel]
            subject, content = rng.choice(templates)
            if channel == InteractionChannel.VISIT:
                person = users.get(owner_id) or rng.choice(sellers)
            elif channel == InteractionChannel.OUTLET:
                person = rng.choice(sellers)
            elif channel in (InteractionChannel.SMS, InteractionChannel.EMAIL, InteractionChannel.WEB):
                person = None  # sent by the system or done by the customer alone
            else:
                person = rng.choice(agents)
            moment = end - dt.timedelta(seconds=rng.randrange(span))
            duration = rng.randint(60, 900) if channel == InteractionChannel.CALL else (
                rng.randint(1800, 5400) if channel == InteractionChannel.VISIT else None)
            team = person.team if person else staff.teams[SERVICE_TEAMS[0]]
            batch.append(Interaction(
                customer_id=customer_id, channel=channel, direction=direction, staff=person, team=team,
                occurred_at=moment, subject=subject[:200], content=content, duration_seconds=duration,
            ))
        if len(batch) >= 2000:
            total += len(Interaction.objects.bulk_create(batch))
            batch = []
    total += len(Interaction.objects.bulk_create(batch))
    return f"{total} interactions over the last {INTERACTION_YEARS} years"
