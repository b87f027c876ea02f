"""A search reads its page by the ids it found: on PostgreSQL as one array parameter (`pk__among`,
`guanxi.core.lookups`), whatever their number, with the same rows as `pk__in`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Customer
from guanxi.customers.selectors.customers import CustomerFilter, customer_results

from ..factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    owner = UserFactory(role=Role.SALES_MANAGER)
    return [make_customer(owner, name=f"林{given}") for given in ("小芳", "大伟", "秀英", "建国")]


def test_among_finds_what_in_finds(customers):
    ids = [c.pk for c in customers[:3]] + [None, customers[0].pk, 10**12]
    among = set(Customer.objects.filter(pk__among=ids).values_list("pk", flat=True))
    assert among == set(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert among == {c.pk for c in customers[:3]}
    assert list(Customer.objects.filter(pk__among=[])) == []
    subquery = Customer.objects.filter(name="林大伟").values("pk")
    assert [c.pk for c in Customer.objects.filter(pk__among=subquery)] == [customers[1].pk]
    assert list(Customer.objects.exclude(pk__among=ids[:2]).filter(pk__among=ids).values_list("pk", flat=True)) \
        == [customers[2].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter is PostgreSQL's")
def test_a_search_page_sends_its_ids_as_one_array(customers):
    admin = UserFactory(role=Role.ADMIN)
    results = customer_results(user=admin, filters=CustomerFilter(query="林"))
    assert results.found == 4
    with CaptureQueriesContext(connection) as queries:
        page = list(results.rows)
    assert sorted(c.pk for c in page) == sorted(c.pk for c in customers)
    (query,) = queries.captured_queries
    assert "= ANY(" in query["sql"] and " IN (" not in query["sql"]
