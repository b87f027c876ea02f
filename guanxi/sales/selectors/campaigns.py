"""Won deals attributed to marketing campaigns: a revenue source of the campaigns' ROI (registered in
`SalesConfig.ready()`). It is the amount of deals won, not money received (回款): the orders app
adds the 回款 source."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from guanxi.marketing.selectors.campaigns import member_response_channels

from ..models import Opportunity


def won_revenue_by_campaign(campaign_ids: list[int], date_from: dt.date | None,
                            date_to: dt.date | None) -> list[tuple[int, str, Decimal]]:
    """(campaign id, channel, amount) of the deals won between the dates (by close date) that are
    attributed to the campaigns; the channel is the one the customer responded through, if known."""
    won = Opportunity.objects.filter(campaign_id__in=campaign_ids, status=Opportunity.Status.WON)
    if date_from is not None:
        won = won.filter(closed_at__date__gte=date_from)
    if date_to is not None:
        won = won.filter(closed_at__date__lte=date_to)
    rows = list(won.values("campaign_id", "customer_id").annotate(total=Sum("amount")).order_by())
    channels = member_response_channels([(r["campaign_id"], r["customer_id"]) for r in rows])
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["campaign_id"], channels[row["campaign_id"], row["customer_id"]]] += row["total"]
    return [(campaign_id, channel, amount) for (campaign_id, channel), amount in sorted(totals.items())]
