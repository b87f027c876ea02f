import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.enums import ComplaintStage, TicketStatus
from guanxi.servicedesk.models import BusinessCalendar, Ticket, TicketAssignment, TicketMessage
from guanxi.servicedesk.services.sweep import clocks_sweep
from guanxi.servicedesk.services.tickets import ticket_create, ticket_message_add
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(kind="service")


@pytest.fixture
def agent(team):
    return UserFactory(role=Role.AGENT, team=team, display_name="坐席甲")


@pytest.fixture
def other_agent(team):
    return UserFactory(role=Role.AGENT, team=team, display_name="坐席乙")


def open_case(actor, customer=None, **data):
    data = {"subject": "宽带断线", "type": "fault", "channel": "hotline", **data}
    return ticket_create(actor=actor, customer=customer, data=data)


def login(client, user):
    client.force_login(user)
    return client


def test_pages_need_login(client):
    response = client.get(reverse("servicedesk:queue"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_queue_views_show_the_right_cases(client, agent, other_agent):
    mine = open_case(agent, subject="我的工单")
    teammate = open_case(other_agent, subject="同事的工单")
    outsider = open_case(UserFactory(role=Role.AGENT), subject="别组的工单")
    resolved = open_case(agent, subject="已解决工单")
    from guanxi.servicedesk.services.tickets import ticket_transition

    ticket_transition(actor=agent, ticket=resolved, status="resolved")
    login(client, agent)

    body = client.get(reverse("servicedesk:queue"), {"view": "mine"}).content.decode()
    assert mine.subject in body and teammate.subject not in body and resolved.subject not in body
    body = client.get(reverse("servicedesk:queue"), {"view": "team"}).content.decode()
    assert mine.subject in body and teammate.subject in body and outsider.subject not in body
    body = client.get(reverse("servicedesk:queue"), {"view": "all"}).content.decode()
    assert all(t.subject in body for t in (mine, teammate, outsider)) and resolved.subject not in body
    body = client.get(reverse("servicedesk:queue"), {"view": "breached"}).content.decode()
    assert mine.subject not in body
    # The last chosen view is remembered.
    client.get(reverse("servicedesk:queue"), {"view": "team"})
    body = client.get(reverse("servicedesk:queue")).content.decode()
    assert teammate.subject in body and 'nav-link active" id="gx-view-team"' in body
    with CaptureQueriesContext(connection) as queries:  # the choice is a cookie: the session is not written
        client.get(reverse("servicedesk:queue"), {"view": "all"})
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert client.cookies["gx_queue_view"].value == f"{agent.pk}:all"
    login(client, other_agent)  # a choice is the user's own: another agent on this browser starts at "mine"
    assert 'nav-link active" id="gx-view-mine"' in client.get(reverse("servicedesk:queue")).content.decode()
    login(client, agent)
    # Filters: status overrides the view's statuses; q finds by number.
    body = client.get(reverse("servicedesk:queue"), {"view": "mine", "status": "resolved"}).content.decode()
    assert resolved.subject in body and mine.subject not in body
    body = client.get(reverse("servicedesk:queue"), {"view": "all", "q": mine.number.lower()}).content.decode()
    assert mine.subject in body and teammate.subject not in body
    assert client.get(reverse("servicedesk:queue"), {"ordering": "password"}).status_code == 200


def test_breached_view_and_overdue_colour(client, admin, agent):
    calendar = office_calendar(admin)
    make_standard(admin, calendar, metric="resolution", target_minutes=60)
    late = open_case(agent, subject="超时工单")
    on_time = open_case(agent, subject="正常工单")
    late.clocks.update(due_at=timezone.now() - timezone.timedelta(minutes=5))
    clocks_sweep(actor=SYSTEM)
    body = login(client, agent).get(reverse("servicedesk:queue"), {"view": "breached"}).content.decode()
    assert late.subject in body and on_time.subject not in body and "gx-due-breached" in body


def test_htmx_partial_returns_the_table_only(client, agent):
    open_case(agent, subject="局部刷新")
    response = login(client, agent).get(reverse("servicedesk:queue"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="ticket-table"') and "<html" not in body and "局部刷新" in body
    assert 'hx-trigger="every 30s"' in body


def test_new_case_form_with_a_customer_and_inline_errors(client, admin, agent):
    customer = make_customer(admin, name="王五", mobile="13800138000")
    login(client, agent)
    page = client.get(reverse("servicedesk:create"), {"customer": customer.pk}).content.decode()
    assert "王五" in page and "138****8000" in page and "13800138000" not in page
    response = client.post(reverse("servicedesk:create"), {"customer": customer.pk, "subject": "",
                                                           "type": "fault", "channel": "hotline", "priority": 2})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Ticket.objects.exists()
    response = client.post(reverse("servicedesk:create"), {"customer": customer.pk, "subject": "无法上网",
                                                           "type": "fault", "channel": "hotline", "priority": 3})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("servicedesk:detail", args=[ticket.pk])
    assert ticket.customer == customer and ticket.owner == agent and ticket.priority == 3
    results = client.get(reverse("servicedesk:customer_search"), {"customer_q": "王五"}).content.decode()
    assert "王五" in results and "13800138000" not in results


def test_detail_shows_clocks_and_masked_customer(client, admin, agent):
    calendar = office_calendar(admin)
    make_standard(admin, calendar, metric="first_response", target_minutes=30)
    make_standard(admin, calendar, metric="resolution", target_minutes=480)
    customer = make_customer(admin, name="赵六", mobile="13900139000")
    ticket = open_case(agent, customer=customer)
    body = login(client, agent).get(reverse("servicedesk:detail", args=[ticket.pk])).content.decode()
    assert ticket.number in body and "赵六" in body and "139****9000" in body and "13900139000" not in body
    assert 'data-metric="first_response"' in body and 'data-metric="resolution"' in body
    assert "progress-bar" in body and "首次响应" in body
    # Allowed moves only: a new case can be resolved, not closed.
    assert 'id="gx-to-resolved"' in body and 'id="gx-to-closed"' not in body


def test_reply_transition_and_assign_through_the_pages(client, agent, other_agent):
    ticket = open_case(agent)
    login(client, agent)
    url = reverse("servicedesk:detail", args=[ticket.pk])
    response = client.post(reverse("servicedesk:add_message", args=[ticket.pk]),
                           {"msg-kind": "reply", "msg-body": "您好，正在处理。"})
    assert response.status_code == 302 and response["Location"].startswith(url)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.messages.get().kind == TicketMessage.Kind.REPLY
    response = client.post(reverse("servicedesk:add_message", args=[ticket.pk]), {"msg-kind": "note", "msg-body": ""})
    assert response.status_code == 422 and ticket.messages.count() == 1

    response = client.post(reverse("servicedesk:transition", args=[ticket.pk]), {"pend-status": "pending_customer"})
    assert response.status_code == 422  # a reason is required
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    client.post(reverse("servicedesk:transition", args=[ticket.pk]),
                {"pend-status": "pending_customer", "pend-reason": "等待客户提供地址"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING_CUSTOMER and ticket.pauses.get().reason == "等待客户提供地址"
    body = client.get(url).content.decode()
    assert "等待客户提供地址" in body

    client.post(reverse("servicedesk:assign", args=[ticket.pk]),
                {"asg-assignee": other_agent.pk, "asg-note": "请上门检修"})
    assignment = TicketAssignment.objects.get(ticket=ticket)
    assert assignment.assignee == other_agent and assignment.handover_note == "请上门检修"
    client.post(reverse("servicedesk:transition", args=[ticket.pk]), {"tr-status": "resolved"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert "已解决" in client.get(url).content.decode()


def test_invalid_transition_shows_an_error_and_changes_nothing(client, agent):
    ticket = open_case(agent)
    login(client, agent)
    before = ticket.history.count()
    response = client.post(reverse("servicedesk:transition", args=[ticket.pk]), {"tr-status": "closed"}, follow=True)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and ticket.history.count() == before


def test_agent_who_is_not_the_owner_gets_403_and_nothing_changes(client, agent):
    ticket = open_case(agent)
    stranger = UserFactory(role=Role.AGENT)
    login(client, stranger)
    assert client.get(reverse("servicedesk:detail", args=[ticket.pk])).status_code == 200  # reading is fine
    body = client.get(reverse("servicedesk:detail", args=[ticket.pk])).content.decode()
    assert 'id="gx-message-form"' not in body and 'id="gx-to-resolved"' not in body
    for name, data in (("add_message", {"msg-kind": "reply", "msg-body": "越权回复"}),
                       ("transition", {"tr-status": "resolved"}),
                       ("assign", {"asg-assignee": stranger.pk})):
        assert client.post(reverse(f"servicedesk:{name}", args=[ticket.pk]), data).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and not ticket.messages.exists() and not ticket.assignments.exists()


def test_sales_rep_cannot_open_another_reps_customers_case(client, admin, agent):
    rep, other_rep = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    theirs = make_customer(admin, name="别人的客户", owner=other_rep)
    ours = make_customer(admin, name="自己的客户", owner=rep)
    hidden = open_case(agent, customer=theirs, subject="看不到")
    visible = open_case(agent, customer=ours, subject="看得到")
    login(client, rep)
    assert client.get(reverse("servicedesk:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("servicedesk:detail", args=[visible.pk])).status_code == 200
    body = client.get(reverse("servicedesk:queue"), {"view": "all"}).content.decode()
    assert "看得到" in body and "看不到" not in body


def test_merge_through_the_page(client, agent):
    source, target = open_case(agent, subject="重复"), open_case(agent, subject="原单")
    login(client, agent)
    response = client.post(reverse("servicedesk:merge", args=[source.pk]), {"mrg-target": "T000"})
    assert response.status_code == 422 and "invalid-feedback" in response.content.decode()
    client.post(reverse("servicedesk:merge", args=[source.pk]), {"mrg-target": target.number})
    source.refresh_from_db()
    assert source.status == TicketStatus.MERGED and source.merged_into == target


def test_complaint_workflow_through_the_page(client, admin, agent):
    department = TeamFactory(name="网络部")
    ticket = open_case(agent, customer=make_customer(admin, name="投诉人"), type="complaint", subject="服务态度差")
    login(client, agent)
    client.post(reverse("servicedesk:complaint_open", args=[ticket.pk]), {"cpo-severity": "normal"})
    step = reverse("servicedesk:complaint_advance", args=[ticket.pk])
    client.post(step, {"cps-stage": "recorded"})
    response = client.post(step, {"cps-stage": "classified"})
    assert response.status_code == 422  # a classification is needed
    client.post(step, {"cps-stage": "classified", "cps-classification": "服务态度"})
    # A step out of order is refused and changes nothing.
    response = client.post(step, {"cps-stage": "replied"}, follow=True)
    assert "alert-danger" in response.content.decode()
    ticket.complaint.refresh_from_db()
    assert ticket.complaint.stage == ComplaintStage.CLASSIFIED
    client.post(step, {"cps-stage": "assessed"})
    client.post(step, {"cps-stage": "forwarded", "cps-responsible_team": department.pk})
    body = client.get(reverse("servicedesk:detail", args=[ticket.pk])).content.decode()
    assert "服务态度" in body and "网络部" in body
    assert body.count('border-primary gx-step"') == 5


def test_callbacks_list_and_record(client, admin, agent):
    ticket = open_case(agent, customer=make_customer(admin, name="回访客户"))
    from guanxi.servicedesk.services.tickets import ticket_transition

    ticket_transition(actor=agent, ticket=ticket, status="resolved")
    callback = ticket.callbacks.get()
    login(client, agent)
    body = client.get(reverse("servicedesk:callbacks")).content.decode()
    assert ticket.number in body and f'data-callback="{callback.pk}"' in body
    client.post(reverse("servicedesk:callback_record", args=[callback.pk]),
                {f"cb{callback.pk}-outcome": "satisfied", f"cb{callback.pk}-note": "满意"})
    callback.refresh_from_db()
    assert callback.outcome == "satisfied" and callback.done_by == agent
    assert f'data-callback="{callback.pk}"' not in client.get(reverse("servicedesk:callbacks")).content.decode()


def test_home_panel_and_navigation(client, agent):
    open_case(agent)
    body = login(client, agent).get(reverse("core:home")).content.decode()
    assert 'id="gx-my-open-cases">1<' in body and "gx-cases-by-status" in body
    assert reverse("servicedesk:queue") in body and reverse("servicedesk:callbacks") in body


def _calendar_post(periods):
    data = {"name": "客服日历", "timezone": "Asia/Shanghai", "holiday_region": "CN", "makeup_template": 0,
            "periods-TOTAL_FORMS": len(periods), "periods-INITIAL_FORMS": 0, "periods-MIN_NUM_FORMS": 0,
            "periods-MAX_NUM_FORMS": 1000, "exceptions-TOTAL_FORMS": 0, "exceptions-INITIAL_FORMS": 0,
            "exceptions-MIN_NUM_FORMS": 0, "exceptions-MAX_NUM_FORMS": 1000}
    for i, (weekday, start, end) in enumerate(periods):
        data.update({f"periods-{i}-weekday": weekday, f"periods-{i}-start_minute": start,
                     f"periods-{i}-end_minute": end})
    return data


def test_admin_calendar_form_refuses_overlapping_periods(client):
    superuser = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    login(client, superuser)
    url = reverse("admin:servicedesk_businesscalendar_add")
    response = client.post(url, _calendar_post([(0, 540, 720), (0, 700, 1080)]))
    assert response.status_code == 200 and not BusinessCalendar.objects.exists()
    assert "errorlist" in response.content.decode()
    response = client.post(url, _calendar_post([(0, 540, 720), (0, 810, 1080)]))
    assert response.status_code == 302
    assert BusinessCalendar.objects.get().periods.count() == 2


def test_admin_standard_form_refuses_a_zero_target(client):
    superuser = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    calendar = office_calendar(superuser)
    login(client, superuser)
    data = {"code": "zero", "name": "零", "metric": "resolution", "ticket_type": "", "priority": "",
            "customer_tier": "", "target_minutes": 0, "calendar": calendar.pk, "warning_percent": 80,
            "breach_actions": "[]", "is_active": "on"}
    response = client.post(reverse("admin:servicedesk_servicestandard_add"), data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    from guanxi.servicedesk.models import ServiceStandard

    assert not ServiceStandard.objects.exists()


def test_reply_with_an_attachment_on_the_case_page(client, agent, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = open_case(agent, subject="附件工单")
    login(client, agent)
    upload = SimpleUploadedFile("现场照片.png", b"\x89PNG fake", content_type="image/png")
    response = client.post(reverse("servicedesk:add_message", args=[case.pk]),
                           {"msg-kind": "reply", "msg-body": "已上传照片", "msg-attachment": upload})
    assert response.status_code == 302
    page = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert "gx-attachment" in page and "现场照片" in page
    message = case.messages.get()
    assert b"".join(client.get(reverse("servicedesk:attachment", args=[message.pk])).streaming_content) == \
        b"\x89PNG fake"


def test_queue_by_due_time_puts_the_most_overdue_case_first_and_marks_overdue_rows(client, admin, agent):
    calendar = office_calendar(admin)
    make_standard(admin, calendar, metric="resolution", target_minutes=60)
    make_standard(admin, calendar, metric="first_response", target_minutes=30, ticket_type="complaint")
    now = timezone.now()
    minutes = timezone.timedelta(minutes=1)
    cases = {}
    for subject, due in (("一小时后到期", 60), ("超时三小时", -180), ("超时十分钟", -10)):
        case = cases[subject] = open_case(agent, subject=subject)
        case.clocks.update(due_at=now + due * minutes)
        Ticket.objects.filter(pk=case.pk).update(next_due_at=now + due * minutes)
    # answered a day late: its first-response clock stopped breached, its resolution clock runs on
    late = cases["首次响应超时一天"] = open_case(agent, subject="首次响应超时一天", type="complaint")
    late.clocks.filter(metric="first_response").update(due_at=now - 24 * 60 * minutes)
    late.clocks.filter(metric="resolution").update(due_at=now + 120 * minutes)
    clocks_sweep(actor=SYSTEM)
    ticket_message_add(actor=agent, ticket=late, kind="reply", body="您好，已为您处理")
    for ordering in ("next_due_at", ""):
        body = login(client, agent).get(reverse("servicedesk:queue"), {"view": "mine", "ordering": ordering})
        text = body.content.decode()
        order = sorted(cases, key=lambda s: text.index(s))
        assert order == ["首次响应超时一天", "超时三小时", "超时十分钟", "一小时后到期"]
    assert text.count("gx-overdue-badge") == 3
    for duration in ("1\xa0日", "3\xa0小时", "10\xa0分钟"):
        assert f"已超时 {duration}" in text
