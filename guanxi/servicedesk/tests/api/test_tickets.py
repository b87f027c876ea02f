import json

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import BusinessCalendar, ServiceStandard, Ticket
from guanxi.servicedesk.tests.factories import office_calendar

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


@pytest.fixture
def team():
    return TeamFactory(kind="service")


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, team=team)


def test_agent_opens_a_case_for_a_customer_and_finds_it_in_their_queue(admin, agent):
    calendar = office_calendar(admin)
    post_json(client_for(admin), "/api/v1/service-standards", {
        "code": "resolution-any", "name": "解决时限", "metric": "resolution", "target_minutes": 480,
        "calendar": calendar.pk})
    customer = make_customer(admin, name="张三")
    client = client_for(agent)
    response = post_json(client, URL, {"subject": "宽带断线", "type": "fault", "channel": "hotline",
                                  "customer": customer.pk})
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["owner"]["id"] == agent.pk and case["status"] == "new"
    assert [c["metric"] for c in case["clocks"]] == ["resolution"] and case["clocks"][0]["due_at"]
    queue = client.get(URL, {"mine": True, "status": "open"}).json()
    assert [row["number"] for row in queue["items"]] == [case["number"]]


def test_workflow_errors_are_409_and_change_nothing(agent):
    client = client_for(agent)
    case = post_json(client, URL, {"subject": "咨询资费", "type": "consultation", "channel": "web"}).json()
    assert post_json(client, f"{URL}/{case['id']}/transition", {"status": "resolved"}).status_code == 200
    assert post_json(client, f"{URL}/{case['id']}/transition", {"status": "closed"}).status_code == 200
    assert_error_body(post_json(client, f"{URL}/{case['id']}/transition", {"status": "closed"}), 409)
    other = post_json(client, URL, {"subject": "重复", "type": "consultation", "channel": "web"}).json()
    first = post_json(client, URL, {"subject": "原单", "type": "consultation", "channel": "web"}).json()
    assert post_json(client, f"{URL}/{other['id']}/merge", {"into": first["id"]}).status_code == 200
    assert_error_body(post_json(client, f"{URL}/{other['id']}/messages", {"body": "还在吗"}), 409)
    assert Ticket.objects.get(pk=other["id"]).messages.count() == 0


def test_other_agents_read_but_cannot_change_a_case(agent):
    case = post_json(client_for(agent), URL, {"subject": "故障", "type": "fault", "channel": "hotline"}).json()
    stranger = client_for(UserFactory(role=Role.AGENT))
    assert stranger.get(f"{URL}/{case['id']}").status_code == 200
    assert_error_body(post_json(stranger, f"{URL}/{case['id']}/transition", {"status": "resolved"}), 403)
    assert Ticket.objects.get(pk=case["id"]).status == "new"


def test_sales_rep_sees_only_cases_of_their_customers(admin, agent):
    rep = UserFactory(role=Role.SALES_REP)
    mine, theirs = make_customer(rep, name="我的客户"), make_customer(admin, name="别人的客户")
    agent_client = client_for(agent)
    visible = post_json(agent_client, URL, {"subject": "a", "type": "query", "channel": "sms",
                                            "customer": mine.pk}).json()
    hidden = post_json(agent_client, URL, {"subject": "b", "type": "query", "channel": "sms",
                                           "customer": theirs.pk}).json()
    rep_client = client_for(rep)
    assert [row["id"] for row in rep_client.get(URL).json()["items"]] == [visible["id"]]
    assert rep_client.get(f"{URL}/{hidden['id']}").status_code == 404


def test_bad_case_input_is_422(agent):
    client = client_for(agent)
    assert_error_body(post_json(client, URL, {"subject": "x", "type": "nope", "channel": "hotline"}), 422, "type")
    assert_error_body(post_json(client, URL, {"subject": "x", "type": "fault", "channel": "hotline", "customer": 999}),
                      422, "customer")
    assert_error_body(post_json(client, URL, {"subject": "x", "type": "fault", "channel": "hotline", "priority": 9}),
                      422, "priority")
    assert Ticket.objects.count() == 0


def test_only_configurers_define_standards_and_bad_ones_are_refused(admin, agent):
    calendar = office_calendar(admin)
    body = {"code": "fr-vip", "name": "VIP 故障修复", "metric": "fault_repair", "customer_tier": "vip",
            "target_minutes": 240, "calendar": calendar.pk, "breach_actions": ["escalate"]}
    assert_error_body(post_json(client_for(agent), "/api/v1/service-standards", body), 403)
    assert not ServiceStandard.objects.exists()
    admin_client = client_for(admin)
    assert_error_body(post_json(admin_client, "/api/v1/service-standards", {**body, "target_minutes": 0}),
                      422, "target_minutes")
    assert_error_body(post_json(admin_client, "/api/v1/service-standards", {**body, "breach_actions": ["explode"]}),
                      422, "breach_actions")
    assert post_json(admin_client, "/api/v1/service-standards", body).status_code == 201


