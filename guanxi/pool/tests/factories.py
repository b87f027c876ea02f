"""Test worlds for the pool: a sales team (manager, two representatives), customers and leads."""

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer

from ..enums import DayKind, RecordKind, RuleKind
from ..services import rule_save


def sales_team(name: str | None = None):
    team = TeamFactory(kind=TeamKind.SALES, **({"name": name} if name else {}))
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    reps = [UserFactory(role=Role.SALES_REP, team=team) for _ in range(2)]
    return team, manager, reps


def pool_customer(name="华星客户", **data):
    """An unowned customer (in the pool)."""
    return make_customer(SYSTEM, name=name, mobile=data.pop("mobile", "13800138000"), **data)


def owned_customer(owner, name="张三", **data):
    return make_customer(SYSTEM, name=name, owner=owner.pk, **data)


def rule(kind=RuleKind.NO_FOLLOW_UP, days=30, **data):
    data = {"name": f"{kind} {days}", "kind": kind, "days": days, "applies_to": RecordKind.CUSTOMER,
            "day_kind": DayKind.CALENDAR, "warn_days": 0, **data}
    return rule_save(actor=SYSTEM, data=data)
