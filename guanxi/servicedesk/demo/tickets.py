"""Demo data of the service desk: calendars, service standards, categories, knowledge articles and
about 800 cases (at scale 1.0) over the last six months, played through the services.

Every case is created, replied to, paused, resolved, called back and closed by the same service
functions the agents use, with their `at=` parameter, so the service clocks, pauses, callbacks and
audit rows are what production would have produced; only the complaint workflow and the merge take
no `at=`, and their step times are moved back afterwards. Registered in `ServicedeskConfig.ready()`
and run by `guanxi demo` after the customers, in the same transaction.
"""

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from guanxi.accounts.access import SYSTEM, customer_actor
from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.customers.enums import CustomerKind
from guanxi.customers.models import Customer

from ..enums import (
    ArticleStatus,
    BreachAction,
    CallbackOutcome,
    Channel,
    ComplaintSeverity,
    ComplaintStage,
    Metric,
    Priority,
    TicketStatus,
    TicketType,
)
from ..models import (
    Article,
    BusinessCalendar,
    Complaint,
    ComplaintStep,
    KnowledgeCategory,
    ServiceStandard,
    Ticket,
    TicketCategory,
    TicketClock,
    TicketMessage,
)
from ..services.calendars import calendar_save
from ..services.callbacks import callback_record
from ..services.clocks import RESOLVING_METRICS
from ..services.complaints import NEXT_STAGE, complaint_advance, complaint_open
from ..services.knowledge import article_create, article_review, article_submit, article_use
from ..services.standards import standard_save
from ..services.sweep import clocks_sweep
from ..services.tickets import ticket_create, ticket_merge, ticket_message_add, ticket_transition

CASES_AT_SCALE_1 = 800
MIN_CASES = 40  # enough for every type, channel and outcome even in a small demo
HISTORY_DAYS = 182
OPEN_SHARE = 0.15
LATE_FIRST_RESPONSE = 0.07
LATE_RESOLUTION = 0.08
ZONE = ZoneInfo("Asia/Shanghai")

OFFICE_CALENDAR = "办公日历（周一至周五 9:00–18:00）"
HOTLINE_CALENDAR = "7×24 热线日历"
OFFICE_HOURS = [(9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60)]  # lunch 12:00–13:30
WORKING_DAY = 7 * 60 + 30  # working minutes in an office day

# code, name, metric, case type, customer tier, target minutes, calendar ("office"/"hotline"), breach actions
STANDARDS = (
    ("first-response-30m", "首次响应 30 分钟（7×24）", Metric.FIRST_RESPONSE, "", "", 30, "hotline",
     [BreachAction.NOTIFY]),
    ("resolution-24wh", "处理时限 24 工作小时", Metric.RESOLUTION, "", "", 24 * 60, "office",
     [BreachAction.NOTIFY, BreachAction.ESCALATE]),
    ("fault-repair-vip-4h", "故障修复 VIP 客户 4 小时", Metric.FAULT_REPAIR, TicketType.FAULT, "vip", 4 * 60, "hotline",
     [BreachAction.RAISE_PRIORITY, BreachAction.ESCALATE, BreachAction.NOTIFY]),
    ("fault-repair-large-8h", "故障修复 大客户 8 小时", Metric.FAULT_REPAIR, TicketType.FAULT, "large", 8 * 60,
     "hotline", [BreachAction.RAISE_PRIORITY, BreachAction.NOTIFY]),
    ("fault-repair-24h", "故障修复 其他客户 24 小时", Metric.FAULT_REPAIR, TicketType.FAULT, "", 24 * 60, "hotline",
     [BreachAction.NOTIFY]),
    ("installation-3wd", "装机 3 个工作日", Metric.INSTALLATION, TicketType.INSTALLATION, "", 3 * WORKING_DAY,
     "office", [BreachAction.NOTIFY]),
    ("moving-5wd", "移机 5 个工作日", Metric.MOVING, TicketType.MOVING, "", 5 * WORKING_DAY, "office", []),
    ("callback-1wd", "维修回访 1 个工作日", Metric.CALLBACK, TicketType.FAULT, "", WORKING_DAY, "office", []),
)

CATEGORIES = {
    "宽带": ("宽带故障", "宽带装机", "宽带移机", "宽带资费"),
    "移动业务": ("套餐变更", "号码业务", "国际漫游", "网络信号"),
    "账单与缴费": ("账单查询", "话费争议", "缴费充值", "发票"),
    "终端维修": ("手机故障", "光猫与机顶盒", "三包咨询"),
}

