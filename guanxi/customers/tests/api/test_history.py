import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers import timeline
from guanxi.customers.models import Contact, Interaction, Transaction
from guanxi.customers.timeline import TimelineCursor, TimelineEvent, customer_timeline_page

from ..factories import make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()
PHONE_NOTE = "客户留下新号码 13912345678，请回电"


@pytest.fixture
def rep():
    return UserFactory(role=Role.SALES_REP)


@pytest.fixture
def customer(admin, rep):
    return make_customer(admin, name="王小明", owner=rep.pk)


def url(customer, what):
    return f"/api/v1/customers/{customer.pk}/{what}"


def bill(customer, days=1, **extra):
    return {"kind": "bill", "amount": "58.00", "occurred_at": (NOW - dt.timedelta(days=days)).isoformat(), **extra}


# -- transactions -------------------------------------------------------------------------------


def test_record_replay_and_conflict_of_a_transaction(admin, customer):
    client = client_for(admin)
    created = post_json(client, url(customer, "transactions"), bill(customer, external_id="BILL-1"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["amount"], body["staff"]["id"]) == ("bill", "58.00", admin.pk)
    replay = post_json(client, url(customer, "transactions"), bill(customer, external_id="BILL-1"))
    assert replay.status_code == 200 and replay.json()["id"] == body["id"]
    conflict = post_json(client, url(customer, "transactions"), bill(customer, external_id="BILL-1", amount="59.00"))
    assert_error_body(conflict, 409, "external_id")
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "0"}, "amount"), ({"amount": "-3"}, "amount"), ({"amount": "1.001"}, "amount"),
    ({"kind": "gift"}, "kind"), ({"occurred_at": (NOW + dt.timedelta(days=1)).isoformat()}, "occurred_at"),
    ({"occurred_at": "yesterday"}, "occurred_at"), ({"external_id": "x" * 101}, "external_id"),
])
def test_bad_transactions_get_422_and_nothing_is_written(admin, customer, change, field):
    response = post_json(client_for(admin), url(customer, "transactions"), bill(customer, **change))
    assert_error_body(response, 422, field)
    assert not Transaction.objects.exists()


def test_transactions_list_is_paginated_filtered_and_newest_first(admin, customer):
    client = client_for(admin)
    for days in range(5):
        post_json(client, url(customer, "transactions"), bill(customer, days=days + 1))
    post_json(client, url(customer, "transactions"), bill(customer, kind="payment"))
    page = client.get(url(customer, "transactions"), {"kind": "bill", "page_size": 2}).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    assert page["items"][0]["occurred_at"] > page["items"][1]["occurred_at"]
    since = (NOW - dt.timedelta(days=2, hours=1)).isoformat()
    assert client.get(url(customer, "transactions"), {"since": since}).json()["count"] == 3
    assert_error_body(client.get(url(customer, "transactions"), {"ordering": "amount; drop"}), 422, "ordering")


def test_history_follows_the_read_and_write_scope_of_the_role(admin, rep, customer):
    other_rep = UserFactory(role=Role.SALES_REP)
    analyst = UserFactory(role=Role.ANALYST)
    for what in ("transactions", "interactions", "timeline", "billing", "360"):
        assert_error_body(client_for(other_rep).get(url(customer, what)), 404)
        assert client_for(rep).get(url(customer, what)).status_code == 200
        assert client_for(analyst).get(url(customer, what)).status_code == 200
    assert_error_body(post_json(client_for(other_rep), url(customer, "transactions"), bill(customer)), 404)
    assert_error_body(post_json(client_for(analyst), url(customer, "transactions"), bill(customer)), 403)
    assert_error_body(post_json(client_for(analyst), url(customer, "interactions"), {"channel": "call"}), 403)
    assert not Transaction.objects.exists() and not Interaction.objects.exists()
    assert post_json(client_for(rep), url(customer, "transactions"), bill(customer)).status_code == 201
    assert client_for(admin).get(url(customer, "transactions")).json()["count"] == 1
    assert_error_body(post_json(client_for(rep), "/api/v1/customers/999999/transactions", bill(customer)), 404)


def test_interactions_are_recorded_by_the_caller_and_masked_for_roles_without_personal_data(admin, customer):
    agent = UserFactory(role=Role.AGENT)
    response = post_json(client_for(agent), url(customer, "interactions"),
                    {"channel": "call", "subject": "回访", "content": PHONE_NOTE, "duration_seconds": 95})
    assert response.status_code == 201, response.content
    assert response.json()["staff"]["id"] == agent.pk and "13912345678" not in response.json()["content"]
    row = Interaction.objects.get()
    assert row.content == PHONE_NOTE and row.team_id == agent.team_id
    seen_by_agent = client_for(agent).get(url(customer, "interactions")).json()["items"][0]
    assert "139****5678" in seen_by_agent["content"]
    assert client_for(admin).get(url(customer, "interactions")).json()["items"][0]["content"] == PHONE_NOTE
    for who, shown in ((agent, "139****5678"), (admin, "13912345678")):
        assert shown in client_for(who).get(url(customer, "timeline")).json()["items"][0]["detail"]
        assert shown in client_for(who).get(url(customer, "360")).json()["timeline"][0]["detail"]


