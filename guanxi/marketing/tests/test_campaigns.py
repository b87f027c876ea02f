"""Campaigns through the services: the target group, launch (frozen members, opt-outs excluded, never
twice), sending (opt-outs skipped and counted, calls as tasks), responses and leads, expenses."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.marketing.enums import CampaignStatus, MemberStatus
from guanxi.marketing.models import CampaignMember, Lead, MarketingOptOut
from guanxi.marketing.selectors import campaigns as selectors
from guanxi.marketing.services import campaigns as services
from guanxi.segments.services.segments import segment_create
from guanxi.tasks.models import Task

from .campaign_factories import START, make_campaign

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def people(admin):
    return {
        "doctor": make_customer(admin, name="王医生", mobile="13800000001", occupation="医生", industry="医疗",
                                birth_date=dt.date(1980, 5, 1), email="wang@example.cn"),
        "teacher": make_customer(admin, name="李老师", mobile="13800000002", occupation="教师", industry="教育",
                                 birth_date=dt.date(1995, 5, 1)),
        "young": make_customer(admin, name="小张", mobile="13800000003", occupation="医生", industry="医疗",
                               birth_date=dt.date(2003, 5, 1)),
    }


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_target_group_by_occupation_industry_age_and_rules(people):
    campaign = make_campaign(occupations="医生, 教师", age_min=25, age_max=50)
    assert _ids(selectors.target_queryset(campaign, today=START)) == {people["doctor"].pk, people["teacher"].pk}
    campaign = make_campaign(industries="医疗", definition={"match": "all", "rules": [
        {"field": "kind", "op": "eq", "value": "individual"}]})
    assert _ids(selectors.target_queryset(campaign, today=START)) == {people["doctor"].pk, people["young"].pk}


def test_target_group_from_a_saved_segment(admin, people):
    segment = segment_create(actor=admin, data={"name": "老客户", "definition": {"match": "all", "rules": [
        {"field": "arpu", "op": "gte", "value": 0}]}})
    campaign = make_campaign(segments=[segment], occupations="教师")
    assert _ids(selectors.target_queryset(campaign, today=START)) == {people["teacher"].pk}


def test_launch_freezes_members_without_opted_out_and_never_twice(admin, people):
    services.opt_out_record(actor=admin, customer=people["teacher"], channel="all")
    services.opt_out_record(actor=admin, customer=people["young"], channel="email")
    campaign = make_campaign(channels=["sms"])
    with time_machine.travel(NOON, tick=False):
        assert services.campaign_launch(actor=admin, campaign=campaign) == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert set(campaign.members.values_list("customer_id", flat=True)) == {people["doctor"].pk, people["young"].pk}
    with pytest.raises(Conflict):
        services.campaign_launch(actor=admin, campaign=campaign)
    with pytest.raises(Conflict) as refused:
        services.member_add(actor=admin, campaign=campaign, customer=people["doctor"])
    assert refused.value.code == "already_member"
    with pytest.raises(Conflict) as refused:
        services.member_add(actor=admin, campaign=campaign, customer=people["teacher"])
    assert refused.value.code == "opted_out"
    assert campaign.members.count() == 2


def test_sending_skips_opt_outs_counts_them_and_calls_become_tasks(admin, people):
    campaign = make_campaign(channels=["sms", "call"])
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        services.opt_out_record(actor=admin, customer=people["young"], channel="all")
        counts = services.campaigns_send_due()
    assert counts == {"sent": 2, "skipped": 1, "failed": 0}
    assert OutboundMessage.objects.filter(channel="sms").count() == 2
    assert Task.objects.filter(kind="campaign_call").count() == 2
    young = selectors.member_of(campaign=campaign, customer_id=people["young"].pk)
    assert young.status == MemberStatus.SKIPPED
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    doctor = selectors.member_of(campaign=campaign, customer_id=people["doctor"].pk)
    with pytest.raises(Conflict) as refused:
        services.member_send(actor=admin, member=doctor)
    assert refused.value.code == "already_sent"


def test_nothing_is_sent_before_the_start_time(admin, people):
    campaign = make_campaign(send_time=dt.time(18, 0))
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        assert services.campaigns_send_due() == {"sent": 0, "skipped": 0, "failed": 0}
    assert not OutboundMessage.objects.exists()


def test_reply_td_and_the_unsubscribe_link_opt_out(admin, people):
    assert services.opt_out_from_reply(phone="13800000001", text="hello") is None
    opt_out = services.opt_out_from_reply(phone="+86 138 0000 0001", text=" td ")
    assert opt_out.customer == people["doctor"] and opt_out.channel == "sms"
    campaign = make_campaign(channels=["email"])
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        services.campaigns_send_due()
    member = selectors.member_of(campaign=campaign, customer_id=people["doctor"].pk)
    assert "/l/unsubscribe/" in OutboundMessage.objects.get(channel="email").body
    services.opt_out_from_link(token=services.unsubscribe_token(member))
    assert MarketingOptOut.objects.filter(customer=people["doctor"], channel="email").exists()
    with pytest.raises(ValidationFailed):
        services.opt_out_from_link(token="forged")


def test_a_response_records_creates_an_attributed_lead_and_converts(admin, people):
    campaign = make_campaign()
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        services.campaigns_send_due()
    member = selectors.member_of(campaign=campaign, customer_id=people["doctor"].pk)
    response = services.response_record(actor=admin, member=member, kind="interested", channel="sms",
                                        note="想了解千兆", create_lead=True)
    assert response.lead.campaign == campaign and response.lead.source == "campaign"
    member.refresh_from_db()
    assert member.status == MemberStatus.RESPONDED
    services.response_record(actor=admin, member=member, kind="purchased")
    member.refresh_from_db()
    assert member.status == MemberStatus.CONVERTED
    assert Lead.objects.filter(campaign=campaign).count() == 1
    counts = selectors.member_counts(campaign=campaign)
    assert dict(selectors.member_funnel(counts))[MemberStatus.SENT] == 3


def test_a_response_from_a_member_not_sent_is_refused(admin, people):
    campaign = make_campaign()
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
    member = CampaignMember.objects.filter(campaign=campaign).first()
    with pytest.raises(Conflict):
        services.response_record(actor=admin, member=member, kind="interested")


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1.001"])
def test_expenses_refuse_bad_amounts(admin, amount):
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as refused:
        services.expense_submit(actor=admin, campaign=campaign, amount=amount, category="gifts", spent_on=START)
    assert "amount" in refused.value.fields
    assert not campaign.expenses.exists()


def test_an_expense_is_decided_once(admin):
    expense = services.expense_submit(actor=admin, campaign=make_campaign(), amount="100", category="gifts",
                                      spent_on=START)
    services.expense_decide(actor=admin, expense=expense, approve=True)
    with pytest.raises(Conflict):
        services.expense_decide(actor=admin, expense=expense, approve=False)


@pytest.mark.parametrize(("data", "field"), [
    ({"channels": []}, "channels"), ({"channels": ["fax"]}, "channels"),
    ({"ends_on": dt.date(2026, 2, 1)}, "ends_on"), ({"budget": Decimal("-5")}, "budget"),
    ({"age_min": 50, "age_max": 20}, "age_max"), ({"message_text": ""}, "message_text"),
    ({"definition": {"match": "all", "rules": [{"field": "nope", "op": "eq", "value": 1}]}}, "definition"),
])
def test_bad_campaign_input_is_refused_with_the_field(data, field):
    with pytest.raises(ValidationFailed) as refused:
        make_campaign(**data)
    assert field in refused.value.fields


def test_a_launched_campaign_is_frozen_and_cancel_stops_it(admin, people):
    campaign = make_campaign()
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        with pytest.raises(Conflict):
            services.campaign_update(actor=admin, campaign=campaign, data={"name": "改名"})
        services.campaign_cancel(actor=admin, campaign=campaign)
        assert services.campaigns_send_due() == {"sent": 0, "skipped": 0, "failed": 0}
    assert not OutboundMessage.objects.exists()


def test_an_empty_target_group_cannot_launch(admin):
    with pytest.raises(ValidationFailed), time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=make_campaign(industries="不存在"))


def test_campaign_events_on_the_timeline(admin, people):
    from guanxi.marketing.timeline import marketing_events

    campaign = make_campaign()
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=admin, campaign=campaign)
        services.campaigns_send_due()
    member = selectors.member_of(campaign=campaign, customer_id=people["doctor"].pk)
    services.response_record(actor=admin, member=member, kind="question", at=NOON + dt.timedelta(hours=1))
    kinds = [e.kind for e in marketing_events(people["doctor"], 10)]
    assert kinds[:2] == ["campaign_response", "campaign_sent"]
