"""The orders demo for 华星通信: every deal the sales demo won becomes an order of its customer, played
through the services with the deal's dates, so the ledger gets each order, 回款 and refund once.

Small deals sell handsets (one line per unit, with its serial number: warranty registers the sale when
the order is delivered) and accessories; large ones a year of an enterprise service. Large direct deals
are signed under a one-year sales contract; about half the contracts that ran out were renewed, and
those ending soon get their renewal reminder. A deal a campaign brought sells its own main product
(what the campaign promoted). Payment habits differ by customer: most pay within the
terms, some late, some in part, a few not at all — so the ageing report has every bucket filled.
"""

import datetime as dt
import random
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.catalog.models import Kind, Product
from guanxi.sales.models import Opportunity

from . import services
from .models import Contract, Order

HANDSETS = ("HX-X1", "HX-X1P", "MY-A5")
ACCESSORIES = ("HX-C65W", "HX-BUDS2")
SERVICES = ("ENT-LINE-100M", "CLOUD-ECS", "IOT-CARD", "ENT-VNET", "ENT-400", "ENT-BB")
CONTRACT_FROM = Decimal("50000")
# (share of customers, days after the due date they pay; None: never, "part": half, the rest open)
HABITS = ((0.70, (-20, 5)), (0.15, (10, 100)), (0.08, "part"), (0.07, None))
CENT = Decimal("0.01")


def _products() -> dict[str, Product]:
    codes = HANDSETS + ACCESSORIES + SERVICES
    return {p.model_code: p for p in Product.objects.filter(model_code__in=codes, is_active=True)}


def _lines(rng: random.Random, amount: Decimal, products: dict, number: int) -> list[dict]:
    """Lines adding up to the deal's amount: handsets with serials and an accessory for small deals, a
    year of a service for large ones."""
    if amount < 15000 and any(code in products for code in HANDSETS):
        lines, left = [], amount
        for unit in range(rng.randint(1, 3)):
            product = products[rng.choice([c for c in HANDSETS if c in products])]
            price = min(left, Decimal(rng.choice((1599, 1999, 3999, 999))))
            if price <= 0:
                break
            lines.append({"product": product, "quantity": 1, "unit_price": price,
                          "serial": f"SN{number:06d}{unit}"})
            left -= price
        accessory = next((products[c] for c in ACCESSORIES if c in products), None)
        if left > 0 and accessory is not None:
            lines.append({"product": accessory, "quantity": 1, "unit_price": left})
        return lines
    product = products[rng.choice([c for c in SERVICES if c in products])]
    monthly = (amount / 12).quantize(CENT)
    lines = [{"product": product, "quantity": 12, "unit_price": monthly}]
    rest = amount - monthly * 12
    if rest > 0:
        lines.append({"product": product, "quantity": 1, "unit_price": rest})
    return lines


