"""Demo: some demo customers took a second product that goes with their first (the bundles below),
and the next-best-offer model is trained on the result, so that the 360 and case pages show offers
whose reasons name what the customer holds. Registered in `OffersConfig.ready()` after the
customers app's steps; run by `guanxi demo`.

The customers demo picks each customer's products independently of one another, which leaves a
model nothing to learn but popularity; real holdings come in bundles (IPTV with broadband, 视频彩铃
with 5G, cloud with a private line), and these follow-on acquisitions add that shape."""

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.customers.enums import HoldingStatus
from guanxi.customers.models import Holding

from .services import offer_model_train

# (held product, or category with "category:"), follow-on product, its category, monthly fee, share who took it
BUNDLES = (
    ("category:宽带", "魔百和 IPTV", "增值业务", 20, 0.55),
    ("5G畅享套餐", "视频彩铃", "增值业务", 10, 0.45),
    ("category:宽带", "亲情网", "增值业务", 10, 0.30),
    ("集团专线 100M", "云主机", "云计算", 980, 0.50),
    ("企业宽带", "集团V网", "集团业务", 500, 0.40),
)


def _follow_ons(rng: random.Random, today: dt.date) -> list[Holding]:
    held: dict[int, dict[str, Holding]] = {}
    for holding in (Holding.objects.filter(is_competitor=False).exclude(status=HoldingStatus.ENDED)
                    .exclude(Q(started_on__isnull=True)).order_by("customer_id", "started_on", "id")):
        keys = held.setdefault(holding.customer_id, {})
        keys.setdefault(holding.product, holding)
        keys.setdefault(f"category:{holding.category}", holding)
    taken = []
    for customer_id, keys in held.items():
        for key, product, category, fee, share in BUNDLES:
            first = keys.get(key)
            if first is None or product in keys or rng.random() >= share:
                continue
            room = (today - first.started_on).days - 1
            if room < 1:
                continue
            started = first.started_on + dt.timedelta(days=rng.randint(1, min(room, 240)))
            taken.append(Holding(customer_id=customer_id, product=product, category=category, started_on=started,
                                 monthly_fee=Decimal(fee), status=HoldingStatus.ACTIVE))
            keys[product] = taken[-1]
    return taken


def offers_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                     now: dt.datetime | None = None) -> str:
    today = timezone.localdate(now) if now else timezone.localdate()
    taken = Holding.objects.bulk_create(_follow_ons(random.Random(seed + 40), today))  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    model = offer_model_train(actor=SYSTEM, as_of=today, seed=seed)
    rates = model.metrics["hit_rates"]
    return (f"{len(taken)} follow-on products; offer model v{model.version} ({model.algorithm}): "
            f"hit@3 {rates[model.algorithm]['hit_at_3']:.0%} (popularity {rates['popularity']['hit_at_3']:.0%}) "
            f"on {model.metrics['evaluated']} held-back purchases")
