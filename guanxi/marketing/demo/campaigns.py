"""Demo campaigns (营销活动) of 华星通信 over the two years before `now`: a dozen, one every two months,
each sent by SMS, e-mail or calls to a sample of the customers, with a funnel of delivered, opened,
responded and converted members, responses (some of them leads attributed to the campaign), a few
opt-outs and expense claims (mostly approved). Members are bulk-written; the sales demo attributes won
deals to the responders so that the ROI chart has money to show."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.core.errors import ValidationFailed
from guanxi.customers.models import Customer

from ..enums import (
    CampaignChannel,
    CampaignStatus,
    ExpenseCategory,
    ExpenseStatus,
    LeadSource,
    MemberStatus,
    OptOutChannel,
    ResponseKind,
)
from ..models import Campaign, CampaignExpense, CampaignMember, CampaignResponse, MarketingOptOut
from ..services.campaigns import campaign_create
from ..services.leads import lead_create

CAMPAIGNS = (
    ("春节宽带升级季", ["sms"], "千兆宽带春节特惠，升级即送三个月"),
    ("5G 融合套餐推广", ["sms", "email"], "5G 融合套餐限时八折"),
    ("企业专线回馈", ["call"], ""),
    ("暑期校园卡", ["sms"], "暑期校园卡每月 19 元起"),
    ("IPTV 高清电视体验", ["email"], "IPTV 高清电视免费体验一个月"),
    ("中秋感恩回馈", ["sms", "call"], "中秋感恩，老客户加送流量"),
    ("双十一云电脑", ["sms", "email"], "云电脑双十一五折"),
    ("年终企业数字化", ["call", "email"], "企业数字化解决方案年终特惠"),
    ("全屋 WiFi 焕新", ["sms"], "全屋 WiFi 焕新，上门安装免费"),
    ("物联网卡行业推广", ["email"], "物联网卡行业方案"),
    ("视频监控安心计划", ["sms", "call"], "视频监控安心计划首月免费"),
    ("新春 5G 升级", ["sms", "email"], "新春 5G 升级礼包"),
)
MEMBERS_AT_SCALE_1 = 400
# Of the members sent: delivered, opened (of those), responded, converted; opt-outs.
FUNNEL = (0.93, 0.45, 0.25, 0.35)
OPT_OUT = 0.02
EXPENSES = ((ExpenseCategory.MESSAGING, 800, 3000), (ExpenseCategory.ADVERTISING, 3000, 15000),
            (ExpenseCategory.GIFTS, 1000, 6000), (ExpenseCategory.EVENT, 2000, 12000))


def _status(rng: random.Random) -> str:
    if rng.random() < OPT_OUT:
        return MemberStatus.OPTED_OUT
    delivered, opened, responded, converted = FUNNEL
    if rng.random() > delivered:
        return MemberStatus.SENT
    if rng.random() > opened:
        return MemberStatus.DELIVERED
    if rng.random() > responded:
        return MemberStatus.OPENED
    return MemberStatus.CONVERTED if rng.random() < converted else MemberStatus.RESPONDED


def _campaign(rng, index, name, channels, text, owner, now) -> Campaign:
    starts = (now - dt.timedelta(days=700 - index * 60)).date()
    ends = starts + dt.timedelta(days=rng.choice((14, 21, 30)))
    campaign = campaign_create(actor=SYSTEM, owner=owner, data={
        "name": name, "channels": channels, "starts_on": starts, "ends_on": ends, "send_time": dt.time(10, 0),
        "budget": Decimal(rng.randrange(20, 80) * 1000), "message_text": text, "message_subject": name,
        "objective": f"{name}：拉新与存量升级"})
    return campaign


def _members(rng, campaign, sample, launched) -> list[CampaignMember]:
    sent = launched + dt.timedelta(hours=rng.randrange(1, 8))
    members = []
    for customer_id in sample:
        status = _status(rng)
        responded = sent + dt.timedelta(hours=rng.randrange(2, 240)) if status in (
            MemberStatus.RESPONDED, MemberStatus.CONVERTED, MemberStatus.OPTED_OUT) else None
        members.append(CampaignMember(campaign=campaign, customer_id=customer_id, status=status, added_at=launched,
                                      sent_at=sent, responded_at=responded))
    CampaignMember.objects.bulk_create(members, batch_size=1000)
    return members


def _responses(rng, campaign, members) -> int:
    kinds = {MemberStatus.RESPONDED: (ResponseKind.INTERESTED, ResponseKind.QUESTION, ResponseKind.NOT_INTERESTED),
             MemberStatus.CONVERTED: (ResponseKind.PURCHASED,), MemberStatus.OPTED_OUT: (ResponseKind.UNSUBSCRIBE,)}
    responses, opt_outs = [], []
    for member in members:
        if member.status not in kinds:
            continue
        responses.append(CampaignResponse(member=member, kind=rng.choice(kinds[member.status]),
                                          channel=rng.choice(campaign.channels), responded_at=member.responded_at))
        if member.status == MemberStatus.OPTED_OUT:
            opt_outs.append(MarketingOptOut(customer_id=member.customer_id, channel=OptOutChannel.ALL,
                                            source="reply", campaign=campaign))
    CampaignResponse.objects.bulk_create(responses, batch_size=1000)
    MarketingOptOut.objects.bulk_create(opt_outs, ignore_conflicts=True)
    return len(responses)


def _leads(rng, campaign, members, limit: int) -> int:
    """Leads captured from the interested responders, attributed to the campaign."""
    interested = [m for m in members if m.status == MemberStatus.RESPONDED]
    customers = Customer.objects.in_bulk([m.customer_id for m in interested[:limit]])
    count = 0
    for member in interested[:limit]:
        customer = customers[member.customer_id]
        data = {"person_name": customer.name[:100], "mobile": customer.mobile, "email": customer.email,
                "interest": campaign.name, "source_detail": campaign.name[:100]}
        try:
            lead_create(actor=SYSTEM, data=data, source=LeadSource.CAMPAIGN, owner=customer.owner,
                        at=member.responded_at, campaign=campaign)
        except ValidationFailed:
            continue
        count += 1
    return count


def _expenses(rng, campaign, manager, now) -> None:
    rows = []
    for category, low, high in rng.sample(EXPENSES, k=rng.randrange(2, 5)):
        spent = campaign.starts_on + dt.timedelta(days=rng.randrange(0, 10))
        status = ExpenseStatus.APPROVED if rng.random() < 0.85 else ExpenseStatus.REJECTED
        if spent > (now - dt.timedelta(days=20)).date():
            status = ExpenseStatus.SUBMITTED
        decided = status != ExpenseStatus.SUBMITTED
        rows.append(CampaignExpense(
            campaign=campaign, amount=Decimal(rng.randrange(low, high)), category=category, spent_on=spent,
            channel=_expense_channel(rng, campaign, category), description=f"{campaign.name}费用",
            status=status, submitted_by=manager, decided_by=manager if decided else None,
            decided_at=timezone.make_aware(dt.datetime.combine(spent + dt.timedelta(days=3), dt.time(9)))
            if decided else None))
    CampaignExpense.objects.bulk_create(rows)


def _expense_channel(rng, campaign, category) -> str:
    """Message fees belong to the SMS or e-mail channel that sent them, gifts to a channel that
    brought responses; advertising and events are shared by all channels (no channel)."""
    if category == ExpenseCategory.MESSAGING:
        sent = [c for c in campaign.channels if c in (CampaignChannel.SMS, CampaignChannel.EMAIL)]
        return rng.choice(sent) if sent else ""
    if category == ExpenseCategory.GIFTS:
        return rng.choice(campaign.channels)
    return ""


def campaign_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                       now: dt.datetime | None = None) -> str:
    """A dozen campaigns over two years, about MEMBERS_AT_SCALE_1 × scale members each."""
    now = now or timezone.now()
    rng = random.Random(seed + 60)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    managers = staff.by_role(Role.SALES_MANAGER) or [staff.admin]
    size = min(len(customers), max(30, int(MEMBERS_AT_SCALE_1 * scale)))
    total_members = total_responses = total_leads = 0
    for index, (name, channels, text) in enumerate(CAMPAIGNS):
        manager = rng.choice(managers)
        campaign = _campaign(rng, index, name, channels, text, manager, now)
        launched = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time(10)))
        if launched > now:
            continue  # stays a draft
        members = _members(rng, campaign, rng.sample(customers, size), launched)
        total_members += len(members)
        total_responses += _responses(rng, campaign, members)
        total_leads += _leads(rng, campaign, members, max(3, size // 40))
        _expenses(rng, campaign, manager, now)
        ended = campaign.ends_on < now.date()
        status = CampaignStatus.COMPLETED if ended else CampaignStatus.RUNNING
        if index == 3:
            status = CampaignStatus.CANCELLED
        Campaign.objects.filter(pk=campaign.pk).update(
            status=status, launched_at=launched - dt.timedelta(days=2), sent_at=launched,
            closed_at=timezone.make_aware(dt.datetime.combine(campaign.ends_on, dt.time(23))) if ended else None,
            created_at=launched - dt.timedelta(days=7))
    return (f"{len(CAMPAIGNS)} campaigns, {total_members} members, {total_responses} responses, "
            f"{total_leads} leads")