def _deal_lines(deal: Opportunity, number: int) -> list[dict]:
    """Lines of a campaign deal: the product its campaign promoted (the deal's main product) — devices
    one unit a line with its serial, up to three; a plan or service for a year."""
    product, amount = deal.product, deal.amount
    if product.kind == Kind.PRODUCT:
        units = max(1, min(3, int(amount // 2000)))
        price = (amount / units).quantize(CENT, rounding=ROUND_DOWN)
        lines = [{"product": product, "quantity": 1, "unit_price": price, "serial": f"SN{number:06d}{unit}"}
                 for unit in range(units)]
        rest = amount - price * units
    else:
        monthly = (amount / 12).quantize(CENT, rounding=ROUND_DOWN)  # the cents left over: a line of their own
        lines, rest = [{"product": product, "quantity": 12, "unit_price": monthly}], amount - monthly * 12
    if rest > 0:
        lines.append({"product": product, "quantity": 1, "unit_price": rest})
    return lines


def _habit(rng: random.Random):
    roll, total = rng.random(), 0.0
    for share, habit in HABITS:
        total += share
        if roll < total:
            return habit
    return HABITS[0][1]


def _pay(rng: random.Random, order: Order, habit, today: dt.date) -> int:
    """Pay the order as the customer's habit has it; returns the payments made."""
    if habit is None:
        return 0
    if habit == "part":
        day = order.due_on + dt.timedelta(days=rng.randint(-10, 20))
        amount = (order.total / 2).quantize(CENT)
    else:
        day = order.due_on + dt.timedelta(days=rng.randint(*habit))
        amount = order.total
    day = max(day, order.order_date)
    if day > today or amount <= 0:
        return 0
    payment = services.payment_record(actor=SYSTEM, customer=order.customer, amount=amount, received_on=day,
                                      owner=order.owner, method=rng.choice(("bank", "bank", "wechat", "alipay")),
                                      allocations=[{"order": order, "amount": amount}])
    if rng.random() < 0.03 and day + dt.timedelta(days=7) <= today:
        services.refund_record(actor=SYSTEM, payment=payment, amount=(amount * Decimal("0.1")).quantize(CENT),
                               refunded_on=day + dt.timedelta(days=7), reason="价格调整退差价", order=order)
    return 1


def _contract(deal: Opportunity, day: dt.date) -> Contract:
    contract = services.contract_create(actor=SYSTEM, customer=deal.customer, owner=deal.owner,
                                        title=f"{deal.name}服务合同", amount=deal.amount, signed_on=day,
                                        starts_on=day, ends_on=day + dt.timedelta(days=364))
    Contract.objects.filter(pk=contract.pk).update(created_at=deal.closed_at)
    return services.contract_activate(actor=SYSTEM, contract=contract)


def _renew(rng: random.Random, deal: Opportunity, contract: Contract, today: dt.date) -> None:
    """About half the contracts that ran out were renewed the day after."""
    if contract.ends_on < today and rng.random() < 0.5:
        start = contract.ends_on + dt.timedelta(days=1)
        renewal = services.contract_create(actor=SYSTEM, customer=deal.customer, owner=deal.owner,
                                           title=f"{deal.name}服务合同（续签）",
                                           amount=(deal.amount * Decimal(str(rng.uniform(0.9, 1.15)))).quantize(CENT),
                                           signed_on=min(start, today), starts_on=start,
                                           ends_on=start + dt.timedelta(days=364), renews=contract)
        services.contract_activate(actor=SYSTEM, contract=renewal)


def orders_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                     now: dt.datetime | None = None) -> str:
    """An order for every won deal of the sales demo, its payments, refunds and contracts."""
    rng = random.Random(seed + 41)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    today = timezone.localdate(now)
    products = _products()
    if not products:
        return "0 orders (no catalogue)"
    habits: dict[int, object] = {}
    counts = {"orders": 0, "payments": 0, "contracts": 0, "cancelled": 0}
    deals = (Opportunity.objects.filter(status=Opportunity.Status.WON, closed_at__isnull=False, amount__gt=0)
             .select_related("customer", "owner", "channel", "product").order_by("closed_at", "id"))
    for number, deal in enumerate(deals, start=1):
        # Some demo deals close before their customer's record was made: the order is placed once it exists.
        closed_at = max(deal.closed_at, deal.customer.created_at)
        day = timezone.localdate(closed_at)
        contract = _contract(deal, day) if deal.amount >= CONTRACT_FROM and \
            getattr(deal.channel, "code", "") == "direct" else None
        counts["contracts"] += contract is not None
        terms = 60 if deal.amount >= CONTRACT_FROM else 30
        order = services.order_create(actor=SYSTEM, customer=deal.customer, owner=deal.owner, order_date=day,
                                      due_on=day + dt.timedelta(days=terms), opportunity=deal, contract=contract,
                                      lines=_deal_lines(deal, number) if deal.campaign_id and deal.product_id
                                      else _lines(rng, deal.amount, products, number))
        confirmed_at = min(closed_at + dt.timedelta(hours=2), now)
        order = services.order_confirm(actor=SYSTEM, order=order, at=confirmed_at)
        Order.objects.filter(pk=order.pk).update(created_at=closed_at)
        counts["orders"] += 1
        if contract is not None:
            _renew(rng, deal, contract, today)
        if rng.random() < 0.03:
            services.order_cancel(actor=SYSTEM, order=order, reason="客户撤单", at=confirmed_at)
            counts["cancelled"] += 1
            continue
        delivered_at = confirmed_at + dt.timedelta(days=rng.randint(1, 5))
        if delivered_at <= now:
            order = services.order_deliver(actor=SYSTEM, order=order, at=delivered_at)
        habit = habits.setdefault(deal.customer_id, _habit(rng))
        counts["payments"] += _pay(rng, order, habit, today)
    swept = services.contracts_sweep(today=today)
    return (f"{counts['orders']} orders ({counts['cancelled']} cancelled), {counts['payments']} payments received, "
            f"{counts['contracts']} contracts, {swept['reminded']} renewal reminders")
