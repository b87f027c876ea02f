"""Deals won from the demo campaigns' responders (the sales side of the campaigns' ROI): for members
who bought, an opportunity attributed to the campaign, won soon after the response; for some who
were interested, one lost or (responses of the last two months) still open. Through the services, so
history and the board agree."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.customers.models import Customer
from guanxi.marketing.enums import MemberStatus
from guanxi.marketing.models import CampaignMember

from ..models import DealReason
from ..services.opportunities import opportunity_create, opportunity_lose, opportunity_win

PER_CAMPAIGN_AT_SCALE_1 = 25
STALE_AFTER_DAYS = 60  # a responder's deal not won by then was lost
PRODUCTS = (("千兆宽带升级", 1200, 3600), ("5G 融合套餐", 1500, 6000), ("企业专线", 20000, 90000),
            ("云电脑", 3000, 15000), ("视频监控", 2500, 12000))


def campaign_deals_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                             now: dt.datetime | None = None) -> str:
    """About PER_CAMPAIGN_AT_SCALE_1 × scale attributed deals per demo campaign."""
    now = now or timezone.now()
    rng = random.Random(seed + 61)
    sellers = staff.by_role(Role.SALES_REP) or [staff.admin]
    lost_reason = DealReason.objects.filter(kind=DealReason.Kind.LOST, is_active=True).order_by("id").first()
    members = (CampaignMember.objects.filter(status__in=(MemberStatus.CONVERTED, MemberStatus.RESPONDED),
                                             responded_at__isnull=False)
               .select_related("campaign").order_by("campaign_id", "id"))
    per_campaign: dict[int, int] = {}
    limit = max(3, int(PER_CAMPAIGN_AT_SCALE_1 * scale))
    won = created = 0
    for member in members:
        if per_campaign.get(member.campaign_id, 0) >= limit or member.responded_at > now - dt.timedelta(days=3):
            continue
        per_campaign[member.campaign_id] = per_campaign.get(member.campaign_id, 0) + 1
        name, low, high = rng.choice(PRODUCTS)
        at = member.responded_at + dt.timedelta(hours=2)
        customer = Customer.objects.get(pk=member.customer_id)
        # A deal still open is a recent response, expected to close ahead (not one overdue for months).
        stale = at < now - dt.timedelta(days=STALE_AFTER_DAYS)
        expected = (at + dt.timedelta(days=20)).date()
        if member.status != MemberStatus.CONVERTED and not stale:
            expected = max(expected, timezone.localdate(now) + dt.timedelta(days=rng.randrange(7, 45)))
        deal = opportunity_create(actor=SYSTEM, customer=customer, name=f"{member.campaign.name}·{name}",
                                  amount=Decimal(rng.randrange(low, high)), owner=rng.choice(sellers),
                                  expected_close_date=expected, at=at,
                                  campaign=member.campaign, source=member.campaign.name[:100])
        created += 1
        closed = min(at + dt.timedelta(days=rng.randrange(3, 25)), now)
        if member.status == MemberStatus.CONVERTED:
            opportunity_win(actor=SYSTEM, opportunity=deal, at=closed)
            won += 1
        elif (stale or rng.random() < 0.5) and lost_reason is not None:
            # Interest that came to nothing within a few weeks: lost (the responders of old campaigns all are).
            opportunity_lose(actor=SYSTEM, opportunity=deal, reason=lost_reason,
                             at=min(at + dt.timedelta(days=rng.randrange(20, STALE_AFTER_DAYS)), now))
    return f"{created} opportunities attributed to campaigns ({won} won)"
