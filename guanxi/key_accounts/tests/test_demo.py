"""The key-accounts demo step: the highest-scoring customers (organisations first) become key accounts of
kam1 and kam2 in tiers, with people, competitors and plans for two years; a second load adds nothing."""

import datetime as dt

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory

from ..demo import key_accounts_demo_load
from ..models import Competitor, KeyAccount, KeyAccountPlan, KeyPerson
from .factories import contact, organisation

pytestmark = [pytest.mark.django_db, pytest.mark.demo]
NOW = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)


def test_demo_key_accounts(admin):
    kam1 = UserFactory(username="kam1", role=Role.KEY_ACCOUNT_MANAGER)
    kam2 = UserFactory(username="kam2", role=Role.KEY_ACCOUNT_MANAGER)
    best = organisation(admin, "最高分集团", score=95.0)
    contact(admin, best, "王总", title="总经理")
    contact(admin, best, "赵总监", title="财务总监")
    organisation(admin, "低分公司", score=20.0)
    summary = key_accounts_demo_load(seed=3, scale=0.01, staff=None, customers=[], now=NOW)
    assert "2 key accounts" in summary
    top = KeyAccount.objects.get(customer=best)
    assert top.tier.code == "strategic" and {top.manager, top.backup} == {kam1, kam2}
    low = KeyAccount.objects.exclude(pk=top.pk).get()
    assert low.events.get().override_reason  # below the threshold: designated with an override reason
    people = list(KeyPerson.objects.filter(account=top).order_by("id"))
    assert people[0].role == "decision_maker" and people[1].reports_to == people[0]
    assert set(KeyAccountPlan.objects.filter(account=top).values_list("year", flat=True)) == {2025, 2026}
    assert Competitor.objects.filter(account=top).exists()
    key_accounts_demo_load(seed=3, scale=0.01, staff=None, customers=[], now=NOW)
    assert KeyAccount.objects.count() == 2 and KeyAccountPlan.objects.count() == 4


def test_demo_green_and_yellow_channels(admin):
    from ..demo import key_account_channels_demo_load
    from ..models import GreenProcess, Visit

    UserFactory(username="kam1", role=Role.KEY_ACCOUNT_MANAGER)
    UserFactory(username="kam2", role=Role.KEY_ACCOUNT_MANAGER)
    UserFactory(role=Role.SALES_MANAGER)
    for n in range(4):
        organisation(admin, f"演示集团{n}", score=90.0 - n)
    key_accounts_demo_load(seed=3, scale=0.01, staff=None, customers=[], now=NOW)
    summary = key_account_channels_demo_load(seed=3, scale=0.01, staff=None, customers=[], now=NOW)
    assert "green-channel processes" in summary
    statuses = set(GreenProcess.objects.values_list("status", flat=True))
    assert statuses == {"done", "running"}
    first = Visit.objects.order_by("scheduled_at").first().scheduled_at
    assert (NOW - first).days > 690 and Visit.objects.filter(status="planned", scheduled_at__gt=NOW).count() == 4
    before = (GreenProcess.objects.count(), Visit.objects.count())
    key_account_channels_demo_load(seed=3, scale=0.01, staff=None, customers=[], now=NOW)
    assert (GreenProcess.objects.count(), Visit.objects.count()) == before
