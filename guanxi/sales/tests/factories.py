"""Test worlds for sales: a sales team with a manager and two representatives, customers they own."""

import datetime as dt
from decimal import Decimal

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import DealReason, OpportunityStage
from guanxi.sales.services.opportunities import opportunity_create


def sales_team(name: str | None = None):
    team = TeamFactory(kind=TeamKind.SALES, **({"name": name} if name else {}))
    manager = UserFactory(role=Role.SALES_MANAGER, team=team, email=f"mgr{team.pk}@example.cn")
    reps = [UserFactory(role=Role.SALES_REP, team=team) for _ in range(2)]
    return team, manager, reps


def stage(name: str) -> OpportunityStage:
    return OpportunityStage.objects.get(name=name)


def reason(kind: str) -> DealReason:
    return DealReason.objects.filter(kind=kind).order_by("id").first()


def deal(owner, customer=None, *, amount="10000.00", close=dt.date(2030, 6, 15), **extra):
    customer = customer or make_customer(owner, name="华星客户")
    return opportunity_create(actor=owner, customer=customer, name=extra.pop("name", "宽带专线"),
                              amount=Decimal(amount), expected_close_date=close, **extra)
