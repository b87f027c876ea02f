"""Demo data: a telecom-style operator (运营商) with its staff and a few thousand customers.

Customers are validated by the same rules as `customer_create` (`customer_fields_clean`) and get
the same derived search keys (`refresh_name_keys`: pinyin and initials; number `C{id:09d}`), but
are written with bulk inserts: one service call per customer is ten times too slow for `make run`.
Every bulk-created record gets a 'created' audit row.

The company has been in business for years: each customer's record was created when its
relationship began (up to three years ago; recently for new customers and prospects), and its
holdings, contacts, ledger, cases and purchases all fall after that day.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import DateTimeField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from guanxi.accounts.demo import (
    KEY_ACCOUNTS_TEAM,
    PARTNER_TEAM,
    SALES_REGIONS,
    SERVICE_TEAMS,
    DemoStaff,
    demo_staff_create,
    sales_team_name,
)
from guanxi.accounts.enums import Role

from .. import normalize
from ..enums import (
    AddressKind,
    ContactPointKind,
    CreditLevel,
    CustomerKind,
    Gender,
    HoldingStatus,
    IdType,
    LifecycleStage,
    PaymentMethod,
    SourceChannel,
)
from ..models import Address, Brand, Contact, ContactPoint, Customer, Holding, Interaction, Tag, Transaction
from ..services.customers import customer_fields_clean, refresh_name_keys

if TYPE_CHECKING:
    from faker import Faker

CHANGE_REASON = "demo data"
BATCH = 500
ZONE = ZoneInfo("Asia/Shanghai")
# The company's public face: demo pages, the portal and the summary name it.
COMPANY_NAME = "华星通信"
# Days before `now` when a customer's record was created, by lifecycle stage: (fewest, most).
CUSTOMER_SINCE_DAYS = {
    LifecycleStage.PROSPECT: (3, 300), LifecycleStage.NEW: (20, 270), LifecycleStage.GROWING: (200, 900),
    LifecycleStage.MATURE: (365, 1090), LifecycleStage.AT_RISK: (300, 1090), LifecycleStage.CHURNED: (430, 1090),
}

BRANDS = (("gotone", "全球通"), ("mzone", "动感地带"), ("easyown", "神州行"))
TAGS = ("VIP", "高价值", "5G用户", "宽带用户", "家庭套餐", "国际漫游", "学生", "政企", "投诉敏感",
        "携号转网风险", "欠费提醒", "代理商发展")

# Province → (its ID-card prefix, the capital's area code, a few cities).
PROVINCE_INFO: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "北京市": ("11", "010", ("北京市",)), "天津市": ("12", "022", ("天津市",)),
    "上海市": ("31", "021", ("上海市",)), "重庆市": ("50", "023", ("重庆市",)),
    "河北省": ("13", "0311", ("石家庄市", "唐山市", "保定市")), "山西省": ("14", "0351", ("太原市", "大同市")),
    "内蒙古自治区": ("15", "0471", ("呼和浩特市", "包头市")), "辽宁省": ("21", "024", ("沈阳市", "大连市")),
    "吉林省": ("22", "0431", ("长春市", "吉林市")), "黑龙江省": ("23", "0451", ("哈尔滨市", "大庆市")),
    "江苏省": ("32", "025", ("南京市", "苏州市", "无锡市")), "浙江省": ("33", "0571", ("杭州市", "宁波市", "温州市")),
    "安徽省": ("34", "0551", ("合肥市", "芜湖市")), "福建省": ("35", "0591", ("福州市", "厦门市", "泉州市")),
    "江西省": ("36", "0791", ("南昌市", "赣州市")), "山东省": ("37", "0531", ("济南市", "青岛市", "烟台市")),
    "河南省": ("41", "0371", ("郑州市", "洛阳市")), "湖北省": ("42", "027", ("武汉市", "宜昌市")),
    "湖南省": ("43", "0731", ("长沙市", "株洲市")), "广东省": ("44", "020", ("广州市", "深圳市", "东莞市", "佛山市")),
    "广西壮族自治区": ("45", "0771", ("南宁市", "桂林市")), "海南省": ("46", "0898", ("海口市", "三亚市")),
    "四川省": ("51", "028", ("成都市", "绵阳市")), "贵州省": ("52", "0851", ("贵阳市", "遵义市")),
    "云南省": ("53", "0871", ("昆明市", "大理市")), "西藏自治区": ("54", "0891", ("拉萨市",)),
    "陕西省": ("61", "029", ("西安市", "宝鸡市")), "甘肃省": ("62", "0931", ("兰州市", "天水市")),
    "青海省": ("63", "0971", ("西宁市",)), "宁夏回族自治区": ("64", "0951", ("银川市",)),
    "新疆维吾尔自治区": ("65", "0991", ("乌鲁木齐市", "喀什市")),
}
REGION_WEIGHTS = {"华东": 32, "华南": 28, "华北": 24, "西部": 16}
MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
                   "172", "178", "182", "183", "184", "187", "188", "195", "198")
LIFECYCLE_WEIGHTS = {
    LifecycleStage.PROSPECT: 8, LifecycleStage.NEW: 12, LifecycleStage.GROWING: 20,
    LifecycleStage.MATURE: 40, LifecycleStage.AT_RISK: 12, LifecycleStage.CHURNED: 8,
}
INDUSTRIES = ("制造业", "金融", "教育", "医疗卫生", "批发零售", "交通物流", "政府机关", "互联网", "房地产",
              "能源化工", "农业", "酒店餐饮")
OCCUPATIONS = ("教师", "工程师", "医生", "公务员", "个体经营", "销售", "学生", "退休", "自由职业", "会计",
               "司机", "程序员")
KEY_PEOPLE = (("总经理", "总经办"), ("信息化部主管", "信息部"), ("采购经理", "采购部"), ("财务总监", "财务部"),
              ("行政主管", "行政部"), ("办公室主任", "办公室"))
# (product, category, lowest fee, highest fee, for organisations)
PRODUCTS = (
    ("5G畅享套餐", "移动套餐", 58, 298, False), ("4G飞享套餐", "移动套餐", 18, 88, False),
    ("家庭宽带 500M", "宽带", 50, 120, False), ("家庭宽带 千兆", "宽带", 99, 199, False),
    ("魔百和 IPTV", "增值业务", 10, 30, False), ("视频彩铃", "增值业务", 5, 10, False),
    ("国际漫游包", "增值业务", 25, 98, False), ("亲情网", "增值业务", 0, 10, False),
    ("集团专线 100M", "专线", 1500, 6000, True), ("云主机", "云计算", 300, 5000, True),
    ("物联网卡", "物联网", 200, 3000, True), ("集团V网", "集团业务", 100, 1200, True),
    ("企业宽带", "宽带", 200, 1200, True), ("400 热线", "集团业务", 300, 1500, True),
)
COMPETITOR_PRODUCTS = (("联通 冰激凌套餐", "移动套餐", 59, 199, False), ("电信 天翼宽带", "宽带", 60, 150, False),
                       ("电信 天翼云", "云计算", 500, 5000, True), ("联通 企业专线", "专线", 1500, 5000, True))


@dataclass
class _Draft:
    """One customer and its related records before they have primary keys."""

    customer: Customer
    tags: list[str]
    points: list[tuple[str, str, str]] = field(default_factory=list)  # kind, value, label
    addresses: list[Address] = field(default_factory=list)
    contacts: list[tuple[Contact, list[tuple[str, str, str]]]] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)


@dataclass
class DemoResult:
    staff: DemoStaff
    customers: int
    customer_ids: list[int] = field(default_factory=list)


def demo_load(*, customers: int = 5000, seed: int = 42, now: datetime.datetime | None = None,
              on_progress: Callable[[int], None] | None = None) -> DemoResult:
    """Create the demo organisation, brands, tags and `customers` customers, all in one
    transaction. Deterministic for a given seed and `now` (default: the current time) on an empty
    database."""
    now = now or timezone.now()
    from faker import Faker  # some 60 MB: imported by the demo only

    with transaction.atomic():
        staff_faker, faker = Faker("zh_CN"), Faker("zh_CN")
        staff_faker.seed_instance(seed)
        faker.seed_instance(seed + 1)  # customers do not depend on how many staff already existed
        rng = random.Random(seed)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
        staff = demo_staff_create(faker=staff_faker)
        brands = {code: _brand(code, name) for code, name in BRANDS}
        tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
        generator = _Generator(rng=rng, faker=faker, staff=staff, brands=brands, now=now)
        done, ids = 0, []
        while done < customers:
            size = min(BATCH, customers - done)
            drafts = [generator.draft() for _ in range(size)]
            _write_batch(drafts, tags=tags, actor=staff.admin)
            ids += [d.customer.pk for d in drafts]
            done += size
            if on_progress:
                on_progress(size)
        return DemoResult(staff=staff, customers=done, customer_ids=ids)


def _brand(code: str, name: str) -> Brand:
    return Brand.objects.filter(code=code).first() or Brand.objects.create(code=code, name=name)


class _Generator:
    def __init__(self, *, rng: random.Random, faker: Faker, staff: DemoStaff, brands: dict[str, Brand],
                 now: datetime.datetime):
        self.rng, self.faker, self.staff, self.brands = rng, faker, staff, brands
        self.now, self.today = now, timezone.localdate(now, ZONE)
        self.mobiles: set[str] = set()
        self.id_numbers: set[str] = set()
        self.sequence = 0
        teams = staff.teams
        self.region_owners = {
            region: (staff.by_role(Role.SALES_REP, teams[sales_team_name(region)]),
                     staff.by_role(Role.SALES_MANAGER, teams[sales_team_name(region)]))
            for region in SALES_REGIONS
        }
        self.kams = staff.by_role(Role.KEY_ACCOUNT_MANAGER, teams[KEY_ACCOUNTS_TEAM])
        self.partners = staff.by_role(Role.PARTNER, teams[PARTNER_TEAM])
        self.service_teams = [teams[name] for name in SERVICE_TEAMS]

    # -- building blocks ---------------------------------------------------------------
    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def landline(self, province: str) -> str:
        area = PROVINCE_INFO[province][1]
        while True:  # some areas dial 7-digit local numbers, and not every first digit is in use
            digits = self.rng.choice((7, 8))
            number = f"{area}-{self.rng.choice('2345678')}{self.rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            if normalize.phone_is_valid(number):
                return number

    def resident_id(self, province: str, birth: datetime.date, gender: str) -> str:
        while True:
            area = PROVINCE_INFO[province][0] + f"{self.rng.randint(1, 5):02d}{self.rng.randint(1, 9):02d}"
            serial = self.rng.randrange(100) * 10 + self.rng.choice((1, 3, 5, 7, 9) if gender == Gender.MALE
                                                                   else (0, 2, 4, 6, 8))
            first17 = f"{area}{birth:%Y%m%d}{serial:03d}"
            number = first17 + normalize.resident_id_check_digit(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def credit_code(self, province: str) -> str:
        """A unified social credit code (统一社会信用代码) with a valid GB 32100 check character."""
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
        while True:
            body = "91" + PROVINCE_INFO[province][0] + f"{self.rng.randrange(10**4):04d}"
            body += "".join(self.rng.choice(alphabet) for _ in range(9))
            total = sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True))
            code = body + alphabet[(31 - total % 31) % 31]
            if code not in self.id_numbers:
                self.id_numbers.add(code)
                return code

    def place(self, region: str | None = None) -> tuple[str, str]:
        if region is None:
            region = self.rng.choices(list(REGION_WEIGHTS), weights=list(REGION_WEIGHTS.values()))[0]
        return region, self.rng.choice(SALES_REGIONS[region])

    def address(self, province: str, kind: str, is_default: bool) -> Address:
        city = self.rng.choice(PROVINCE_INFO[province][2])
        street = f"{self.faker.street_name()}{self.rng.randint(1, 999)}号"
        if self.rng.random() < 0.6:
            street += f"{self.rng.randint(1, 30)}栋{self.rng.randint(1, 28)}{self.rng.randint(1, 6):02d}室"
        return Address(kind=kind, province=province, city=city, district=self.faker.district() + "区",
                       street=street, postcode=f"{self.rng.randint(10, 85)}{self.rng.randrange(10**4):04d}",
                       is_default=is_default)

    def since(self, stage: str) -> datetime.datetime:
        """When the customer's record was created: a working hour some days before now."""
        low, high = CUSTOMER_SINCE_DAYS[stage]
        day = self.today - datetime.timedelta(days=self.rng.randint(low, high))
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(9, 19), self.rng.randrange(60),
                                                              self.rng.randrange(60)), tzinfo=ZONE)
        return min(moment, self.now - datetime.timedelta(hours=1))

    def holdings(self, *, organisation: bool, arpu: float, stage: str, since: datetime.date) -> list[Holding]:
        """Products held: the first taken on the day the relationship began, the others since."""
        catalogue = [(p, False) for p in PRODUCTS if organisation or not p[4]]
        count = 0 if stage == LifecycleStage.PROSPECT else self.rng.randint(1, 5 if organisation else 3)
        picked = self.rng.sample(catalogue, min(count, len(catalogue)))
        if self.rng.random() < 0.15:  # a competitor's product: a churn risk and a sales opportunity
            picked.append((self.rng.choice([p for p in COMPETITOR_PRODUCTS if p[4] == organisation]), True))
        result = []
        for n, ((product, category, low, high, _), competitor) in enumerate(picked):
            status = HoldingStatus.ENDED if stage == LifecycleStage.CHURNED and not competitor else (
                HoldingStatus.SUSPENDED if stage == LifecycleStage.AT_RISK and self.rng.random() < 0.3
                else HoldingStatus.ACTIVE)
            fee = min(high, max(low, round(arpu / max(len(picked), 1))))
            result.append(Holding(
                product=product, category=category, monthly_fee=Decimal(fee),
                started_on=since if n == 0 else since + datetime.timedelta(
                    days=self.rng.randint(0, max(0, (self.today - since).days - 1))),
                status=status, is_competitor=competitor,
            ))
        return result

    # -- one customer ------------------------------------------------------------------
    def draft(self) -> _Draft:
        rng, faker = self.rng, self.faker
        self.sequence += 1
        organisation = rng.random() < 0.15
        stage = rng.choices(list(LIFECYCLE_WEIGHTS), weights=list(LIFECYCLE_WEIGHTS.values()))[0]
        arpu = rng.lognormvariate(math.log(900), 1.1) if organisation else rng.lognormvariate(math.log(65), 0.75)
        if stage == LifecycleStage.PROSPECT:
            arpu = 0
        elif stage == LifecycleStage.NEW:
            arpu *= 0.7
        arpu = round(min(arpu, 5_000_000), 2)

        # Who owns the relationship follows the roles: key accounts for big organisations,
        # the partner's own customers, the regional sales team, or nobody (service only).
        roll = rng.random()
        if organisation and arpu >= 3000:
            region, province = self.place()
            owner = rng.choice(self.kams)
            team, source = owner.team, SourceChannel.KEY_ACCOUNTS
        elif roll < 0.06:
            region, province = self.place("华南")
            owner = rng.choice(self.partners)
            team, source = owner.team, SourceChannel.PARTNER
        elif roll < 0.30 and not organisation:
            region, province = self.place()
            owner, team = None, rng.choice(self.service_teams)
            source = rng.choice((SourceChannel.CALL_CENTER, SourceChannel.WEB, SourceChannel.OUTLET))
        else:
            region, province = self.place()
            reps, managers = self.region_owners[region]
            owner = rng.choice(managers) if rng.random() < 0.1 else rng.choice(reps)
            team = owner.team
            source = rng.choice((SourceChannel.OUTLET, SourceChannel.OUTLET, SourceChannel.WEB,
                                 SourceChannel.CALL_CENTER))

        data: dict = {
            "kind": CustomerKind.ORGANISATION if organisation else CustomerKind.INDIVIDUAL,
            "arpu": Decimal(str(arpu)), "lifecycle_stage": stage, "source": source, "owner": owner, "team": team,
            "mobile": self.mobile(),
        }
        tags: list[str] = []
        draft_points: list[tuple[str, str, str]] = []
        if organisation:
            name = faker.company()
            data.update(
                name=name, id_type=IdType.CREDIT_CODE, id_number=self.credit_code(province),
                industry=rng.choice(INDUSTRIES), legal_representative=faker.name(),
                employee_count=int(rng.lognormvariate(math.log(80), 1.3)) + 3,
                annual_revenue=Decimal(int(rng.lognormvariate(math.log(8e6), 1.4))),
                website=f"www.{faker.user_name()}{rng.randint(1, 99)}.com.cn", brand=self.brands["gotone"],
                email=f"contact@{faker.user_name()}{self.sequence}.com.cn", invoice_title=name,
                payment_method=rng.choice((PaymentMethod.BANK_TRANSFER, PaymentMethod.DIRECT_DEBIT)),
            )
            data["tax_number"] = data["id_number"]
            tags.append("政企")
            draft_points.append((ContactPointKind.PHONE, self.landline(province), "总机"))
        else:
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            age = min(85, max(16, int(rng.gauss(40, 14))))
            birth = self.today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
            name = faker.name_male() if gender == Gender.MALE else faker.name_female()
            young = age < 26
            if stage == LifecycleStage.PROSPECT and rng.random() < 0.5:
                brand = None
            elif young and rng.random() < 0.7:
                brand = self.brands["mzone"]
            elif arpu >= 150 or rng.random() < 0.2:
                brand = self.brands["gotone"]
            else:
                brand = self.brands["easyown"]
            data.update(
                name=name, gender=gender, birth_date=birth, id_type=IdType.RESIDENT_ID,
                id_number=self.resident_id(province, birth, gender), brand=brand,
                occupation="学生" if age < 22 else rng.choice(OCCUPATIONS),
                payment_method=rng.choice((PaymentMethod.WECHAT_PAY, PaymentMethod.ALIPAY, PaymentMethod.CASH,
                                           PaymentMethod.DIRECT_DEBIT)),
            )
            if rng.random() < 0.55:
                data["email"] = f"{faker.user_name()}{rng.randint(1, 9999)}@{faker.free_email_domain()}"
            if age < 22:
                tags.append("学生")
            if rng.random() < 0.35:
                draft_points.append((ContactPointKind.WECHAT, f"wxid_{faker.user_name()}{rng.randint(10, 9999)}",
                                     "微信"))
            if rng.random() < 0.2:
                draft_points.append((ContactPointKind.MOBILE, self.mobile(), "副号"))
            if rng.random() < 0.1:
                draft_points.append((ContactPointKind.PHONE, self.landline(province), "家庭电话"))

        # Billing and credit profile (计费帐务, 信用)
        overdue = 0 if rng.random() < 0.8 else rng.randint(1, 6)
        if stage == LifecycleStage.AT_RISK:
            overdue += rng.randint(0, 3)
        credit = (CreditLevel.AAA if overdue == 0 and arpu > 300 else CreditLevel.AA if overdue == 0
                  else CreditLevel.A if overdue <= 2 else CreditLevel.B if overdue <= 4 else CreditLevel.C)
        data.update(
            billing_account=f"BA{self.sequence:08d}{rng.randrange(100):02d}",
            billing_cycle_day=1 if rng.random() < 0.7 else rng.randint(2, 28),
            balance=Decimal(str(round(rng.gauss(arpu * 0.4, arpu * 0.8 + 10), 2))),
            credit_level=credit, overdue_count=overdue,
            credit_limit=Decimal(int(arpu * (3 if credit in (CreditLevel.AAA, CreditLevel.AA) else 1)) // 10 * 10),
        )
        if data["payment_method"] == PaymentMethod.DIRECT_DEBIT:
            data["bank_account"] = "6222" + f"{rng.randrange(10**15):015d}"
        if stage == LifecycleStage.AT_RISK and rng.random() < 0.4:
            tags.append("携号转网风险")
        if overdue >= 2:
            tags.append("欠费提醒")

        since = self.since(stage)
        holdings = self.holdings(organisation=organisation, arpu=arpu, stage=stage, since=since.date())
        products = {h.product for h in holdings if not h.is_competitor}
        if arpu >= (5000 if organisation else 300):
            tags.append("VIP")
        elif arpu >= (1500 if organisation else 150):
            tags.append("高价值")
        if "5G畅享套餐" in products:
            tags.append("5G用户")
        if any(h.category == "宽带" for h in holdings if not h.is_competitor):
            tags.append("宽带用户")
        if "亲情网" in products:
            tags.append("家庭套餐")
        if "国际漫游包" in products:
            tags.append("国际漫游")
        if source == SourceChannel.PARTNER:
            tags.append("代理商发展")
        if rng.random() < 0.03:
            tags.append("投诉敏感")

        clean = customer_fields_clean(data, partial=False)
        customer = Customer(code=f"tmp-{rng.getrandbits(60):015x}", **clean)
        refresh_name_keys(customer)
        customer._history_date = since  # the 'created' audit row tells when the record was created
        draft = _Draft(customer=customer, tags=tags, points=draft_points, holdings=holdings)

        kind = AddressKind.OFFICE if organisation else AddressKind.HOME
        draft.addresses.append(self.address(province, kind, True))
        if rng.random() < 0.25:
            second = AddressKind.INSTALLATION if organisation or rng.random() < 0.5 else AddressKind.BILLING
            draft.addresses.append(self.address(province, second, False))
        if organisation:
            for title, department in rng.sample(KEY_PEOPLE, rng.randint(1, 3)):
                contact = Contact(name=faker.name(), title=title, department=department,
                                  is_key_person=title in ("总经理", "信息化部主管", "财务总监"))
                points = [(ContactPointKind.MOBILE, self.mobile(), title)]
                if rng.random() < 0.5:
                    points.append((ContactPointKind.EMAIL, f"{faker.user_name()}{self.sequence}@{faker.domain_name()}",
                                   title))
                draft.contacts.append((contact, points))
        return draft


def _point(customer: Customer, kind: str, value: str, label: str, contact: Contact | None) -> ContactPoint:
    if kind in (ContactPointKind.MOBILE, ContactPointKind.PHONE):
        normalized = normalize.phone_normalize(value)
        if normalized is None:
            raise ValueError(f"demo generated an invalid phone number: {value}")
    elif kind == ContactPointKind.EMAIL:
        normalized = normalize.email_normalize(value)
    else:
        normalized = value.lower()
    return ContactPoint(customer=customer, contact=contact, kind=kind, value=value, normalized=normalized,
                        label=label, is_primary=False)


def _write_batch(drafts: list[_Draft], *, tags: dict[str, Tag], actor) -> None:
    customers = Customer.objects.bulk_create([d.customer for d in drafts])
    contacts, points, addresses, holdings, tag_links = [], [], [], [], []
    for draft in drafts:
        customer = draft.customer
        for contact, _ in draft.contacts:
            contact.customer = customer
            contacts.append(contact)
        for address in draft.addresses:
            address.customer = customer
            addresses.append(address)
        for holding in draft.holdings:
            holding.customer = customer
            holdings.append(holding)
        tag_links += [Customer.tags.through(customer=customer, tag=tags[name]) for name in set(draft.tags)]
    Contact.objects.bulk_create(contacts)
    for draft in drafts:
        customer_points = [_point(draft.customer, k, v, label, None) for k, v, label in draft.points]
        for contact, contact_points in draft.contacts:
            customer_points += [_point(draft.customer, k, v, label, contact) for k, v, label in contact_points]
        points += customer_points
        customer = draft.customer
        customer.code = f"C{customer.pk:09d}"
    ContactPoint.objects.bulk_create(points)
    Address.objects.bulk_create(addresses)
    Holding.objects.bulk_create(holdings)
    Customer.tags.through.objects.bulk_create(tag_links)
    # bulk_update's CASE expressions cost seconds per thousand rows; one prepared statement does not.
    # created_at is set here too: bulk_create stamps auto_now_add fields with the current time.
    table, quote = Customer._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(table)} SET {quote('code')} = %s, {quote('created_at')} = %s, {quote('updated_at')} = %s "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            f"WHERE {quote('id')} = %s",
            [(c.code, *[connection.ops.adapt_datetimefield_value(c._history_date)] * 2, c.pk) for c in customers],
        )
        ids = ", ".join(str(c.pk) for c in customers)
        for model in (Contact, ContactPoint, Address, Holding):  # recorded with the customer, on its day
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} SET {quote('created_at')} = (SELECT {quote('created_at')} "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                f"FROM {quote(table)} WHERE {quote(table)}.{quote('id')} = {quote('customer_id')}), "
                f"{quote('updated_at')} = (SELECT {quote('created_at')} FROM {quote(table)} "
                f"WHERE {quote(table)}.{quote('id')} = {quote('customer_id')}) WHERE {quote('customer_id')} IN ({ids})")
    for customer in customers:
        customer.created_at = customer.updated_at = customer._history_date
    for obj in [*contacts, *points, *addresses, *holdings]:
        obj._history_date = obj.customer._history_date
    for model, objs in ((Customer, customers), (Contact, contacts), (ContactPoint, points),
                        (Address, addresses), (Holding, holdings)):
        model.history.bulk_history_create(objs, default_user=actor, default_change_reason=CHANGE_REASON)


def demo_last_touched(*, customers: list[int]) -> None:
    """Each demo customer was last changed when it last dealt with the company (its newest contact or
    transaction, else when it was created), so that the newest-first list opens on lively customers
    rather than on whatever the demo wrote last."""
    def newest(model):
        return Subquery(model.objects.filter(customer_id=OuterRef("pk")).order_by("-occurred_at")
                        .values("occurred_at")[:1], output_field=DateTimeField())

    for start in range(0, len(customers), BATCH):
        Customer.objects.filter(pk__in=customers[start:start + BATCH]).update(updated_at=Greatest(
            F("created_at"), Coalesce(newest(Interaction), F("created_at")),
            Coalesce(newest(Transaction), F("created_at"))))
