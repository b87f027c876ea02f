"""Reads of campaigns (营销活动): the campaigns a user may see, the target group a campaign's
definition selects (saved segments through the segments app, rules through the segments engine,
industry, occupation and age on the customer), the members by status, responses, expenses,
opt-outs, and ROI from the registered revenue sources."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_noop

from guanxi.core.errors import NotFound
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_visible_to
from guanxi.segments import rules as segment_rules
from guanxi.segments.selectors import segment_queryset

from .. import permissions
from ..enums import FUNNEL, CampaignStatus, ExpenseStatus, MemberStatus, OptOutChannel
from ..models import Campaign, CampaignExpense, CampaignMember, CampaignResponse, MarketingOptOut
from ..revenue import revenue_sources

NOT_FOUND = gettext_noop("Campaign not found.")


def campaign_list(*, user) -> QuerySet[Campaign]:
    """Every campaign the user may see, newest start first."""
    if not permissions.campaign_can(user, "campaign", "read"):
        return Campaign.objects.none()
    return Campaign.objects.select_related("owner").order_by("-starts_on", "-id")


def campaign_get_for_user(*, user, campaign_id: int, action: str = "read") -> Campaign:
    """One campaign; 404 for those who may not see campaigns, 403 for those who may not `action` it."""
    campaign = campaign_list(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(NOT_FOUND)
    if action != "read":
        permissions.campaign_require(user, "campaign", action)
    return campaign


# ---------------------------------------------------------------- target group


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def opted_out_of_all(channels: list[str]) -> Q:
    """Customers who refused every one of `channels` (or all marketing): nothing could reach them."""
    condition = Q()
    for channel in channels or [OptOutChannel.ALL]:
        condition &= Q(Exists(MarketingOptOut.objects.filter(customer_id=OuterRef("pk"),
                                                             channel__in=(channel, OptOutChannel.ALL))))
    return condition


def target_condition(campaign: Campaign, *, today: dt.date, segments=None) -> Q:
    """The campaign's target group as a filter on Customer: any of its saved segments (or every
    customer when none), narrowed by its rules, industries, occupations and ages."""
    segments = list(campaign.segments.all()) if segments is None else segments
    condition = Q()
    if segments:
        in_any = Q(pk__in=[])
        for segment in segments:
            in_any |= Q(pk__in=segment_queryset(segment=segment).values("pk"))
        condition &= in_any
    if campaign.definition and campaign.definition.get("rules"):
        condition &= segment_rules.to_q(campaign.definition, today=today)
    if industries := _split(campaign.industries):
        condition &= Q(industry__in=industries)
    if occupations := _split(campaign.occupations):
        condition &= Q(occupation__in=occupations)
    if campaign.age_min is not None:
        condition &= Q(birth_date__lte=_years_ago(today, campaign.age_min))
    if campaign.age_max is not None:
        condition &= Q(birth_date__gt=_years_ago(today, campaign.age_max + 1))
    return condition


def target_queryset(campaign: Campaign, *, today: dt.date, segments=None) -> QuerySet[Customer]:
    """The live customers the campaign would reach today, without those opted out of all its channels."""
    return (Customer.objects.alive().filter(target_condition(campaign, today=today, segments=segments))
            .exclude(opted_out_of_all(campaign.channels)))


def target_preview(*, user, campaign: Campaign, today: dt.date, segments=None) -> dict:
    """How many customers the target group holds (all, and those the user may read)."""
    qs = target_queryset(campaign, today=today, segments=segments)
    visible = customer_visible_to(user=user).filter(pk__in=qs.values("pk"))
    return {"count": qs.count(), "visible": visible.count()}


# ---------------------------------------------------------------- members and responses


def member_list(*, user, campaign: Campaign, status: str | None = None) -> QuerySet[CampaignMember]:
    """The campaign's members whose customers the user may read, in the order they were added."""
    qs = CampaignMember.objects.filter(campaign=campaign).select_related("customer")
    if permissions.campaign_permissions.scope(user, "response", "write") is not permissions.ALL:
        qs = qs.filter(customer__in=customer_visible_to(user=user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def member_get_for_user(*, user, campaign: Campaign, member_id: int) -> CampaignMember:
    member = member_list(user=user, campaign=campaign).filter(pk=member_id).first()
    if member is None:
        raise NotFound(gettext_noop("Campaign member not found."))
    return member


def member_of(*, campaign: Campaign, customer_id: int) -> CampaignMember | None:
    return CampaignMember.objects.filter(campaign=campaign, customer_id=customer_id).first()


def member_counts(*, campaign: Campaign) -> dict[str, int]:
    """Members by status, every status present (0 when none)."""
    counts = dict.fromkeys(MemberStatus.values, 0)
    for row in CampaignMember.objects.filter(campaign=campaign).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def member_funnel(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The funnel: members who reached each step or a later one (sent ⊇ delivered ⊇ opened …)."""
    steps, running = [], 0
    for status in reversed(FUNNEL):
        running += counts.get(status, 0)
        steps.append((status, running))
    return list(reversed(steps))


def response_list(*, user, campaign: Campaign) -> QuerySet[CampaignResponse]:
    return (CampaignResponse.objects.filter(member__in=member_list(user=user, campaign=campaign))
            .select_related("member__customer", "recorded_by", "lead").order_by("-responded_at", "-id"))


def member_response_channels(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """For (campaign id, customer id) pairs: the channel the member first responded through, else
    the campaign's channel when it has one only, else "" (for revenue sources to attribute money)."""
    if not pairs:
        return {}
    campaign_ids = {c for c, _ in pairs}
    customer_ids = {c for _, c in pairs}
    single = {pk: channels[0] for pk, channels in Campaign.objects.filter(pk__in=campaign_ids)
              .values_list("pk", "channels") if len(channels) == 1}
    first: dict[tuple[int, int], str] = {}
    for campaign_id, customer_id, channel in (
            CampaignResponse.objects.filter(member__campaign_id__in=campaign_ids,
                                            member__customer_id__in=customer_ids).exclude(channel="")
            .order_by("responded_at", "id").values_list("member__campaign_id", "member__customer_id", "channel")):
        first.setdefault((campaign_id, customer_id), channel)
    return {pair: first.get(pair) or single.get(pair[0], "") for pair in pairs}


# ---------------------------------------------------------------- expenses and opt-outs


def expense_list(*, user, campaign: Campaign) -> QuerySet[CampaignExpense]:
    permissions.campaign_require(user, "expense", "read")
    return campaign.expenses.select_related("submitted_by", "decided_by").order_by("-spent_on", "-id")


def opt_out_list(*, user) -> QuerySet[MarketingOptOut]:
    """Opt-outs of the customers the user may read (every one for ALL)."""
    permissions.campaign_require(user, "opt_out", "read")
    qs = MarketingOptOut.objects.select_related("customer", "recorded_by", "campaign").order_by("-created_at", "-id")
    if permissions.campaign_permissions.scope(user, "opt_out", "read") is not permissions.ALL:
        qs = qs.filter(customer__in=customer_visible_to(user=user))
    return qs


def opted_out_channels(*, customer_ids) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for customer_id, channel in MarketingOptOut.objects.filter(customer_id__in=customer_ids).values_list(
            "customer_id", "channel"):
        found[customer_id].add(channel)
    return found


def is_opted_out(*, customer_id: int, channel: str) -> bool:
    return MarketingOptOut.objects.filter(customer_id=customer_id,
                                          channel__in=(channel, OptOutChannel.ALL)).exists()


# ---------------------------------------------------------------- ROI


def ratio(gain: Decimal, cost: Decimal) -> Decimal | None:
    """ROI = (revenue − cost) / cost, to four places; None without cost."""
    if not cost:
        return None
    return ((gain - cost) / cost).quantize(Decimal("0.0001"))


@dataclass
class ChannelRoi:
    channel: str
    revenue: Decimal = Decimal("0")
    expenses: Decimal = Decimal("0")

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.revenue, self.expenses)


@dataclass
class CampaignRoi:
    campaign_id: int
    revenue: Decimal = Decimal("0")
    expenses: Decimal = Decimal("0")
    by_source: dict[str, Decimal] = field(default_factory=dict)
    channels: dict[str, ChannelRoi] = field(default_factory=dict)

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.revenue, self.expenses)

    def channel(self, name: str) -> ChannelRoi:
        return self.channels.setdefault(name, ChannelRoi(name))


def campaign_roi(*, campaign_ids: list[int], date_from: dt.date | None = None,
                 date_to: dt.date | None = None) -> dict[int, CampaignRoi]:
    """Per campaign: attributed revenue from every registered source, approved expenses (dated within
    the range), ROI overall and per channel ("" = revenue or cost not tied to one channel)."""
    result = {pk: CampaignRoi(pk) for pk in campaign_ids}
    for source in revenue_sources():
        for campaign_id, channel, amount in source.fn(list(campaign_ids), date_from, date_to):
            if campaign_id not in result:
                continue
            amount = Decimal(amount)
            roi = result[campaign_id]
            roi.revenue += amount
            roi.by_source[source.key] = roi.by_source.get(source.key, Decimal("0")) + amount
            roi.channel(channel or "").revenue += amount
    expenses = CampaignExpense.objects.filter(campaign_id__in=campaign_ids, status=ExpenseStatus.APPROVED)
    if date_from is not None:
        expenses = expenses.filter(spent_on__gte=date_from)
    if date_to is not None:
        expenses = expenses.filter(spent_on__lte=date_to)
    for row in expenses.values("campaign_id", "channel").annotate(total=Sum("amount")):
        roi = result[row["campaign_id"]]
        roi.expenses += row["total"]
        roi.channel(row["channel"] or "").expenses += row["total"]
    return result


def campaign_roi_for_user(*, user, campaign: Campaign, date_from=None, date_to=None) -> CampaignRoi:
    permissions.campaign_require(user, "expense", "read")
    return campaign_roi(campaign_ids=[campaign.pk], date_from=date_from, date_to=date_to)[campaign.pk]


def expense_get_for_user(*, user, campaign: Campaign, expense_id: int) -> CampaignExpense:
    expense = expense_list(user=user, campaign=campaign).filter(pk=expense_id).first()
    if expense is None:
        raise NotFound(gettext_noop("Expense not found."))
    return expense


def campaigns_for_attribution() -> QuerySet[Campaign]:
    """The launched campaigns a deal or a payment may be attributed to (the sales forms' choices)."""
    return Campaign.objects.exclude(status=CampaignStatus.DRAFT).order_by("-starts_on", "-id")
