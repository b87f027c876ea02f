"""Concurrent edits of one customer on PostgreSQL, each thread on its own connection, all let go at
once: of the edits made from the same version exactly one is saved, the others get a version conflict;
edits without a version each change only their fields, so none is lost."""

import pytest
from django.db import connection

from guanxi.core.testing import race
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_update

from .factories import make_customer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
THREADS = 6


def test_of_edits_from_the_same_version_exactly_one_is_saved(admin):
    customer = make_customer(admin, name="张三")
    names = [f"张{i}号" for i in range(THREADS)]
    outcomes = race([lambda n=n: customer_update(actor=admin, customer=customer, data={"name": n},
                                                 expected_version=1) for n in names])
    assert sorted(outcomes) == ["version_conflict"] * (THREADS - 1) + ["won"]
    fresh = Customer.objects.get(pk=customer.pk)
    assert fresh.version == 2 and fresh.name in names
    assert fresh.history.filter(history_type="~").count() == 1


def test_edits_without_a_version_of_different_fields_are_all_kept(admin):
    customer = make_customer(admin, name="张三")
    fields = [{"notes": "回访过"}, {"arpu": "88"}, {"occupation": "教师"}, {"industry": "教育"}]
    outcomes = race([lambda d=d: customer_update(actor=admin, customer=customer, data=d) for d in fields])
    assert outcomes == ["won"] * len(fields)
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.notes, fresh.arpu, fresh.occupation, fresh.industry) == ("回访过", 88, "教师", "教育")
    assert fresh.version == 1 + len(fields)
