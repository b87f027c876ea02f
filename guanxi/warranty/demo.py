"""Demo data of the warranty (三包) module: the catalogue's phones (made here when the catalogue
has none) covered by the seeded parts, about 150 sales to
demo customers over the last 18 months, repairs, exchanges and about 40 decisions covering every
remedy, all through the services. Registered in `WarrantyConfig.ready()`, run by `guanxi demo`.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.catalog.models import Product
from guanxi.customers.models import Customer

from .models import ProductSale, ProofKind, RepairRecord, SerialNumber, WarrantyDecision, WarrantyPolicy
from .services import (
    exchange_record,
    part_add,
    product_create,
    repair_finish,
    repair_start,
    sale_record,
    serial_register,
    warranty_decide,
)

SALES_AT_SCALE_1 = 150
DECISIONS_AT_SCALE_1 = 40
HISTORY_DAYS = 548  # 18 months
# model code, name, brand, lowest and highest price
PHONES = (
    ("HX-X1", "华星 X1 5G 手机", "华星", 1299, 1999),
    ("HX-X1P", "华星 X1 Pro 5G 手机", "华星", 3299, 4599),
    ("MY-A5", "明越 A5 手机", "明越", 899, 1299),
    ("MY-F9", "明越 F9 折叠屏手机", "明越", 6999, 8999),
)
FAULTS = ("频繁死机重启", "充电无反应", "屏幕触控失灵", "电池鼓包", "无法识别SIM卡", "听筒无声")
# The decision scenarios, cycled so that even a small demo shows every remedy:
# (name, part, days after the sale of the fault, customer wants, stock available)
SCENARIOS = (
    ("refund", "main_unit", (1, 7), "refund", True),
    ("exchange", "main_unit", (8, 15), "exchange", True),
    ("repair", "main_unit", (40, 300), None, True),
    ("loaner", "main_unit", (40, 200), None, True),
    ("refund_with_depreciation", "main_unit", (8, 15), "refund", True),
    ("not_covered", "battery", (200, 400), None, True),
    ("no_stock_refund", "main_unit", (3, 14), "exchange", False),
    ("repair", "charger", (30, 300), "repair", True),
)


def warranty_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                       now: dt.datetime | None = None) -> str:
    """Products (reused when they exist), sales, repairs, exchanges and decisions, all before `now`
    (default: the current time); a customer buys only after its record was created."""
    if not customers:
        return "no customers: nothing to sell"
    rng = random.Random(seed + 20)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    today = timezone.localdate(now or timezone.now())
    admin = staff.admin
    sellers = staff.by_role(Role.SALES_REP) + staff.by_role(Role.PARTNER)
    agents = staff.by_role(Role.AGENT)
    sellers_by_id = {seller.pk: seller for seller in sellers}
    products = []
    for code, name, brand, low, high in PHONES:
        product = Product.objects.filter(model_code=code).first()
        if product is None:
            product = product_create(actor=admin, model_code=code, name=name, brand=brand, category="phone")
        for policy in WarrantyPolicy.objects.exclude(parts__component__product=product):
            part_add(actor=admin, product=product, code=policy.code)  # a catalogue phone gains its 三包 coverage
        products.append((product, low, high))
    # Customers of at least three weeks: a sale is 20 days old or more and after the record was created.
    buyers = list(Customer.objects.filter(id__in=customers, created_at__date__lt=today - dt.timedelta(days=21))
                  .order_by("id").values_list("id", flat=True))
    if not buyers:
        return "no customers old enough to have bought a phone"
    buyer_objects = {c.pk: c for c in Customer.objects.filter(id__in=rng.sample(buyers, min(len(buyers), 400)))
                     .order_by("id")}
    buyer_ids = list(buyer_objects)
    n_sales = max(30, round(SALES_AT_SCALE_1 * scale))
    taken = set(SerialNumber.objects.values_list("serial", flat=True))
    sales: list[ProductSale] = []
    for _ in range(n_sales):
        product, low, high = rng.choice(products)
        buyer = buyer_objects[rng.choice(buyer_ids)]
        since = timezone.localdate(buyer.created_at)
        sold = today - dt.timedelta(days=rng.randrange(20, min(HISTORY_DAYS, (today - since).days)))
        serial = _serial(rng, product.model_code, taken)
        unit = serial_register(actor=admin, product=product, serial=serial,
                               factory_date=sold - dt.timedelta(days=rng.randint(10, 90)))
        proof = rng.choices((ProofKind.INVOICE, ProofKind.OTHER_PROOF, ProofKind.NONE), (85, 10, 5))[0]
        gift = rng.random() < 0.05
        price = Decimal(0) if gift else Decimal(rng.randrange(low, high + 1, 100) - 1)
        seller = rng.choice(sellers)
        if buyer.owner_id != seller.pk:  # a seller records sales of their own customers; an agent any other
            seller = sellers_by_id.get(buyer.owner_id) or agents[buyer.pk % len(agents)]
        sales.append(sale_record(
            actor=seller, serial=unit, customer=buyer, sold_at=sold,
            price=price, proof_kind=proof, invoice_date=sold if proof != ProofKind.NONE else None, is_gift=gift))

    repairs = exchanges = 0
    # Ordinary repairs of units that are not part of a decision scenario.
    for sale in rng.sample(sales, max(3, len(sales) // 8)):
        started = sale.sold_at + dt.timedelta(days=rng.randint(20, 300))
        if started >= today:
            continue
        part = rng.choice(("main_unit", "battery", "charger"))
        repair = repair_start(actor=rng.choice(agents), serial=sale.serial, part=part, started_at=started,
                              note=rng.choice(FAULTS))
        repair_finish(actor=rng.choice(agents), repair=repair,
                      finished_at=min(today, started + dt.timedelta(days=rng.randint(2, 12))))
        repairs += 1
    for sale in rng.sample(sales, max(2, len(sales) // 20)):
        exchanged = sale.sold_at + dt.timedelta(days=rng.randint(3, 120))
        if exchanged >= today:
            continue
        part = rng.choice((None, "charger", "battery"))
        exchange_record(actor=rng.choice(agents), sale=sale, exchanged_on=exchanged, part=part,
                        new_serial=_serial(rng, sale.serial.product.model_code, taken) if part is None else "",
                        note="三包换货" if part is None else "配件更换")
        exchanges += 1

    n_decisions = max(len(SCENARIOS) * 2, round(DECISIONS_AT_SCALE_1 * scale))
    remedies: dict[str, int] = {}
    for n in range(n_decisions):
        decision, opened = _decide(rng, SCENARIOS[n % len(SCENARIOS)], sales, agents, today)
        repairs += opened
        if decision is not None:
            remedies[decision.remedy] = remedies.get(decision.remedy, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(remedies.items()))
    return (f"{len(products)} products, {len(sales)} sales, {repairs} repairs, {exchanges} exchanges, "
            f"{sum(remedies.values())} decisions ({summary})")


def _serial(rng: random.Random, model_code: str, taken: set[str]) -> str:
    while True:
        serial = f"{model_code.replace('-', '')}{rng.randrange(10**10):010d}"
        if serial not in taken:
            taken.add(serial)
            return serial


def _decide(rng, scenario, sales, agents, today) -> tuple[WarrantyDecision | None, int]:
    """One decision of a scenario on a sale old enough for it; returns it and the repairs opened."""
    name, part, (low, high), wants, stock = scenario
    fits = [s for s in sales if s.sold_at + dt.timedelta(days=low + 12) <= today and s.proof_kind != ProofKind.NONE]
    if name == "not_covered":  # a repair or an exchange would extend or restart the period
        touched = set(ProductSale.objects.filter(pk__in=[s.pk for s in fits]).filter(
            Q(serial__repairs__isnull=False) | Q(exchanges__isnull=False)).values_list("pk", flat=True))
        fits = [s for s in fits if s.pk not in touched]
    if not fits:
        return None, 0
    sale = rng.choice(fits)
    agent = rng.choice(agents)
    fault = sale.sold_at + dt.timedelta(days=rng.randint(low, min(high, (today - sale.sold_at).days - 12)))
    as_of, opened = fault + dt.timedelta(days=rng.randint(0, 2)), 0
    if name == "loaner":
        # The main unit has been in repair more than a week and is not back yet.
        open_repair = RepairRecord.objects.filter(serial=sale.serial, part__policy__code="main_unit",
                                                  finished_at__isnull=True).first()
        if open_repair is None and not RepairRecord.objects.filter(serial=sale.serial, started_at__gte=fault).exists():
            repair_start(actor=agent, serial=sale.serial, part="main_unit", started_at=fault, note="送厂商检修")
            opened = 1
        as_of = fault + dt.timedelta(days=rng.randint(8, 12))
    decision = warranty_decide(actor=agent, sale=sale, part=part, fault_date=fault, customer_wants=wants,
                               stock_available=stock, as_of=min(as_of, today))
    # Decisions are stamped with the current time; the demo's were made on their day.
    moment = dt.datetime.combine(decision.decided_on, dt.time(10 + rng.randrange(8), rng.randrange(60)),
                                 tzinfo=timezone.get_current_timezone())
    WarrantyDecision.objects.filter(pk=decision.pk).update(created_at=moment, updated_at=moment)
    if decision.remedy == "exchange" and rng.random() < 0.7:
        exchange_record(actor=agent, sale=sale, exchanged_on=decision.decided_on, decision=decision,
                        new_serial=f"{sale.serial.serial}R", note="三包换货")
    return decision, opened