def test_an_interaction_replay_returns_200_and_a_future_one_422(admin, customer):
    client = client_for(admin)
    body = {"channel": "call", "external_id": "cti:42", "occurred_at": (NOW - dt.timedelta(minutes=5)).isoformat()}
    assert post_json(client, url(customer, "interactions"), body).status_code == 201
    assert post_json(client, url(customer, "interactions"), body).status_code == 200
    future = {"channel": "call", "occurred_at": (NOW + dt.timedelta(days=2)).isoformat()}
    assert_error_body(post_json(client, url(customer, "interactions"), future), 422, "occurred_at")
    assert_error_body(post_json(client, url(customer, "interactions"), {"channel": "fax"}), 422, "channel")
    assert Interaction.objects.count() == 1


def test_import_by_id_or_number_all_or_nothing_and_within_scope(admin, rep, customer):
    foreign = make_customer(admin, name="李四", owner=UserFactory(role=Role.SALES_REP).pk)
    rows = [{**bill(customer), "customer_id": customer.pk, "external_id": "I-1"},
            {**bill(customer, days=2), "customer_code": customer.code.lower(), "external_id": "I-2"}]
    bad = [*rows, {**bill(foreign), "customer_id": foreign.pk},
           {**bill(customer), "customer_id": customer.pk, "customer_code": foreign.code}]
    refused = post_json(client_for(rep), "/api/v1/transactions/import", {"rows": bad})
    assert_error_body(refused, 422, "rows[2].customer")
    assert "rows[3].customer" in refused.json()["fields"] and not Transaction.objects.exists()
    done = post_json(client_for(rep), "/api/v1/transactions/import", {"rows": rows})
    assert done.status_code == 201 and done.json() == {"created": 2, "unchanged": 0}
    again = post_json(client_for(rep), "/api/v1/transactions/import", {"rows": rows})
    assert again.json() == {"created": 0, "unchanged": 2}
    assert_error_body(post_json(client_for(rep), "/api/v1/transactions/import", {"rows": []}), 422, "rows")


def test_billing_endpoint_and_360_show_the_ledger(admin, customer):
    client = client_for(admin)
    post_json(client, url(customer, "transactions"), bill(customer, days=45, amount="100.00"))
    post_json(client, url(customer, "transactions"), bill(customer, days=10, kind="payment", amount="40.00"))
    billing = client.get(url(customer, "billing")).json()
    assert (billing["outstanding"], billing["overdue_amount"], billing["is_overdue"]) == ("60.00", "60.00", True)
    full = client.get(url(customer, "360")).json()
    assert full["billing"] == billing
    assert full["history"] == {"interactions": 0, "transactions": 2, "cap": 1000}
    assert [e["kind"] for e in full["timeline"]] == ["payment", "bill"]
    assert full["timeline_next_cursor"] is None and full["next_best_offers"] == []


# -- timeline: every source merged, a page at a time --------------------------------------------

EXTRA = []


def extra_events(customer, limit, before=None):
    """A timeline source as another module registers it."""
    events = [e for e in EXTRA if before is None or e.at <= before]
    return sorted(events, key=lambda e: e.at, reverse=True)[:limit]


def legacy_events(customer, limit):
    """A source written before pagination (no `before`)."""
    return sorted(EXTRA, key=lambda e: e.at, reverse=True)[:limit]


@pytest.fixture
def extra_source(monkeypatch):
    monkeypatch.setattr(timeline, "SOURCES", [extra_events])
    EXTRA.clear()
    yield EXTRA
    EXTRA.clear()


def walk(customer, limit):
    pages, cursor = [], None
    for _ in range(100):
        page = customer_timeline_page(customer=customer, limit=limit, cursor=cursor)
        pages.append(page.events)
        if page.next_cursor is None:
            return pages
        cursor = TimelineCursor.decode(page.next_cursor.encode())
    raise AssertionError("the cursor does not move on")


def _fill(customer, offsets):
    for i, (source, minutes) in enumerate(offsets):
        at = NOW - dt.timedelta(minutes=minutes)
        if source == 0:
            Interaction.objects.create(customer=customer, channel="call", occurred_at=at, subject=f"contact {i}")
        elif source == 1:
            Transaction.objects.create(customer=customer, kind="bill", amount=i + 1, occurred_at=at)
        else:
            EXTRA.append(TimelineEvent(at, "ticket_opened", f"case {i}"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 6)), max_size=30), limit=st.integers(1, 7))
def test_paging_through_the_timeline_shows_every_event_once_in_order(extra_source, offsets, limit):
    # Few distinct minutes: many events share their moment, within and across sources.
    EXTRA.clear()
    customer = make_customer(UserFactory(role=Role.ADMIN), name="周八")
    _fill(customer, offsets)
    pages = walk(customer, limit)
    shown = [e for page in pages for e in page]
    everything = customer_timeline_page(customer=customer, limit=200).events
    assert len(everything) == len(offsets)
    assert shown == everything
    assert [e.at for e in shown] == sorted((e.at for e in shown), reverse=True)
    assert all(len(page) == limit for page in pages[:-1]) and len(pages[-1]) <= limit


