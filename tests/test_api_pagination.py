"""Every API list can be walked to its end: keyset cursors (core/pagination.py) on the lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.testing import assert_error_body, client_for
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def open_cases(n: int, owner) -> set[int]:
    """`n` open cases whose due times repeat (ties) and are sometimes unknown (NULL), the hard
    cases for a keyset; loaded in bulk as a migration from an older system would."""
    Ticket.objects.bulk_create(
        Ticket(number=f"T{i:08d}", subject=f"case {i}", type="fault", channel="web", status="open", owner=owner,
               next_due_at=None if i % 7 == 0 else NOW + dt.timedelta(minutes=i % 40))
        for i in range(n))
    return set(Ticket.objects.values_list("pk", flat=True))


def walk(client, url, params, *, by):
    """Every item of a list, following next_cursor (by="cursor") or page numbers (by="page");
    and the number of queries of each page."""
    seen, queries, cursor, page = [], [], "", 1
    while True:
        query = {**params, "cursor": cursor} if by == "cursor" else {**params, "page": page}
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url, query).json()
        seen += [item["id"] for item in body["items"]]
        queries.append(len(captured))
        if not body["next_cursor"] or (by == "page" and not body["items"]):
            return seen, queries, body
        cursor, page = body["next_cursor"], page + 1


@pytest.mark.parametrize("ordering", [None, "-next_due_at", "priority"])
def test_walking_1500_open_cases_returns_each_exactly_once_at_a_constant_cost(admin, ordering):
    expected = open_cases(1500, admin)
    params = {"status": "open", "page_size": 100, **({"ordering": ordering} if ordering else {})}
    seen, queries, last = walk(client_for(admin), "/api/v1/tickets", params, by="cursor")
    assert len(seen) == 1500 and set(seen) == expected
    assert len(queries) == 15 and len(set(queries[1:])) == 1  # the first page also authenticates
    assert last["next_cursor"] is None


def test_numbered_pages_reach_past_the_counted_thousand(admin):
    expected = open_cases(1500, admin)
    client = client_for(admin)
    page_11 = client.get("/api/v1/tickets", {"status": "open", "page_size": 100, "page": 11}).json()
    assert len(page_11["items"]) == 100 and (page_11["count"], page_11["count_is_exact"]) == (1000, False)
    seen, _, _ = walk(client, "/api/v1/tickets", {"status": "open", "page_size": 100}, by="page")
    assert len(seen) == 1500 and set(seen) == expected


def test_a_cursor_of_another_ordering_or_garbage_is_refused_with_422(admin):
    open_cases(30, admin)
    client = client_for(admin)
    cursor = client.get("/api/v1/tickets", {"page_size": 10}).json()["next_cursor"]
    assert_error_body(client.get("/api/v1/tickets", {"page_size": 10, "cursor": cursor, "ordering": "-id"}), 422)
    for junk in ("x", "eyJ4IjoxfQ", "!!!", "e30"):
        assert_error_body(client.get("/api/v1/tickets", {"cursor": junk}), 422)


def test_customer_list_walks_to_its_end_ordered_by_an_indexed_key(admin):
    for i in range(25):
        make_customer(admin, name=f"客户{i:02d}")
    seen, _, _ = walk(client_for(admin), "/api/v1/customers", {"page_size": 10, "ordering": "name"}, by="cursor")
    assert len(seen) == 25 == len(set(seen))


def test_lists_answered_as_arrays_give_the_next_cursor_in_headers(admin):
    client = client_for(admin)
    for i in range(5):
        client.post("/api/v1/tokens", {"name": f"集成{i}"}, content_type="application/json")
    first = client.get("/api/v1/tokens", {"limit": 2})
    names = [t["name"] for t in first.json()]
    assert len(names) == 2 and 'rel="next"' in first["Link"]
    cursor = first["X-Next-Cursor"]
    while cursor:
        response = client.get("/api/v1/tokens", {"limit": 2, "cursor": cursor})
        names += [t["name"] for t in response.json()]
        cursor = response.headers.get("X-Next-Cursor")
    assert sorted(names) == sorted(["test", *(f"集成{i}" for i in range(5))])  # client_for's own token too
    assert "X-Next-Cursor" not in client.get("/api/v1/tokens").headers  # all of them fit in one answer
