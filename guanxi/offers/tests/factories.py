"""Test data: customers through the customers service, their holdings in bulk."""

import datetime as dt

from guanxi.customers.models import Holding
from guanxi.customers.tests.factories import make_customer

__all__ = ["hold", "make_customer", "offer_world"]

DAY = dt.date(2025, 3, 1)


def hold(customer, *products: str, competitor: str = "") -> list[Holding]:
    """The customer takes `products` on consecutive days (category: the product's first word); with
    `competitor`, it also holds a competitor's product of that category."""
    rows = [Holding(customer=customer, product=p, category=p.split()[0], started_on=DAY + dt.timedelta(days=n))
            for n, p in enumerate(products)]
    if competitor:
        rows.append(Holding(customer=customer, product=f"电信 {competitor}", category=competitor, is_competitor=True,
                            started_on=DAY))
    return Holding.objects.bulk_create(rows)


def offer_world(actor, *, bundles: int = 12, singles: int = 8) -> dict:
    """Customers who took broadband, then IPTV; customers holding only 视频彩铃; and the customer
    to serve, who holds broadband only."""
    for n in range(bundles):
        hold(make_customer(actor, name=f"宽带客户{n}"), "宽带 500M", "魔百和 IPTV")
    for n in range(singles):
        hold(make_customer(actor, name=f"彩铃客户{n}"), "视频彩铃")
    for n in range(4):
        hold(make_customer(actor, name=f"双业务客户{n}"), "视频彩铃", "宽带 500M")
    target = make_customer(actor, name="王五")
    hold(target, "宽带 500M")
    return {"target": target}
