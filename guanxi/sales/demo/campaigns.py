"""Deals won from the demo campaigns' responders (the sales side of the campaigns' ROI): for members
who bought, an opportunity attributed to the campaign, won soon after the response; for some who
were interested, one lost or (responses of the last two months) still open. Through the services, so
history and the board agree.

Each deal sells a catalogue product of what its campaign promoted (its main product, so the sales
analysis by product counts it) through the sales channel the response leads to: a call campaign's
responders buy from telesales, an SMS's at an outlet or online, an e-mail's online; the enterprise
campaigns' deals are direct sales. The outlet is the seller's, as for the other demo deals. Campaign
names the demo does not know get any catalogue product."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.catalog.models import Product
from guanxi.customers.models import Customer
from guanxi.marketing.enums import MemberStatus
from guanxi.marketing.models import CampaignMember, CampaignResponse

from ..models import DealReason, SalesChannel
from ..services.opportunities import opportunity_create, opportunity_lose, opportunity_win
from .opportunities import _outlets_by_seller

PER_CAMPAIGN_AT_SCALE_1 = 25
STALE_AFTER_DAYS = 60  # a responder's deal not won by then was lost
# campaign name: (catalogue model codes it promoted, deal amount range in yuan, enterprise campaign)
OFFERS = {
    "春节宽带升级季": (("BB-1000M", "BB-500M"), 1200, 3600, False),
    "5G 融合套餐推广": (("PLAN-5G-EN", "HX-X1"), 1500, 6000, False),
    "企业专线回馈": (("ENT-LINE-100M", "ENT-BB"), 20000, 90000, True),
    "暑期校园卡": (("PLAN-4G-FX", "PLAN-5G-EN"), 300, 1500, False),
    "IPTV 高清电视体验": (("IPTV-MBH", "HX-STB-4K"), 240, 1200, False),
    "中秋感恩回馈": (("SVC-FAMILY", "PACK-ROAM", "PLAN-5G-EN"), 500, 3000, False),
    "双十一云电脑": (("CLOUD-ECS",), 3000, 15000, True),
    "年终企业数字化": (("ENT-VNET", "ENT-400", "CLOUD-ECS"), 10000, 60000, True),
    "全屋 WiFi 焕新": (("HX-ONT-10G", "BB-1000M"), 500, 2500, False),
    "物联网卡行业推广": (("IOT-CARD",), 5000, 40000, True),
    "视频监控安心计划": (("IOT-CARD", "CLOUD-ECS", "ENT-BB"), 2500, 12000, True),
    "新春 5G 升级": (("HX-X1P", "HX-X1", "PLAN-5G-EN"), 1500, 6000, False),
}
OTHER_OFFER = ((), 1000, 8000, False)
# campaign channel the member responded through: the sales channels such a response is sold through
CONSUMER_CHANNELS = {"call": ("telesales",), "sms": ("outlet", "outlet", "online"), "email": ("online",)}
ENTERPRISE_CHANNELS = {"call": ("direct",), "sms": ("direct",), "email": ("direct",)}


def _offer(rng: random.Random, campaign, products: dict, channels: dict, via: str):
    """(main product, sales channel, amount) of a deal the campaign brought through channel `via`."""
    codes, low, high, enterprise = OFFERS.get(campaign.name, OTHER_OFFER)
    product = rng.choice([products[c] for c in codes if c in products] or list(products.values()) or [None])
    table = ENTERPRISE_CHANNELS if enterprise else CONSUMER_CHANNELS
    usable = [c for c in table.get(via or "", ()) if c in channels] or [
        c for c in table.get((campaign.channels or [""])[0], ()) if c in channels] or list(channels)
    channel = channels[rng.choice(usable)] if usable else None
    return product, channel, Decimal(rng.randrange(low, high))


def campaign_deals_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                             now: dt.datetime | None = None) -> str:
    """About PER_CAMPAIGN_AT_SCALE_1 × scale attributed deals per demo campaign."""
    now = now or timezone.now()
    rng = random.Random(seed + 61)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    sellers = staff.by_role(Role.SALES_REP) or [staff.admin]
    lost_reasons = list(DealReason.objects.filter(kind=DealReason.Kind.LOST, is_active=True).order_by("id"))
    members = (CampaignMember.objects.filter(status__in=(MemberStatus.CONVERTED, MemberStatus.RESPONDED),
                                             responded_at__isnull=False)
               .select_related("campaign").order_by("campaign_id", "id"))
    products = {p.model_code: p for p in Product.objects.filter(is_active=True).order_by("model_code")}
    channels = {c.code: c for c in SalesChannel.objects.filter(is_active=True)}
    outlets = _outlets_by_seller(sellers)
    via = dict(CampaignResponse.objects.filter(member__in=members).order_by("responded_at", "id")
               .values_list("member_id", "channel"))
    per_campaign: dict[int, int] = {}
    limit = max(3, int(PER_CAMPAIGN_AT_SCALE_1 * scale))
    won = created = 0
    for member in members:
        if per_campaign.get(member.campaign_id, 0) >= limit or member.responded_at > now - dt.timedelta(days=3):
            continue
        per_campaign[member.campaign_id] = per_campaign.get(member.campaign_id, 0) + 1
        product, channel, amount = _offer(rng, member.campaign, products, channels, via.get(member.pk, ""))
        at = member.responded_at + dt.timedelta(hours=2)
        customer = Customer.objects.get(pk=member.customer_id)
        # A deal still open is a recent response, expected to close ahead (not one overdue for months).
        stale = at < now - dt.timedelta(days=STALE_AFTER_DAYS)
        expected = (at + dt.timedelta(days=20)).date()
        if member.status != MemberStatus.CONVERTED and not stale:
            expected = max(expected, timezone.localdate(now) + dt.timedelta(days=rng.randrange(7, 45)))
        title = product.name if product else member.campaign.name
        seller = rng.choice(sellers)
        deal = opportunity_create(actor=SYSTEM, customer=customer, name=f"{member.campaign.name}·{title}"[:200],
                                  amount=amount, owner=seller, expected_close_date=expected, at=at,
                                  campaign=member.campaign, source=member.campaign.name[:100],
                                  channel=channel, product=product,
                                  outlet=rng.choice(outlets[seller.pk]) if outlets.get(seller.pk) else None)
        created += 1
        closed = min(at + dt.timedelta(days=rng.randrange(3, 25)), now)
        if member.status == MemberStatus.CONVERTED:
            opportunity_win(actor=SYSTEM, opportunity=deal, at=closed)
            won += 1
        elif (stale or rng.random() < 0.5) and lost_reasons:
            # Interest that came to nothing within a few weeks: lost (the responders of old campaigns all are).
            opportunity_lose(actor=SYSTEM, opportunity=deal, reason=rng.choice(lost_reasons),
                             at=min(at + dt.timedelta(days=rng.randrange(20, STALE_AFTER_DAYS)), now))
    return f"{created} opportunities attributed to campaigns ({won} won)"
