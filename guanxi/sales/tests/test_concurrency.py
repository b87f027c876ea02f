"""Concurrent changes of one deal on PostgreSQL (threads on their own connections, let go at once): of
the changes made from the same version exactly one is saved; a win racing a loss ends in one of them."""

import pytest
from django.db import connection

from guanxi.core.testing import race
from guanxi.sales.models import Opportunity
from guanxi.sales.services.opportunities import opportunity_lose, opportunity_update, opportunity_win

from .factories import deal, reason, sales_team

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]


def test_of_changes_from_the_same_version_exactly_one_is_saved():
    _, manager, (rep, _other) = sales_team()
    opportunity = deal(rep, amount="10000.00")
    amounts = ["20000", "30000", "40000", "50000"]
    outcomes = race([lambda a=a, who=who: opportunity_update(actor=who, opportunity=opportunity,
                                                             data={"amount": a}, expected_version=1)
                     for a, who in zip(amounts, [manager, rep, manager, rep], strict=True)])
    assert sorted(outcomes) == ["version_conflict"] * 3 + ["won"]
    fresh = Opportunity.objects.get(pk=opportunity.pk)
    assert fresh.version == 2 and str(int(fresh.amount)) in amounts


def test_a_win_racing_a_loss_ends_in_exactly_one():
    _, manager, (rep, _other) = sales_team()
    opportunity = deal(rep)
    won, lost = reason("won"), reason("lost")
    outcomes = race([lambda: opportunity_win(actor=rep, opportunity=opportunity, reason=won),
                     lambda: opportunity_lose(actor=manager, opportunity=opportunity, reason=lost)])
    assert sorted(outcomes) in (["already_won", "won"], ["already_lost", "won"])
    fresh = Opportunity.objects.get(pk=opportunity.pk)
    assert fresh.status in ("won", "lost") and fresh.stage_changes.count() == 2