def test_calendar_api_refuses_overlaps_and_accepts_exceptions(admin):
    client = client_for(admin)
    bad = {"name": "坏日历", "periods": {"0": [[540, 720], [700, 1080]]}}
    assert_error_body(post_json(client, "/api/v1/calendars", bad), 422, "periods.0")
    assert not BusinessCalendar.objects.exists()
    good = post_json(client, "/api/v1/calendars", {"name": "呼叫中心", "periods": {str(d): [[480, 720], [780, 1200]]
                                                                           for d in range(7)}})
    assert good.status_code == 201, good.content
    calendar_id = good.json()["id"]
    response = client.put(f"/api/v1/calendars/{calendar_id}/exceptions",
                          data=json.dumps({"date": "2026-12-31", "periods": [], "note": "年终盘点"}),
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["exceptions"][0]["note"] == "年终盘点"


def test_complaint_workflow_through_the_api(agent):
    client = client_for(agent)
    case = post_json(client, URL, {"subject": "服务态度差", "type": "complaint", "channel": "hotline"}).json()
    assert post_json(client, f"{URL}/{case['id']}/complaint", {"severity": "normal"}).status_code == 201
    assert post_json(client, f"{URL}/{case['id']}/complaint/steps", {"stage": "recorded"}).status_code == 200
    assert_error_body(post_json(client, f"{URL}/{case['id']}/complaint/steps", {"stage": "verified"}), 409)
    assert_error_body(post_json(client, f"{URL}/{case['id']}/complaint/steps", {"stage": "classified"}), 422,
                      "classification")
    body = client.get(f"{URL}/{case['id']}/complaint").json()
    assert [s["stage"] for s in body["steps"]] == ["received", "recorded"]


def test_callback_after_repair_through_the_api(agent):
    client = client_for(agent)
    case = post_json(client, URL, {"subject": "路由器故障", "type": "fault", "channel": "hotline"}).json()
    post_json(client, f"{URL}/{case['id']}/transition", {"status": "resolved"})
    callbacks = client.get("/api/v1/callbacks", {"mine": True}).json()["items"]
    assert [c["ticket_id"] for c in callbacks] == [case["id"]]
    response = post_json(client, f"/api/v1/callbacks/{callbacks[0]['id']}",
                         {"outcome": "dissatisfied", "note": "没修好"})
    assert response.status_code == 200
    assert client.get(f"{URL}/{case['id']}").json()["status"] == "open"
    assert_error_body(post_json(client, f"/api/v1/callbacks/{callbacks[0]['id']}", {"outcome": "satisfied"}), 409)


def test_knowledge_search_and_suggestions_through_the_api(agent):
    lead = UserFactory(role=Role.TEAM_LEAD)
    client, lead_client = client_for(agent), client_for(lead)
    article = post_json(client, "/api/v1/knowledge/articles",
                        {"title": "光猫红灯", "body": "光纤断开，预约上门维修"}).json()
    post_json(client, f"/api/v1/knowledge/articles/{article['id']}/submit", {})
    assert_error_body(post_json(client, f"/api/v1/knowledge/articles/{article['id']}/review", {"approve": True}), 403)
    assert post_json(lead_client, f"/api/v1/knowledge/articles/{article['id']}/review", {"approve": True}).json()[
        "status"] == "published"
    found = client.get("/api/v1/knowledge/articles", {"q": "光猫亮红灯"}).json()["items"]
    assert [a["title"] for a in found] == ["光猫红灯"]
    case = post_json(client, URL, {"subject": "光猫红灯", "type": "fault", "channel": "hotline"}).json()
    assert [a["id"] for a in client.get(f"{URL}/{case['id']}/suggestions").json()] == [article["id"]]
    used = post_json(client, f"/api/v1/knowledge/articles/{article['id']}/use", {"ticket": case["id"]}).json()
    assert used["usage_count"] == 1


def test_attachments_are_checked_stored_and_served_only_to_readers(agent, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = client_for(agent)
    case = post_json(client, URL, {"subject": "发票寄错", "type": "query", "channel": "email"}).json()
    photo = SimpleUploadedFile("账单.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(f"{URL}/{case['id']}/attachments", {"body": "见附件", "file": photo})
    assert response.status_code == 201, response.content
    link = response.json()["attachment"]
    assert b"".join(client.get(link).streaming_content) == b"%PDF-1.4 test"
    rep = client_for(UserFactory(role=Role.SALES_REP))
    assert rep.get(link).status_code == 404
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(f"{URL}/{case['id']}/attachments", {"body": "exe", "file": script})
    assert_error_body(refused, 422, "attachment")
    assert Ticket.objects.get(pk=case["id"]).messages.count() == 1


def test_attachments_are_stored_under_random_names_and_never_served_by_a_media_url(agent, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from guanxi.core.testing_http import debug_urlconf
    from guanxi.servicedesk.models import TicketMessage

    settings.MEDIA_ROOT = tmp_path
    client = client_for(agent)
    case = post_json(client, URL, {"subject": "发票寄错", "type": "query", "channel": "email"}).json()
    photo = SimpleUploadedFile("王伟 身份证.pdf", b"%PDF-1.4 id card", content_type="application/pdf")
    response = client.post(f"{URL}/{case['id']}/attachments", {"body": "见附件", "file": photo})
    assert response.status_code == 201, response.content

    message = TicketMessage.objects.get(ticket_id=case["id"])
    stored = message.attachment.name
    assert "王伟" not in stored and "身份证" not in stored and stored.endswith(".pdf")
    assert [p.name for p in tmp_path.rglob("*.pdf")] == [stored.rsplit("/", 1)[-1]]

    with debug_urlconf():  # the default run mode had DEBUG on and served MEDIA_URL
        assert Client().get(f"/media/{stored}").status_code == 404
        assert client.get(f"/media/{stored}").status_code == 404
    download = client.get(response.json()["attachment"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert "%E7%8E%8B%E4%BC%9F" in download["Content-Disposition"]  # 王伟: the uploader's name, as data
