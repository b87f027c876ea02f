"""Launching a campaign to every customer of the bench database (PostgreSQL): `campaign_launch`
freezes the members with one INSERT … SELECT over the target group, opted-out customers excluded.
Load the customers first (`guanxi bench generate --customers 101000` for 100,000 members after
1,000 opt-outs); the campaign, its members and the opt-outs are removed again afterwards."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.utils import timezone


def time_launch(*, opt_outs: int = 1_000) -> dict:
    from guanxi.accounts.access import SYSTEM
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.marketing.models import Campaign, CampaignMember, MarketingOptOut
    from guanxi.marketing.services.campaigns import campaign_create, campaign_launch

    if connection.vendor != "postgresql":
        raise RuntimeError("the campaign bench runs on PostgreSQL (set DATABASE_URL)")
    customers = Customer.objects.alive().count()
    if customers <= opt_outs:
        raise RuntimeError("run `guanxi bench generate` first")
    opted = list(Customer.objects.alive().order_by("?").values_list("id", flat=True)[:opt_outs])
    MarketingOptOut.objects.bulk_create([MarketingOptOut(customer_id=pk, channel="all", source="staff")
                                         for pk in opted], ignore_conflicts=True)
    today = timezone.localdate()
    campaign = campaign_create(actor=SYSTEM, owner=User.objects.filter(is_active=True).order_by("id").first(), data={
        "name": "bench", "channels": ["sms", "email"], "starts_on": today, "ends_on": today + dt.timedelta(days=7),
        "message_text": "bench"})
    started = time.perf_counter()
    count = campaign_launch(actor=SYSTEM, campaign=campaign)
    seconds = time.perf_counter() - started
    result = {"customers": customers, "opted_out": opt_outs, "members": count,
              "launch_seconds": round(seconds, 2), "members_per_second": round(count / seconds) if seconds else None,
              "member_rows": CampaignMember.objects.filter(campaign=campaign).count()}
    CampaignMember.objects.filter(campaign=campaign).delete()
    Campaign.objects.filter(pk=campaign.pk).delete()
    MarketingOptOut.objects.filter(customer_id__in=opted).delete()
    return result
