"""`/api/v1/commitments`: list (filters, keyset pages to the end), detail, create, keep, withdraw,
break, report — scoped like cases; a forbidden action is shown not to have happened."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Commitment, TicketAssignment
from guanxi.servicedesk.services.commitments import commitment_create, commitments_sweep
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.servicedesk.tests.factories import office_calendar

pytestmark = pytest.mark.django_db
URL = "/api/v1/commitments"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team():
    return TeamFactory(kind="service", name="一线")


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, team=team)


@pytest.fixture
def case(agent, admin):
    customer = make_customer(admin, name="张三", mobile="13912345678")
    return ticket_create(actor=agent, customer=customer, data={"subject": "宽带断线", "type": "fault",
                                                                "channel": "hotline"})


def test_agent_promises_on_a_case_within_working_hours_and_keeps_it(admin, agent, case):
    office_calendar(admin)
    client = client_for(agent)
    response = post_json(client, URL, {"kind": "callback", "description": "国庆后回电", "ticket": case.pk,
                                  "within_working_hours": 4})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open" and body["customer"]["id"] == case.customer_id
    assert body["ticket"] == {"id": case.pk, "number": case.number} and body["promised_by"]["id"] == agent.pk
    assert dt.datetime.fromisoformat(body["due_at"]) == dt.datetime(2026, 10, 8, 12, tzinfo=SHANGHAI)
    assert body["within_working_hours"] == 4 and body["calendar"]["name"] == "办公日历"
    assert client.get(f"{URL}/{body['id']}").json() == body
    kept = post_json(client, f"{URL}/{body['id']}/keep", {"note": "已回电"})
    assert kept.status_code == 200 and kept.json()["status"] == "kept"
    assert kept.json()["closed_by"]["id"] == agent.pk
    assert_error_body(post_json(client, f"{URL}/{body['id']}/withdraw", {"reason": "x"}), 409)


def test_bad_input_is_422_in_the_error_shape_and_writes_nothing(agent, case):
    client = client_for(agent)
    later = (NOW + dt.timedelta(hours=2)).isoformat()
    for body, field in (
        ({"kind": "callback", "description": "x", "ticket": case.pk}, "due_at"),
        ({"kind": "callback", "description": "x", "ticket": 999999, "due_at": later}, "ticket"),
        ({"kind": "callback", "description": "x", "customer": 999999, "due_at": later}, "customer"),
        ({"kind": "nonsense", "description": "x", "ticket": case.pk, "due_at": later}, "kind"),
        ({"kind": "callback", "description": "x", "ticket": case.pk, "due_at": "0001-01-01T00:00:00+01:00"},
         "due_at"),
        ({"kind": "callback", "description": "x", "ticket": case.pk, "within_working_hours": 3, "calendar": 999},
         "calendar"),
        ({"kind": "callback", "description": "x", "customer": 2**70, "due_at": later}, "customer"),
    ):
        assert_error_body(post_json(client, URL, body), 422, field)
    assert_error_body(client.get(URL, {"cursor": "not-a-cursor"}), 422, "cursor")
    assert_error_body(client.get(URL, {"status": "lost"}), 422, "status")
    assert_error_body(client.get(URL, {"due_before": "0001-01-01T00:00:00+01:00"}), 422, "due_before")
    assert_error_body(client.get(URL, {"customer": 2**70}), 422, "customer")  # SQLite cannot compare it
    assert not Commitment.objects.exists()


def test_forbidden_writes_are_refused_and_do_not_happen(agent, case):
    promised = commitment_create(actor=agent, kind="visit", description="周五上门", ticket=case,
                                 due_at_value=NOW + dt.timedelta(days=2))
    analyst = client_for(UserFactory(role=Role.ANALYST))
    stranger = client_for(UserFactory(role=Role.AGENT, team=TeamFactory(kind="service")))
    body = {"kind": "callback", "description": "x", "ticket": case.pk,
            "due_at": (NOW + dt.timedelta(hours=2)).isoformat()}
    assert_error_body(post_json(analyst, URL, body), 403)
    assert_error_body(post_json(stranger, URL, body), 403)
    for client in (analyst, stranger):
        assert client.get(f"{URL}/{promised.pk}").status_code == 200  # service roles read every promise
        assert_error_body(post_json(client, f"{URL}/{promised.pk}/keep", {}), 403)
        assert_error_body(post_json(client, f"{URL}/{promised.pk}/withdraw", {"reason": "不做了"}), 403)
        assert_error_body(post_json(client, f"{URL}/{promised.pk}/break", {"reason": "不做了"}), 403)
    promised.refresh_from_db()
    assert promised.status == "open" and promised.closed_at is None and promised.follow_up_to is None
    assert Commitment.objects.count() == 1 and not TicketAssignment.objects.exists()
    assert promised.history.count() == 1


def test_roles_outside_the_service_desk_see_only_their_customers_promises(admin, agent, case):
    rep = UserFactory(role=Role.SALES_REP)
    own = make_customer(rep, name="自己的客户", owner=rep)
    commitment_create(actor=agent, kind="callback", description="回电", ticket=case,
                      due_at_value=NOW + dt.timedelta(hours=2))
    mine = commitment_create(actor=rep, kind="refund", description="退款", customer=own,
                             due_at_value=NOW + dt.timedelta(days=2))
    client = client_for(rep)
    assert [row["id"] for row in client.get(URL).json()["items"]] == [mine.pk]
    others = Commitment.objects.exclude(pk=mine.pk).get()
    assert_error_body(client.get(f"{URL}/{others.pk}"), 404)
    assert_error_body(post_json(client, f"{URL}/{others.pk}/keep", {}), 404)
    assert Commitment.objects.get(pk=others.pk).status == "open"


def test_free_text_is_masked_for_roles_that_may_not_see_personal_data(agent, case):
    commitment_create(actor=agent, kind="callback", description="回电到 13912345678", ticket=case,
                      due_at_value=NOW + dt.timedelta(hours=2))
    row = client_for(agent).get(URL).json()["items"][0]
    assert "13912345678" not in row["description"]
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    assert "13912345678" in client_for(manager).get(URL).json()["items"][0]["description"]


def test_the_list_filters_and_walks_to_the_end_with_a_cursor(agent, case):
    due_times = [NOW + dt.timedelta(hours=1 + n % 7) for n in range(23)]  # ties on due time
    for due in due_times:
        commitment_create(actor=agent, kind="callback", description="回电", ticket=case, due_at_value=due)
    commitment_create(actor=agent, kind="visit", description="上门", customer=case.customer,
                      due_at_value=NOW + dt.timedelta(days=3))
    client = client_for(agent)
    seen, cursor, pages = [], "", 0
    while True:
        page = client.get(URL, {"ticket": case.pk, "limit": 5, "cursor": cursor}).json()
        seen += page["items"]
        pages += 1
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert pages == 5 and len(seen) == 23 and len({row["id"] for row in seen}) == 23
    keys = [(row["due_at"], row["id"]) for row in seen]
    assert keys == sorted(keys, key=lambda k: (dt.datetime.fromisoformat(k[0]), k[1]))
    assert len(client.get(URL, {"mine": True, "limit": 200}).json()["items"]) == 24
    assert [r["kind"] for r in client.get(URL, {"kind": "visit"}).json()["items"]] == ["visit"]
    before = client.get(URL, {"due_before": (NOW + dt.timedelta(hours=2)).isoformat(), "limit": 200}).json()
    assert len(before["items"]) == due_times.count(NOW + dt.timedelta(hours=1))
    after = client.get(URL, {"due_after": (NOW + dt.timedelta(days=1)).isoformat()}).json()
    assert [r["kind"] for r in after["items"]] == ["visit"]


def test_broken_promises_list_with_their_follow_up_and_break_needs_a_reason(agent, case, team, _clock):
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    overdue = commitment_create(actor=agent, kind="callback", description="回电", ticket=case,
                                due_at_value=NOW + dt.timedelta(hours=1))
    other = commitment_create(actor=agent, kind="visit", description="上门", ticket=case,
                              due_at_value=NOW + dt.timedelta(days=2))
    client = client_for(agent)
    assert_error_body(post_json(client, f"{URL}/{other.pk}/break", {"reason": ""}), 422, "reason")
    assert Commitment.objects.get(pk=other.pk).status == "open"
    _clock.shift(dt.timedelta(hours=2))
    commitments_sweep(actor=SYSTEM)
    rows = client_for(lead).get(URL, {"status": "broken", "follow_up_mine": True}).json()["items"]
    assert [(r["id"], r["follow_up_to"]["id"], r["closed_by"]) for r in rows] == [(overdue.pk, lead.pk, None)]


def test_the_report_is_for_managers_and_gives_rates(agent, case, _clock):
    commitment_create(actor=agent, kind="callback", description="回电", ticket=case,
                      due_at_value=NOW + dt.timedelta(hours=1))
    _clock.shift(dt.timedelta(hours=2))
    commitments_sweep(actor=SYSTEM)
    params = {"since": "2026-09-01", "until": "2026-09-30"}
    assert_error_body(client_for(agent).get(f"{URL}/report", params), 403)
    rows = client_for(UserFactory(role=Role.SERVICE_MANAGER)).get(f"{URL}/report", params).json()
    assert rows == [{"team": "一线", "kind": "callback", "due": 1, "kept": 0, "broken": 1, "rate": 0.0}]
    assert_error_body(client_for(UserFactory(role=Role.ANALYST)).get(
        f"{URL}/report", {"since": "2026-10-01", "until": "2026-09-01"}), 422)