# (type, weight): [(category root, child, subject, description, first reply, resolution)]
CASES: dict[str, tuple[int, tuple[tuple[str, str, str, str, str, str], ...]]] = {
    TicketType.CONSULTATION: (22, (
        ("移动业务", "套餐变更", "咨询5G套餐升级及合约优惠",
         "客户目前使用4G飞享套餐，想了解升级5G畅享套餐的资费、合约期和赠送流量。",
         "您好，已为您查询：5G畅享套餐128元档含流量40GB、通话500分钟，办理合约24个月可享月费8折。",
         "已向客户详细说明各档位资费，客户表示考虑后到营业厅办理。"),
        ("移动业务", "国际漫游", "咨询日本漫游资费", "客户下周赴日本出差7天，咨询漫游流量包及通话资费。",
         "您好，日本属于一类地区，可订购国际漫游包：日包25元不限量（前3GB高速），7日包98元。",
         "已为客户预约订购7日漫游包，出境后自动生效。"),
        ("宽带", "宽带资费", "咨询千兆宽带升级费用", "客户家中现为500M宽带，咨询升级千兆的月费及是否需要更换光猫。",
         "您好，千兆宽带月费199元（融合套餐可减免），需更换千兆光猫，上门安装免费。",
         "客户确认升级意向，已转装维预约上门更换光猫。"),
        ("账单与缴费", "发票", "咨询如何开具电子发票", "企业客户需要按月开具增值税电子发票，咨询开票流程。",
         "您好，可在网上营业厅“发票管理”中填写抬头和税号，次月5日后自动推送电子发票至邮箱。",
         "已协助客户完成开票信息登记。"),
    )),
    TicketType.QUERY: (20, (
        ("账单与缴费", "账单查询", "查询上月话费明细", "客户反映上月话费比平时多出40元左右，要求查询详单。",
         "您好，已为您调取上月详单，多出费用为超出套餐的流量费38.6元，集中在月底3天。",
         "已向客户解释费用构成并推荐10元5GB流量包，客户认可。"),
        ("账单与缴费", "缴费充值", "查询充值未到账", "客户通过微信充值100元，两小时后余额仍未变化。",
         "您好，经核实您的充值订单已支付成功，因银行通道延迟尚未入账，预计30分钟内到账。",
         "充值已到账，已短信告知客户。"),
        ("移动业务", "号码业务", "查询名下号码数量", "客户要求查询本人身份证名下登记的手机号码。",
         "您好，根据实名制规定，已核验您的身份信息，您名下共有2个号码。",
         "已告知客户号码列表，客户确认均为本人使用。"),
    )),
    TicketType.FAULT: (22, (
        ("宽带", "宽带故障", "宽带无法上网，光猫LOS灯红灯闪烁",
         "客户家中宽带从今天早上开始无法上网，光猫LOS指示灯红灯闪烁，重启无效。",
         "您好，初步判断为光纤线路中断，已派单装维工程师上门检修，请保持电话畅通。",
         "工程师上门发现入户光纤被装修弯折，已重新熔接，网络恢复正常。"),
        ("宽带", "宽带故障", "宽带晚上频繁掉线", "客户反映最近一周每天晚上8点到11点宽带频繁掉线，影响孩子上网课。",
         "您好，已远程检测您的线路，光功率偏低，已安排工程师上门处理。",
         "更换分光器端口并清洁光纤接头后光功率恢复正常，连续观察两天未再掉线。"),
        ("终端维修", "光猫与机顶盒", "魔百和机顶盒开机无信号", "客户的魔百和机顶盒开机后电视显示无信号，遥控器无反应。",
         "您好，请您先检查HDMI线是否插紧，如仍无法使用，我们将安排上门更换。",
         "机顶盒主板故障，已上门免费更换新机顶盒并恢复节目。"),
        ("移动业务", "网络信号", "小区手机信号差无法通话",
         "客户反映所在小区地下室及低楼层手机信号很弱，经常无法接通电话。",
         "您好，已记录您的地址并提交网络优化部门测试，将在处理后回复您。",
         "网络部已调整附近基站天线方向并新增室分设备，复测信号正常。"),
        ("终端维修", "手机故障", "合约手机频繁死机重启", "客户购买的合约手机使用三个月后频繁死机自动重启。",
         "您好，请您携带手机和购机发票到就近营业厅，我们将送厂商售后检测。",
         "厂商检测为主板故障，按三包规定免费维修，已通知客户取机。"),
    )),
    TicketType.COMPLAINT: (9, (
        ("账单与缴费", "话费争议", "投诉被扣取未订购的增值业务费",
         "客户发现连续三个月被扣取视频彩铃费用每月10元，表示从未订购。",
         "您好，非常抱歉给您带来困扰，已为您暂停该业务，正在核查订购记录。",
         "核实为渠道违规办理，已退还三个月费用共30元并对渠道追责，客户接受处理结果。"),
        ("宽带", "宽带故障", "投诉宽带故障多次报修未解决",
         "客户宽带一个月内断网三次，每次报修都要等两天，客户非常不满。",
         "您好，对您的遭遇深表歉意，已将您的问题升级处理，由专人跟进。",
         "更换入户光缆后问题解决，减免客户一个月宽带费作为补偿。"),
        ("移动业务", "套餐变更", "投诉营业员办理套餐时未告知合约期",
         "客户称在营业厅变更套餐时营业员未告知24个月合约期，现无法降档。",
         "您好，已收到您的投诉，我们会调取办理录音及签字单据核实。",
         "经核实营业员告知不充分，已为客户解除合约限制并对营业员进行培训考核。"),
    )),
    TicketType.SUGGESTION: (5, (
        ("移动业务", "套餐变更", "建议推出家庭共享流量套餐",
         "客户建议推出可以家庭成员共享流量的套餐，避免各自流量浪费。",
         "您好，感谢您的宝贵建议，我们已转交产品部门。",
         "已反馈产品部门，并告知客户现有亲情网套餐可共享部分流量。"),
        ("账单与缴费", "账单查询", "建议账单增加流量使用明细图表", "客户建议电子账单中增加按日的流量使用图表。",
         "您好，感谢建议，已记录并转交相关部门评估。", "已纳入下季度账单改版需求。"),
    )),
    TicketType.INSTALLATION: (8, (
        ("宽带", "宽带装机", "新装千兆宽带", "客户新房入住，申请新装千兆宽带并加装魔百和。",
         "您好，已受理您的装机申请，装维工程师将在24小时内与您预约上门时间。",
         "已完成光纤入户、光猫及机顶盒安装调试，测速下行940Mbps。"),
        ("宽带", "宽带装机", "企业宽带开通申请", "企业客户新办公室需要开通200M企业宽带及固定IP。",
         "您好，已受理，客户经理将与您确认施工方案及资源情况。", "企业宽带已开通，固定IP已分配并完成测试。"),
    )),
    TicketType.MOVING: (5, (
        ("宽带", "宽带移机", "宽带移机至新住址", "客户搬家，申请将宽带移至新地址，希望周末上门。",
         "您好，已核查新地址有光纤资源，可以移机，工程师将与您预约周末上门。",
         "已在新地址完成移机并恢复上网，旧地址设备已回收。"),
    )),
    TicketType.ACTIVATION: (9, (
        ("移动业务", "号码业务", "新号码开户激活失败",
         "客户在网上营业厅选购新号码，收到SIM卡后激活时提示实名认证失败。",
         "您好，请您按提示重新上传身份证照片并完成人脸识别，我们同步为您人工审核。",
         "人工审核通过，号码已激活，客户可正常使用。"),
        ("移动业务", "国际漫游", "开通国际漫游功能", "客户出国前需要开通国际及港澳台漫游功能。",
         "您好，已核实您的账户信用等级，可直接开通国际漫游。", "国际漫游已开通，已短信发送资费说明。"),
        ("移动业务", "号码业务", "副卡开通申请", "客户申请为家人办理一张副卡共享主卡套餐。",
         "您好，已受理副卡申请，请携带家人身份证到营业厅领取SIM卡。", "副卡已开通并激活。"),
    )),
}
CHANNELS = {Channel.HOTLINE: 50, Channel.WECHAT: 15, Channel.OUTLET: 12, Channel.WEB: 8, Channel.KEY_ACCOUNTS: 7,
            Channel.EMAIL: 4, Channel.SMS: 4}
