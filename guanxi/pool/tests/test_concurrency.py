"""Concurrent claims of one pool record on PostgreSQL: threads on their own connections, all let go
at once; exactly one wins, the others are told the record is gone. And one person's claims at once
cannot slip past their limit together."""

import threading

import pytest
from django.db import connection, connections

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict
from guanxi.core.versioning import VersionConflict
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_update

from ..models import Holding, PoolEvent
from ..services import claim_limit_set, pool_claim
from .factories import pool_customer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
THREADS = 6


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_exactly_one_of_many_claims_wins():
    customer = pool_customer()
    reps = [UserFactory(role=Role.SALES_REP) for _ in range(THREADS)]
    outcomes = _race([lambda rep=rep: pool_claim(actor=rep, customer=customer) for rep in reps])
    assert sorted(outcomes) == ["not_in_pool"] * (THREADS - 1) + ["won"]
    customer.refresh_from_db()
    holding = Holding.objects.get()
    assert customer.owner_id == holding.owner_id and PoolEvent.objects.count() == 1


def test_one_person_s_claims_at_once_stay_within_the_limit():
    rep = UserFactory(role=Role.SALES_REP)
    claim_limit_set(actor=UserFactory(role=Role.ADMIN), role=Role.SALES_REP, limit=2)
    customers = [pool_customer(f"客户{i}", mobile=f"1380013800{i}") for i in range(THREADS)]
    outcomes = _race([lambda c=c: pool_claim(actor=rep, customer=c) for c in customers])
    assert outcomes.count("won") == 2 and outcomes.count("claim_limit") == THREADS - 2
    assert Holding.objects.filter(owner=rep).count() == 2


def test_a_claim_bumps_the_customer_s_version_so_an_edit_from_before_it_is_refused():
    customer = pool_customer()
    read = Customer.objects.get(pk=customer.pk).version
    rep, admin = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.ADMIN)
    outcomes = _race([lambda: pool_claim(actor=rep, customer=customer),
                      lambda: pool_claim(actor=UserFactory(role=Role.SALES_REP), customer=customer)])
    assert sorted(outcomes) == ["not_in_pool", "won"]
    with pytest.raises(VersionConflict) as caught:
        customer_update(actor=admin, customer=customer, data={"owner": None}, expected_version=read)
    assert [c.field for c in caught.value.changes] == ["owner", "team"]
    assert Customer.objects.get(pk=customer.pk).owner_id == Holding.objects.get().owner_id