def test_transactions_and_other_modules_events_interleave_on_the_timeline(admin, customer, extra_source):
    _fill(customer, [(0, 30), (1, 20), (2, 10), (1, 40)])
    kinds = [e.kind for e in customer_timeline_page(customer=customer).events]
    assert kinds == ["ticket_opened", "bill", "interaction", "bill"]


def test_a_source_without_pagination_still_works(admin, customer, monkeypatch):
    monkeypatch.setattr(timeline, "SOURCES", [legacy_events])
    EXTRA[:] = [TimelineEvent(NOW - dt.timedelta(hours=h), "callback", f"cb {h}") for h in range(3)]
    try:
        pages = walk(customer, 2)
    finally:
        EXTRA.clear()
    assert [e.title for page in pages for e in page] == ["cb 0", "cb 1", "cb 2"]


def test_a_source_is_asked_only_for_customers_its_tables_hold_rows_of(admin, monkeypatch):
    asked = []

    def contact_events(customer, limit, before=None):
        asked.append(customer.pk)
        return [TimelineEvent(NOW, "contact_added", c.name) for c in customer.contacts.all()]

    monkeypatch.setattr(timeline, "SOURCES", [contact_events, legacy_events])
    monkeypatch.setattr(timeline, "SOURCE_TABLES", {contact_events: ((Contact, "customer"),)})
    without, holder = make_customer(admin, name="甲公司"), make_customer(admin, name="乙公司")
    Contact.objects.create(customer=holder, name="王经理")
    assert [e.title for e in customer_timeline_page(customer=holder).events] == ["王经理"]
    with CaptureQueriesContext(connection) as queries:
        assert customer_timeline_page(customer=without).events == []
    assert asked == [holder.pk]  # not asked for the customer without contacts
    assert len(queries) == 3  # interactions, transactions, one probe for every source (the legacy one has none)


def test_the_timeline_endpoint_pages_with_a_cursor_and_refuses_a_forged_one(admin, customer):
    for m in range(5):
        Interaction.objects.create(customer=customer, channel="sms", occurred_at=NOW - dt.timedelta(minutes=m))
    client = client_for(admin)
    first = client.get(url(customer, "timeline"), {"limit": 3}).json()
    second = client.get(url(customer, "timeline"), {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert first["items"][-1]["at"] > second["items"][0]["at"]
    for forged in ("abc", "bm90IGEgY3Vyc29y", TimelineCursor(NOW, 1).encode()[:-3] + "!!!"):
        assert_error_body(client.get(url(customer, "timeline"), {"cursor": forged}), 422, "cursor")
    assert_error_body(client.get(url(customer, "timeline"), {"limit": 0}), 422, "limit")


# -- the 360 reads a bounded window -----------------------------------------------------------


def _history(customer, n):
    Interaction.objects.bulk_create([Interaction(customer=customer, channel="call", subject=f"c{i}",
                                                 occurred_at=NOW - dt.timedelta(hours=i)) for i in range(n)])
    Transaction.objects.bulk_create([Transaction(customer=customer, kind=("bill", "payment")[i % 2], amount=10,
                                                 occurred_at=NOW - dt.timedelta(hours=i, minutes=30))
                                     for i in range(n)])


def test_the_360_costs_the_same_queries_for_a_short_and_a_long_history(admin):
    client = client_for(admin)
    short, long = make_customer(admin, name="短历史"), make_customer(admin, name="长历史")
    _history(short, 3)
    _history(long, 300)
    counts = {}
    for c in (short, long):
        client.get(url(c, "360"))  # warm the token cache
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url(c, "360")).json()
        counts[c.name] = len(queries)
        assert len(body["timeline"]) == (6 if c is short else 50)
    # One query per timeline source of the installed apps, and one for the next-best offers.
    assert counts["短历史"] == counts["长历史"] <= 30, counts
    assert body["history"]["interactions"] == 300 and body["timeline_next_cursor"]


def test_the_360_api_query_budget(admin, django_assert_max_num_queries):
    customer = make_customer(admin, name="预算")
    _history(customer, 120)
    client = client_for(admin)
    client.get(url(customer, "360"))
    with django_assert_max_num_queries(30):  # see above
        assert client.get(url(customer, "360")).status_code == 200


def test_the_timeline_cursor_is_opaque_text(admin, customer):
    encoded = TimelineCursor(NOW, 2).encode()
    assert json.dumps(encoded) and "=" not in encoded
    assert TimelineCursor.decode(encoded) == TimelineCursor(NOW, 2)


def test_counts_of_a_team_customer_for_a_sales_manager(admin):
    team = TeamFactory()
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    owned = make_customer(admin, name="团队客户", owner=UserFactory(role=Role.SALES_REP, team=team).pk, team=team.pk)
    assert client_for(manager).get(url(owned, "360")).status_code == 200
    assert post_json(client_for(manager), url(owned, "transactions"), bill(owned)).status_code == 201