PENDING_REASONS = ("等待客户提供身份证正反面照片", "客户不在家，约定改日上门", "等待客户确认缴费凭证",
                   "等待客户重启光猫后反馈", "客户要求稍后再联系")
CUSTOMER_REPLIES = ("照片已经发过去了，请查收。", "这周六上午在家，可以上门。", "缴费截图已上传。",
                    "重启后还是不行。", "现在方便了，请继续处理。")
THIRD_PARTY_REASONS = ("等待网络部排查基站", "等待物业开通弱电井", "等待厂商检测结果")
CLASSIFICATIONS = ("资费争议", "网络质量", "服务态度", "业务办理差错", "维修时效")
CALLBACK_OUTCOMES = {CallbackOutcome.SATISFIED: 74, CallbackOutcome.NEUTRAL: 12, CallbackOutcome.UNREACHABLE: 6,
                     CallbackOutcome.DISSATISFIED: 8}
CALLBACK_NOTES = {
    CallbackOutcome.SATISFIED: "客户表示问题已解决，对维修服务满意。",
    CallbackOutcome.NEUTRAL: "客户表示已恢复，但等待时间偏长。",
    CallbackOutcome.UNREACHABLE: "连续两次拨打无人接听。",
    CallbackOutcome.DISSATISFIED: "客户反映问题再次出现，要求重新处理。",
}

