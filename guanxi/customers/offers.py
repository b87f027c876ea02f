"""The next-best-offer slot of the customer 360 (交叉销售, 下一个最佳推荐).

What fits a customer next is decided by a higher module (marketing's cross-selling rules, a
model); customers only shows it. Such a module registers, in its AppConfig.ready(), a
function `(customer, user, limit) -> list[Offer]`; the 360 page and API show the
best-scored offers of every registered source.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Customer


@dataclass(frozen=True)
class Offer:
    title: str
    reason: str = ""  # why it fits, shown to the agent ("holds broadband, no IPTV")
    link: str = ""
    score: float = 0.0  # higher first, across sources
    source: str = ""
    feedback_url: str = ""  # where an agent records it as offered/accepted/declined (POST product, outcome)


OFFER_SOURCES: list[Callable[..., list[Offer]]] = []


def register_offer_source(source: Callable[..., list[Offer]]) -> None:
    if source not in OFFER_SOURCES:
        OFFER_SOURCES.append(source)


def customer_offers(*, customer: Customer, user, limit: int = 3) -> list[Offer]:
    """The best `limit` offers of every registered source for this customer, best first."""
    offers: list[Offer] = []
    for source in OFFER_SOURCES:
        offers.extend(source(customer, user, limit))
    return sorted(offers, key=lambda o: o.score, reverse=True)[:limit]
