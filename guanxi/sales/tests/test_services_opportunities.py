"""Opportunity services: stage moves with history and time in stage, probability defaults and
overrides, winning and losing with reasons, bad input refused with nothing changed, big-deal alerts
sent once."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.testing import rows_of
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.sales.models import BigDealAlert, Opportunity, StageChange
from guanxi.sales.services.configuration import big_deal_amount_set, stage_save
from guanxi.sales.services.opportunities import (
    opportunity_lose,
    opportunity_move,
    opportunity_update,
    opportunity_win,
)

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def team():
    return sales_team()


def test_a_deal_moves_through_the_stages_with_its_history(team):
    _, _, (rep, _) = team
    with time_machine.travel(T0, tick=False):
        opportunity = deal(rep)
    assert opportunity.stage.name == "初步接洽" and opportunity.probability == 10
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        opportunity_move(actor=rep, opportunity=opportunity, stage=stage("方案报价"))
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        opportunity_win(actor=rep, opportunity=opportunity, reason=reason("won"), note="价格合适")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.probability, opportunity.stage.name) == ("won", 100, "赢单")
    assert opportunity.closed_at == T0 + dt.timedelta(days=10)
    moves = list(StageChange.objects.filter(opportunity=opportunity).order_by("changed_at"))
    assert [(m.from_stage and m.from_stage.name, m.to_stage.name, m.seconds_in_previous) for m in moves] == [
        (None, "初步接洽", None), ("初步接洽", "方案报价", 3 * 86400), ("方案报价", "赢单", 7 * 86400)]
    assert opportunity.history.count() >= 3


def test_a_probability_set_by_hand_stays_until_it_is_given_back_to_the_stage(team):
    _, _, (rep, _) = team
    opportunity = deal(rep, probability=40)
    opportunity_move(actor=rep, opportunity=opportunity, stage=stage("需求确认"))
    opportunity.refresh_from_db()
    assert opportunity.probability == 40
    opportunity_update(actor=rep, opportunity=opportunity, data={"probability": None})
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.probability_overridden) == (25, False)
    opportunity_move(actor=rep, opportunity=opportunity, stage=stage("商务谈判"))
    opportunity.refresh_from_db()
    assert opportunity.probability == 75


@pytest.mark.parametrize("call", [
    lambda rep, o: opportunity_update(actor=rep, opportunity=o, data={"amount": Decimal("-1")}),
    lambda rep, o: opportunity_update(actor=rep, opportunity=o, data={"probability": 101}),
    lambda rep, o: opportunity_move(actor=rep, opportunity=o, stage=stage("丢单")),
    lambda rep, o: opportunity_lose(actor=rep, opportunity=o, reason=None),
    lambda rep, o: opportunity_lose(actor=rep, opportunity=o, reason=reason("won")),
], ids=["negative amount", "probability over 100", "move to a lost stage", "lose without reason",
        "lose with a won reason"])
def test_bad_input_is_refused_and_nothing_changes(team, call):
    _, _, (rep, _) = team
    opportunity = deal(rep)
    before = rows_of("sales")
    with pytest.raises(ValidationFailed):
        call(rep, opportunity)
    assert rows_of("sales") == before


def test_a_negative_amount_creates_nothing(team):
    _, _, (rep, _) = team
    with pytest.raises(ValidationFailed) as error:
        deal(rep, amount="-5")
    assert "amount" in error.value.fields
    assert not Opportunity.objects.exists()


def test_winning_a_lost_deal_is_a_conflict(team):
    _, _, (rep, _) = team
    opportunity = deal(rep)
    opportunity_lose(actor=rep, opportunity=opportunity, reason=reason("lost"))
    before = rows_of("sales")
    with pytest.raises(Conflict) as error:
        opportunity_win(actor=rep, opportunity=opportunity)
    assert error.value.code == "already_lost"
    with pytest.raises(Conflict):
        opportunity_move(actor=rep, opportunity=opportunity, stage=stage("需求确认"))
    assert rows_of("sales") == before


def test_managers_are_alerted_once_when_a_deal_crosses_the_big_deal_amount(team, admin):
    _, manager, (rep, _) = team
    big_deal_amount_set(actor=admin, amount=Decimal("100000"))
    opportunity = deal(rep, amount="50000")
    assert not BigDealAlert.objects.exists()
    opportunity_update(actor=rep, opportunity=opportunity, data={"amount": Decimal("150000")})
    opportunity_update(actor=rep, opportunity=opportunity, data={"amount": Decimal("160000")})
    opportunity_move(actor=rep, opportunity=opportunity, stage=stage("方案报价"))
    alert = BigDealAlert.objects.get()
    assert (alert.opportunity_id, alert.amount, alert.recipients) == (opportunity.pk, Decimal("150000"), 1)
    sent = OutboundMessage.objects.filter(recipient=manager.email)
    assert sent.count() == 1 and "宽带专线" in sent.get().subject
    assert not OutboundMessage.objects.exclude(recipient=manager.email).exists()


def test_a_new_deal_at_the_amount_alerts_at_once(team, admin):
    _, manager, (rep, _) = team
    big_deal_amount_set(actor=admin, amount=Decimal("100000"))
    deal(rep, amount="100000")
    assert OutboundMessage.objects.filter(recipient=manager.email).count() == 1


def test_the_pipeline_keeps_an_open_a_won_and_a_lost_stage(admin):
    with pytest.raises(Conflict):
        stage_save(actor=admin, stage=stage("赢单"), name="赢单", order=90, probability=100, is_won=True,
                   is_active=False)
    with pytest.raises(ValidationFailed):
        stage_save(actor=admin, name="签约", order=50, probability=80, is_won=True)