# (category root, title, body)
ARTICLES = (
    ("宽带", "光猫LOS灯红灯闪烁的处理方法",
     "现象：光猫LOS指示灯红灯闪烁，无法上网。\n原因：光信号中断，常见于入户光纤弯折、断裂或接头松动。\n"
     "处理步骤：\n1. 请客户检查光纤是否有明显弯折，接头是否插紧；\n2. 远程查询光功率，低于-27dBm判定线路故障；\n"
     "3. 派装维上门，按故障修复时限处理（VIP客户4小时）。"),
    ("宽带", "宽带频繁掉线的排查步骤",
     "1. 远程查询光猫在线记录与光功率；\n2. 确认是否为无线信号问题：建议客户用网线直连测试；\n"
     "3. 光功率正常而无线掉线：指导客户更换WiFi信道或升级双频路由器；\n"
     "4. 光功率偏低：派单上门清洁接头或更换分光器端口。"),
    ("宽带", "宽带移机受理须知",
     "受理前须核查新地址光纤资源。移机时限为5个工作日（自受理起算，等待客户确认上门时间期间暂停计时）。"
     "旧地址设备由装维回收，跨地市移机需销户重装。"),
    ("宽带", "新装宽带受理与预约规范",
     "新装宽带时限为3个工作日。受理后24小时内装维须与客户预约上门时间；客户原因改约的，工单挂起并注明原因。"
     "安装完成后须现场测速并拍照上传。"),
    ("移动业务", "国际漫游开通条件与资费说明",
     "开通条件：实名制号码，信用等级A及以上可直接开通，其余需预存600元。\n资费：一类地区日包25元，"
     "7日包98元；出境后首次使用流量时自动扣费。提醒客户关闭数据漫游可避免产生费用。"),
    ("移动业务", "室内信号弱的投诉处理流程",
     "记录客户详细地址、楼层、信号格数及发生时段，提交网络优化工单（第三方处理期间工单挂起）。"
     "网络部处理后须回访客户复测结果。"),
    ("移动业务", "套餐变更与合约期规则",
     "合约期内可升档不可降档；升档次月生效。办理时必须告知合约期与违约责任，并由客户签字确认，否则易引发投诉。"),
    ("账单与缴费", "话费异常的核查步骤",
     "1. 调取详单，按通话、流量、增值业务分类；\n2. 增值业务须核实订购渠道与二次确认短信；\n"
     "3. 违规订购的全额退费并上报渠道管理；\n4. 超套流量费用推荐合适的流量包。"),
    ("账单与缴费", "充值未到账的处理",
     "先核实支付渠道订单号与支付状态。支付成功未到账的，一般2小时内自动补录；超过24小时未到账，"
     "提交账务部门人工补录并短信告知客户。"),
    ("账单与缴费", "电子发票开具说明",
     "个人及企业客户均可在网上营业厅“发票管理”登记抬头与税号，次月5日后自动推送。已开具的发票如需红冲，需提交申请。"),
    ("终端维修", "手机三包规定要点",
     "7日内性能故障可选退货、换货或修理；15日内可换货或修理；三包期内修理两次仍不能正常使用的，可换货。"
     "主机三包期1年，电池6个月，充电器1年，有线耳机3个月。维修占用时间不计入三包期。"),
    ("终端维修", "机顶盒无信号的处理方法",
     "1. 检查HDMI/AV线连接及电视信号源；\n2. 重启机顶盒与光猫；\n3. 仍无信号的，远程检测机顶盒在线状态，"
     "离线则派单上门更换。机顶盒保修期内免费更换。"),
)


