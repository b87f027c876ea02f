"""No lost updates on a case: the GET's ETag is the case's version; a move or an assignment made from
an older read is refused with 409 and what changed since (in Chinese by default, the case text masked as
its reader sees it); without If-Match the move still works against the current case."""

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.core.versioning import VersionConflict
from guanxi.servicedesk.enums import TicketStatus
from guanxi.servicedesk.models import Ticket, TicketAssignment
from guanxi.servicedesk.services.tickets import ticket_transition

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


@pytest.fixture
def agents():
    team = TeamFactory(kind="service")
    return UserFactory(role=Role.AGENT, team=team), UserFactory(role=Role.TEAM_LEAD, team=team)


def open_case(client, subject="宽带断线"):
    return post_json(client, URL, {"subject": subject, "type": "fault", "channel": "hotline"}).json()


def test_the_etag_follows_each_move(agents):
    client = client_for(agents[0])
    case = open_case(client)
    read = client.get(f"{URL}/{case['id']}")
    assert read["ETag"] == f'"{case["version"]}"' == f'"{read.json()["version"]}"'
    moved = post_json(client, f"{URL}/{case['id']}/transition", {"status": "open"}, HTTP_IF_MATCH=read["ETag"])
    assert moved.status_code == 200, moved.content
    assert moved["ETag"] == f'"{case["version"] + 1}"' == f'"{moved.json()["version"]}"'


def test_a_move_from_an_older_read_is_409_with_the_new_status(agents):
    agent, lead = agents
    case = open_case(client_for(agent))
    etag = client_for(lead).get(f"{URL}/{case['id']}")["ETag"]
    assert post_json(client_for(agent), f"{URL}/{case['id']}/transition", {"status": "resolved"},
                     HTTP_IF_MATCH=etag).status_code == 200
    refused = post_json(client_for(lead), f"{URL}/{case['id']}/transition",
                        {"status": "pending_customer", "reason": "等客户回电"}, HTTP_IF_MATCH=etag)
    body = assert_error_body(refused, 409, "status")
    assert body["code"] == "version_conflict" and body["current_version"] == int(etag.strip('"')) + 1
    assert body["changes"] == [{"field": "status", "label": "状态", "value": "已解决"}]
    assert Ticket.objects.get(pk=case["id"]).status == TicketStatus.RESOLVED


def test_an_assignment_from_an_older_read_is_409_and_assigns_nobody(agents):
    agent, lead = agents
    case = open_case(client_for(agent))
    stale = case["version"]
    post_json(client_for(agent), f"{URL}/{case['id']}/transition", {"status": "open"})
    refused = post_json(client_for(lead), f"{URL}/{case['id']}/assign", {"assignee": agent.pk, "version": stale})
    assert assert_error_body(refused, 409)["changes"][0]["field"] == "status"
    assert not TicketAssignment.objects.filter(ticket_id=case["id"]).exists()
    current = post_json(client_for(lead), f"{URL}/{case['id']}/assign",
                        {"assignee": agent.pk, "version": stale + 1})
    assert current.status_code == 201, current.content


def test_without_if_match_a_move_works_on_the_current_case(agents):
    client = client_for(agents[0])
    case = open_case(client)
    assert post_json(client, f"{URL}/{case['id']}/transition", {"status": "open"}).status_code == 200
    assert post_json(client, f"{URL}/{case['id']}/transition", {"status": "resolved"},
                     HTTP_IF_MATCH="*").status_code == 200


def test_the_case_text_stays_masked_in_a_conflict(agents):
    agent, lead = agents  # neither reads customers' personal data: phone numbers in case text are masked
    case = open_case(client_for(agent), subject="客户 13800138000 报修")
    ticket = Ticket.objects.get(pk=case["id"])
    ticket.subject = "客户 13900139000 报修"
    ticket.save()
    with pytest.raises(VersionConflict) as caught:
        ticket_transition(actor=lead, ticket=ticket, status="open", expected_version=case["version"])
    assert [(c.field, c.value) for c in caught.value.changes] == [("subject", "客户 139****9000 报修")]


def test_an_assignment_bumps_the_version_so_a_move_from_before_it_is_409(agents):
    agent, lead = agents
    case = open_case(client_for(agent))
    etag = client_for(agent).get(f"{URL}/{case['id']}")["ETag"]
    assigned = post_json(client_for(lead), f"{URL}/{case['id']}/assign", {"assignee": agent.pk}, HTTP_IF_MATCH=etag)
    assert assigned.status_code == 201, assigned.content
    after = client_for(agent).get(f"{URL}/{case['id']}")
    assert after["ETag"] == f'"{case["version"] + 1}"'
    refused = post_json(client_for(agent), f"{URL}/{case['id']}/transition", {"status": "open"}, HTTP_IF_MATCH=etag)
    assert assert_error_body(refused, 409)["code"] == "version_conflict"
    assert Ticket.objects.get(pk=case["id"]).status == TicketStatus.NEW
    assert post_json(client_for(agent), f"{URL}/{case['id']}/transition", {"status": "open"},
                     HTTP_IF_MATCH=after["ETag"]).status_code == 200
