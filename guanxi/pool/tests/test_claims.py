"""Claiming, releasing and assigning pool records: limits per role and person, one winner, the log."""

import pytest

from guanxi.accounts.enums import Role
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import rows_of
from guanxi.customers.models import Customer
from guanxi.marketing.tests.factories import make_lead

from ..enums import EventKind
from ..models import Holding, PoolEvent
from ..services import claim_limit_set, pool_assign, pool_claim, pool_release
from .factories import owned_customer, pool_customer, sales_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return sales_team()


def _state():
    return rows_of("pool", models=[Customer])


def test_a_claim_takes_the_record_and_logs_it(team):
    _t, _m, (rep, other) = team
    customer = pool_customer()
    pool_claim(actor=rep, customer=customer)
    customer.refresh_from_db()
    assert customer.owner == rep and customer.team == rep.team
    assert Holding.objects.get().owner == rep
    event = PoolEvent.objects.get()
    assert (event.kind, event.owner, event.actor, event.customer) == (EventKind.CLAIM, rep, rep, customer)
    before = _state()
    with pytest.raises(Conflict):
        pool_claim(actor=other, customer=customer)
    assert _state() == before


def test_claiming_beyond_the_role_limit_is_refused_with_the_limit(team):
    _t, _m, (rep, _other) = team
    claim_limit_set(actor=_m, role=Role.SALES_REP, limit=1)
    first, second = pool_customer("甲"), pool_customer("乙", mobile="13800138001")
    pool_claim(actor=rep, customer=first)
    before = _state()
    with pytest.raises(Conflict) as refused:
        pool_claim(actor=rep, customer=second)
    assert refused.value.code == "claim_limit" and "1" in str(refused.value.message)
    assert _state() == before


def test_a_personal_limit_overrides_the_role_s(team):
    _t, manager, (rep, other) = team
    claim_limit_set(actor=manager, role=Role.SALES_REP, limit=1)
    claim_limit_set(actor=manager, user=rep, limit=2)
    records = [pool_customer(f"客户{i}", mobile=f"1380013800{i}") for i in range(3)]
    pool_claim(actor=rep, customer=records[0])
    pool_claim(actor=rep, customer=records[1])
    with pytest.raises(Conflict):
        pool_claim(actor=rep, customer=records[2])
    pool_claim(actor=other, customer=records[2])


def test_leads_are_claimed_too(team):
    _t, _m, (rep, _other) = team
    lead = make_lead()
    assert lead.owner is None
    pool_claim(actor=rep, lead=lead)
    lead.refresh_from_db()
    assert lead.owner == rep and PoolEvent.objects.get().lead == lead


def test_release_returns_the_record_only_from_its_owner(team):
    _t, manager, (rep, other) = team
    customer = pool_customer()
    pool_claim(actor=rep, customer=customer)
    with pytest.raises(PermissionDenied):
        pool_release(actor=other, customer=customer)
    pool_release(actor=rep, customer=customer)
    customer.refresh_from_db()
    assert customer.owner is None and not Holding.objects.exists()
    assert list(PoolEvent.objects.order_by("id").values_list("kind", flat=True)) == ["claim", "release"]
    with pytest.raises(Conflict):
        pool_release(actor=rep, customer=customer)
    mine = owned_customer(other)
    pool_release(actor=manager, customer=mine)  # a manager releases anyone's


def test_a_manager_assigns_within_the_team(team):
    _t, manager, (rep, _other) = team
    _t2, _m2, (stranger, _x) = sales_team("另一组")
    customer = pool_customer()
    with pytest.raises(PermissionDenied):
        pool_assign(actor=manager, owner=stranger, customer=customer)
    with pytest.raises(PermissionDenied):
        pool_assign(actor=rep, owner=rep, customer=customer)
    pool_assign(actor=manager, owner=rep, customer=customer)
    event = PoolEvent.objects.get()
    assert (event.kind, event.owner, event.actor) == (EventKind.ASSIGN, rep, manager)


def test_bad_input(team):
    _t, manager, (rep, _other) = team
    with pytest.raises(ValidationFailed):
        pool_claim(actor=rep)
    with pytest.raises(ValidationFailed):
        claim_limit_set(actor=manager, limit=-1, role=Role.SALES_REP)
    with pytest.raises(ValidationFailed):
        claim_limit_set(actor=manager, limit=3, role="janitor")