@dataclass
class _Config:
    office: BusinessCalendar
    hotline: BusinessCalendar
    standards: list[ServiceStandard]
    categories: dict[tuple[str, str], TicketCategory]
    articles: dict[str, list[Article]]


def service_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                      now: dt.datetime | None = None) -> str:
    """Calendars, standards, categories and knowledge (reused when they exist), then the cases of
    the six months before `now` (default: the current time) and a clock sweep at the end."""
    rng = random.Random(seed + 10)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    config = _configure(staff)
    count = max(MIN_CASES, round(CASES_AT_SCALE_1 * scale)) if customers else 0
    player = _CasePlayer(rng=rng, staff=staff, config=config, customers=customers, now=now or timezone.now())
    for _ in range(count):
        player.play()
    swept = clocks_sweep(actor=SYSTEM, now=player.now)
    s = player.stats
    return (f"{s['cases']} cases ({s['open']} open, {s['complaints']} complaints, {s['callbacks']} callbacks, "
            f"{s['merged']} merged, {swept['breached']} breached now), {len(config.standards)} standards, "
            f"2 calendars, {sum(len(a) for a in config.articles.values())} articles")


def _configure(staff: DemoStaff) -> _Config:
    admin = staff.admin
    office = BusinessCalendar.objects.filter(name=OFFICE_CALENDAR).first() or calendar_save(
        actor=admin, name=OFFICE_CALENDAR, periods={day: OFFICE_HOURS for day in range(5)}, holiday_region="CN")
    hotline = BusinessCalendar.objects.filter(name=HOTLINE_CALENDAR).first() or calendar_save(
        actor=admin, name=HOTLINE_CALENDAR, periods={day: [(0, 24 * 60)] for day in range(7)}, holiday_region="")
    calendars = {"office": office, "hotline": hotline}
    standards = []
    for code, name, metric, ticket_type, tier, target, calendar, actions in STANDARDS:
        standards.append(ServiceStandard.objects.filter(code=code).first() or standard_save(actor=admin, data={
            "code": code, "name": name, "metric": metric, "ticket_type": ticket_type, "customer_tier": tier,
            "target_minutes": target, "calendar": calendars[calendar], "breach_actions": list(actions),
        }))
    # There is no category service (administrators keep the tree in the admin); create them directly.
    categories, knowledge = {}, {}
    for root_name, children in CATEGORIES.items():
        root = TicketCategory.objects.get_or_create(name=root_name, parent=None)[0]
        knowledge[root_name] = KnowledgeCategory.objects.get_or_create(name=root_name, parent=None)[0]
        for child in children:
            categories[root_name, child] = TicketCategory.objects.get_or_create(name=child, parent=root)[0]
    authors = staff.by_role(Role.AGENT)
    reviewer = staff.by_role(Role.TEAM_LEAD)[0]
    articles: dict[str, list[Article]] = {name: [] for name in CATEGORIES}
    for n, (root_name, title, body) in enumerate(ARTICLES):
        article = Article.objects.filter(title=title).first()
        if article is None:
            article = article_create(actor=authors[n % len(authors)], title=title, body=body,
                                     category=knowledge[root_name])
            article_submit(actor=article.author, article=article)
            article = article_review(actor=reviewer, article=article, approve=True, note="demo")
        if article.status == ArticleStatus.PUBLISHED:
            articles[root_name].append(article)
    return _Config(office, hotline, standards, categories, articles)


