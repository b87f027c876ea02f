"""Test data of key accounts: customers through the customers service, value snapshots directly (as the
segments tests do), key accounts through the designation service."""

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.services.profile import contact_add
from guanxi.customers.tests.factories import make_customer
from guanxi.segments.tests.factories import make_snapshot

from ..models import KeyAccountTier
from ..services import key_account_designate

CRITERIA_HIGH = {
    "ka_profit": 90,
    "ka_strategic": 80,
    "ka_loss": 90,
    "ka_relationship": 80,
    "ka_growth": 70,
    "ka_time": 60,
    "key_account_score": 82.5,
}


def kam(**kwargs):
    return UserFactory(role=Role.KEY_ACCOUNT_MANAGER, **kwargs)


def organisation(admin, name="华星制造有限公司", score: float | None = 82.5):
    customer = make_customer(admin, kind="organisation", name=name)
    if score is not None:
        make_snapshot(customer, **{**CRITERIA_HIGH, "key_account_score": score})
    return customer


def contact(admin, customer, name="王总", **kwargs):
    return contact_add(actor=admin, customer=customer, name=name, **kwargs)


def tier(code="key"):
    return KeyAccountTier.objects.get(code=code)


def account(admin, manager, *, backup=None, name="华星制造有限公司", score=82.5):
    customer = organisation(admin, name=name, score=score)
    return key_account_designate(
        actor=SYSTEM,
        customer=customer,
        tier=tier(),
        manager=manager,
        backup=backup,
        reason="年收入贡献大",
        override_reason="" if score and score >= 70 else "战略合作",
    )
