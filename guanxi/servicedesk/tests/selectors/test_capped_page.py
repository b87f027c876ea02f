"""Capped pages of cases: the same rows whether the ids are read first or not, joined either way."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.pagination import capped_page
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db


def test_ids_first_gives_the_same_page_in_order_with_its_joins():
    admin = UserFactory(role=Role.ADMIN)
    agent = UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))
    customer = make_customer(admin, name="王五")
    for i in range(7):
        ticket_create(actor=agent, customer=customer if i % 2 else None,
                      data={"subject": f"工单{i}", "type": "fault", "channel": "hotline", "priority": 1 + i % 3})
    queryset = (Ticket.objects.filter(priority__gte=1).select_related("customer", "owner__team")
                .order_by(F("priority").desc(), "-id"))
    for number in (1, 2, 3):
        plain = capped_page(queryset, page=number, per_page=3)
        first = capped_page(queryset, page=number, per_page=3, ids_first=True)
        assert [t.pk for t in first.rows] == [t.pk for t in plain.rows]
        assert (first.count, first.count_is_exact) == (plain.count, plain.count_is_exact)
    with CaptureQueriesContext(connection) as queries:
        rows = capped_page(queryset, page=1, per_page=3, ids_first=True).rows
        shown = [(t.customer.name if t.customer else "", t.owner.team.name) for t in rows]
    assert len(shown) == 3 and len(queries) == 3  # ids, their rows with the joins, the capped count
    assert "priority" not in queries[1]["sql"].split("WHERE")[1]  # rows by key only: not the filters again