class _CasePlayer:
    """Plays one case at a time from creation to its end (or to now, for open ones)."""

    def __init__(self, *, rng: random.Random, staff: DemoStaff, config: _Config, customers: list[int],
                 now: dt.datetime):
        self.rng, self.staff, self.config, self.now = rng, staff, config, now
        self.owners = staff.by_role(Role.AGENT) + staff.by_role(Role.TEAM_LEAD)
        self.teams = list(staff.teams.values())
        # Some customers call often, most rarely: draw from a fifth of them for half the cases.
        self.customer_ids = customers
        self.frequent = customers[: max(1, len(customers) // 5)]
        self.customers: dict[int, Customer] = {}
        self.types = list(CASES)
        self.type_weights = [CASES[t][0] for t in self.types]
        self.channels, self.channel_weights = list(CHANNELS), list(CHANNELS.values())
        self.stats = dict.fromkeys(("cases", "open", "complaints", "callbacks", "merged"), 0)

    # -- choices ---------------------------------------------------------------------------
    def customer(self) -> Customer:
        pool = self.frequent if self.rng.random() < 0.5 else self.customer_ids
        customer_id = self.rng.choice(pool)
        if customer_id not in self.customers:
            self.customers[customer_id] = Customer.objects.only("id", "arpu", "kind", "created_at").get(
                pk=customer_id)
        return self.customers[customer_id]

    def opened_at(self, still_open: bool, customer: Customer) -> dt.datetime:
        """When the case was opened: never before the customer's record was created."""
        at = self._opened_at(still_open)
        if at <= customer.created_at:
            at = customer.created_at + (self.now - customer.created_at) * self.rng.uniform(0.2, 0.9)
        return at

    def _opened_at(self, still_open: bool) -> dt.datetime:
        rng = self.rng
        if still_open:  # open cases are recent: most from the last few days, a few older (breached)
            roll = rng.random()
            back = dt.timedelta(hours=rng.uniform(0.3, 24)) if roll < 0.45 else dt.timedelta(
                days=rng.uniform(1, 4) if roll < 0.88 else rng.uniform(4, 14))
            return self.now - back
        day = (self.now - dt.timedelta(days=rng.uniform(1.5, HISTORY_DAYS))).astimezone(ZONE).date()
        hour = min(21, max(8, int(rng.gauss(13, 3.5))))
        return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=ZONE)

    def priority(self, ticket_type: str) -> int:
        roll = self.rng.random()
        if ticket_type == TicketType.SUGGESTION:
            return Priority.LOW
        if ticket_type in (TicketType.FAULT, TicketType.COMPLAINT) and roll < 0.35:
            return Priority.URGENT if roll < 0.06 else Priority.HIGH
        return Priority.LOW if roll > 0.93 else Priority.NORMAL

    # -- one case --------------------------------------------------------------------------
    def play(self) -> None:
        rng = self.rng
        still_open = rng.random() < OPEN_SHARE
        ticket_type = rng.choices(self.types, self.type_weights)[0]
        root, child, subject, description, reply, resolution = rng.choice(CASES[ticket_type][1])
        customer = self.customer()
        channel = rng.choices(self.channels, self.channel_weights)[0]
        if channel == Channel.KEY_ACCOUNTS and customer.kind == CustomerKind.INDIVIDUAL:
            channel = Channel.HOTLINE
        owner = rng.choice(self.owners)
        at = self.opened_at(still_open, customer)
        data = {"subject": subject, "type": ticket_type, "channel": channel, "priority": self.priority(ticket_type),
                "description": description, "category": self.config.categories[root, child]}
        ticket = ticket_create(actor=owner, customer=customer, data=data, at=at)
        self.stats["cases"] += 1
        complaint = None
        if ticket_type == TicketType.COMPLAINT:
            severity = ComplaintSeverity.MAJOR if rng.random() < 0.12 else ComplaintSeverity.NORMAL
            complaint = complaint_open(actor=owner, ticket=ticket, severity=severity, note=description)
            self.stats["complaints"] += 1
        self._play(ticket, owner, at, still_open, reply, resolution, root, complaint)
        if complaint is not None:
            self._date_complaint(complaint, ticket)
        ticket.refresh_from_db(fields=["status"])
        if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            self.stats["open"] += 1

    def _play(self, ticket, owner, at, still_open, reply, resolution, root, complaint) -> None:
        rng, now = self.rng, self.now
        late = rng.random() < LATE_FIRST_RESPONSE
        at += dt.timedelta(minutes=rng.uniform(35, 150) if late else rng.uniform(2, 27))
        if at >= now:
            return  # still waiting for the first reply
        ticket_message_add(actor=owner, ticket=ticket, kind=TicketMessage.Kind.REPLY, body=reply, at=at)
        if complaint is not None:
            self._advance_complaint(complaint, owner, resolved=not still_open)
        if still_open and ticket.type != TicketType.FAULT and at > now - dt.timedelta(hours=36) and rng.random() < 0.3:
            self._duplicate(ticket, owner, at)
        roll = rng.random()
        if roll < 0.18:  # pending on the customer, who answers later
            at = self._wait(ticket, owner, at, TicketStatus.PENDING_CUSTOMER, PENDING_REASONS, within=5, lasting=60,
                            still_open=still_open)
            if at is None:
                return
            ticket_message_add(actor=customer_actor(ticket.customer), ticket=ticket,
                               kind=TicketMessage.Kind.CUSTOMER, body=rng.choice(CUSTOMER_REPLIES), at=at)
        elif roll < 0.25 and ticket.type in (TicketType.FAULT, TicketType.INSTALLATION, TicketType.MOVING):
            at = self._wait(ticket, owner, at, TicketStatus.PENDING_THIRD_PARTY, THIRD_PARTY_REASONS, within=3,
                            lasting=30, still_open=still_open)
            if at is None:
                return
            ticket_transition(actor=owner, ticket=ticket, status=TicketStatus.OPEN, reason="第三方已处理", at=at)
        if still_open:
            return
        at = self._resolution_time(ticket, at)
        if at >= now:
            return
        self._resolve(ticket, owner, resolution, at, root)

    def _wait(self, ticket, owner, at: dt.datetime, status: str, reasons: tuple[str, ...], *, within: float,
              lasting: float, still_open: bool) -> dt.datetime | None:
        """The case waits (`status`, for one of `reasons`) from up to `within` hours after `at`, for up
        to `lasting` hours: when the wait ends, or None while it lasts (past now, or an open case
        still waiting)."""
        rng = self.rng
        at += dt.timedelta(hours=rng.uniform(0.5, within))
        if at >= self.now:
            return None
        ticket_transition(actor=owner, ticket=ticket, status=status, reason=rng.choice(reasons), at=at)
        at += dt.timedelta(hours=rng.uniform(2, lasting))
        if at >= self.now or (still_open and rng.random() < 0.4):
            return None
        return at

    def _call_back(self, ticket, owner, at: dt.datetime, *, outcome: str | None = None,
                   note: str = "") -> tuple[dt.datetime, str] | None:
        """The resolved case's callback, 2–20 hours after `at`, with `outcome` (or one drawn by
        CALLBACK_OUTCOMES' weights): when it was made and its outcome, or None (no callback due, or
        not by now)."""
        callback = ticket.callbacks.filter(done_at__isnull=True).first()
        at += dt.timedelta(hours=self.rng.uniform(2, 20))
        if callback is None or at >= self.now:
            return None
        outcome = outcome or self.rng.choices(list(CALLBACK_OUTCOMES), list(CALLBACK_OUTCOMES.values()))[0]
        callback_record(actor=owner, callback=callback, outcome=outcome, note=note or CALLBACK_NOTES[outcome], at=at)
        self.stats["callbacks"] += 1
        return at, outcome

    def _resolution_time(self, ticket: Ticket, since: dt.datetime) -> dt.datetime:
        """Before the earliest resolving clock's due time, or (now and then) after it."""
        due = min((d for d in TicketClock.objects.filter(ticket=ticket, metric__in=RESOLVING_METRICS,
                                                          stopped_at__isnull=True).values_list("due_at", flat=True)
                   if d is not None), default=since + dt.timedelta(days=1))
        if self.rng.random() < LATE_RESOLUTION:
            return max(due, since) + dt.timedelta(hours=self.rng.uniform(0.5, 30))
        return since + max(dt.timedelta(minutes=10), (due - since) * self.rng.uniform(0.1, 0.9))

    def _resolve(self, ticket, owner, resolution, at, root) -> None:
        rng, now = self.rng, self.now
        ticket_message_add(actor=owner, ticket=ticket, kind=TicketMessage.Kind.REPLY, body=resolution,
                           at=at - dt.timedelta(minutes=1))
        ticket_transition(actor=owner, ticket=ticket, status=TicketStatus.RESOLVED, reason="已解决", at=at)
        if self.config.articles.get(root) and rng.random() < 0.3:
            article_use(actor=owner, article=rng.choice(self.config.articles[root]), ticket=ticket)
        if ticket.type == TicketType.FAULT:
            called = self._call_back(ticket, owner, at)
            if called is None:
                return
            at, outcome = called
            if outcome == CallbackOutcome.DISSATISFIED:  # reopened: half are fixed again, half still open
                at += dt.timedelta(hours=rng.uniform(4, 48))
                if rng.random() < 0.5 or at >= now:
                    return
                ticket_transition(actor=owner, ticket=ticket, status=TicketStatus.RESOLVED, reason="二次处理", at=at)
                called = self._call_back(ticket, owner, at, outcome=CallbackOutcome.SATISFIED,
                                         note="二次处理后客户满意。")
                if called is None:
                    return
                at = called[0]
        at += dt.timedelta(days=rng.uniform(0.5, 3))
        # A complaint is closed only once its result is verified; a replied one awaits its callback.
        if at < now and rng.random() < 0.85 and not _awaits_verification(ticket):
            ticket_transition(actor=owner, ticket=ticket, status=TicketStatus.CLOSED, reason="客户确认", at=at)

    def _duplicate(self, ticket: Ticket, owner, at: dt.datetime) -> None:
        """The customer asked again on another channel; the duplicate is merged into the first case."""
        at += dt.timedelta(minutes=self.rng.uniform(5, 60))
        if at >= self.now:
            return
        data = {"subject": ticket.subject, "type": ticket.type, "channel": Channel.WECHAT, "priority": ticket.priority,
                "description": f"客户再次反映：{ticket.description}", "category": ticket.category}
        duplicate = ticket_create(actor=owner, customer=ticket.customer, data=data, at=at)
        ticket_message_add(actor=owner, ticket=duplicate, kind=TicketMessage.Kind.REPLY,
                           body=f"您好，该问题已在工单 {ticket.number} 中处理，我们将合并跟进。",
                           at=at + dt.timedelta(minutes=3))
        ticket_merge(actor=owner, source=duplicate, target=ticket)
        self.stats["cases"] += 1
        self.stats["merged"] += 1

    def _advance_complaint(self, complaint: Complaint, owner, *, resolved: bool) -> None:
        stages = [ComplaintStage.RECORDED]
        while stages[-1] != ComplaintStage.VERIFIED:
            stages.append(NEXT_STAGE[stages[-1]])
        if resolved:
            last = ComplaintStage.VERIFIED if self.rng.random() < 0.7 else ComplaintStage.REPLIED
        else:
            last = self.rng.choice(stages[:5])
        for stage in stages[: stages.index(last) + 1]:
            extra = {}
            if stage == ComplaintStage.CLASSIFIED:
                extra["classification"] = self.rng.choice(CLASSIFICATIONS)
            if stage == ComplaintStage.FORWARDED:
                extra["responsible_team"] = self.rng.choice(self.teams)
            complaint_advance(actor=owner, complaint=complaint, stage=stage, note=COMPLAINT_NOTES[stage], **extra)

    def _date_complaint(self, complaint: Complaint, ticket: Ticket) -> None:
        """The workflow services stamp steps with the current time; spread them over the case's life."""
        ticket.refresh_from_db(fields=["created_at", "resolved_at", "closed_at"])
        start = ticket.created_at
        end = ticket.resolved_at or min(self.now, start + dt.timedelta(days=2))
        steps = list(ComplaintStep.objects.filter(complaint=complaint).order_by("id").values_list("id", flat=True))
        for n, step_id in enumerate(steps):
            ComplaintStep.objects.filter(pk=step_id).update(at=start + (end - start) * n / max(1, len(steps)))
        Complaint.objects.filter(pk=complaint.pk).update(created_at=start)


def _awaits_verification(ticket: Ticket) -> bool:
    return ticket.type == TicketType.COMPLAINT and not Complaint.objects.filter(
        ticket=ticket, stage=ComplaintStage.VERIFIED).exists()


COMPLAINT_NOTES = {
    ComplaintStage.RECORDED: "已登记投诉内容及客户诉求。",
    ComplaintStage.CLASSIFIED: "已完成投诉分类。",
    ComplaintStage.ASSESSED: "已与客户沟通，评估影响及责任。",
    ComplaintStage.FORWARDED: "已转责任部门处理。",
    ComplaintStage.FOLLOWING_UP: "跟进责任部门处理进度。",
    ComplaintStage.REPLIED: "已将处理结果答复客户。",
    ComplaintStage.VERIFIED: "回访确认客户认可处理结果。",
}
