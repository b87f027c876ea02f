"""Promise pages: the case page's promises and its form, the list, the "promises kept" report."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.models import Commitment
from guanxi.servicedesk.services.commitments import commitment_create, commitments_sweep
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.servicedesk.tests.factories import office_calendar

pytestmark = pytest.mark.django_db
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
    return UserFactory(role=Role.AGENT, team=team, display_name="坐席甲")


@pytest.fixture
def case(agent):
    customer = make_customer(UserFactory(role=Role.ADMIN), name="张三")
    return ticket_create(actor=agent, customer=customer, data={"subject": "宽带断线", "type": "fault",
                                                                "channel": "hotline"})


def test_the_case_page_records_a_promise_in_working_hours_and_shows_it(client, agent, case):
    office_calendar(UserFactory(role=Role.ADMIN))
    client.force_login(agent)
    page = client.get(reverse("servicedesk:detail", args=[case.pk]))
    assert page.status_code == 200 and 'id="gx-commitment-form"' in page.content.decode()
    response = client.post(reverse("servicedesk:commitment_create", args=[case.pk]), {
        "cmt-kind": "visit", "cmt-description": "节后派师傅上门", "cmt-within_working_hours": "4"})
    assert response.status_code == 302 and response["Location"].endswith("#commitments")
    commitment = Commitment.objects.get()
    assert commitment.due_at == dt.datetime(2026, 10, 8, 12, tzinfo=SHANGHAI)
    html = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert "节后派师傅上门" in html and "上门" in html and "2026" in html


def test_an_invalid_promise_form_shows_the_error_in_chinese_and_writes_nothing(client, agent, case):
    client.force_login(agent)
    response = client.post(reverse("servicedesk:commitment_create", args=[case.pk]), {
        "cmt-kind": "callback", "cmt-description": "回电"})
    assert response.status_code == 422
    assert "请填写兑现期限或工作小时数（二选一）。" in response.content.decode()
    assert not Commitment.objects.exists()


def test_the_promise_section_speaks_english_on_request(client, agent, case):
    commitment_create(actor=agent, kind="refund", description="refund", ticket=case,
                      due_at_value=NOW + dt.timedelta(hours=2))
    client.force_login(agent)
    html = client.get(reverse("servicedesk:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Promises to the customer" in html and "Refund" in html and "对客户的承诺" not in html
    html = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert "对客户的承诺" in html and "退款" in html and "待兑现" in html


def test_promises_are_kept_and_withdrawn_from_the_case_page_only_by_those_allowed(client, agent, case):
    first = commitment_create(actor=agent, kind="callback", description="回电", ticket=case,
                              due_at_value=NOW + dt.timedelta(hours=2))
    second = commitment_create(actor=agent, kind="refund", description="退款", ticket=case,
                               due_at_value=NOW + dt.timedelta(days=2))
    stranger = UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))
    client.force_login(stranger)
    page = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert "gx-commitment-close" not in page and 'id="gx-commitment-form"' not in page
    refused = client.post(reverse("servicedesk:commitment_close", args=[first.pk]), {f"cc{first.pk}-action": "keep"})
    assert refused.status_code == 403 and Commitment.objects.get(pk=first.pk).status == "open"

    client.force_login(agent)
    url = reverse("servicedesk:commitment_close", args=[first.pk])
    assert client.post(url, {f"cc{first.pk}-action": "keep"}).status_code == 302
    url = reverse("servicedesk:commitment_close", args=[second.pk])
    client.post(url, {f"cc{second.pk}-action": "withdraw", f"cc{second.pk}-reason": ""})
    assert Commitment.objects.get(pk=second.pk).status == "open"  # a reason is required
    client.post(url, {f"cc{second.pk}-action": "withdraw", f"cc{second.pk}-reason": "客户取消退款"})
    assert [c.status for c in Commitment.objects.order_by("id")] == ["kept", "withdrawn"]
    html = client.get(reverse("servicedesk:detail", args=[case.pk])).content.decode()
    assert "已兑现" in html and "已撤回" in html and "客户取消退款" in html


def test_the_list_shows_my_follow_ups(client, agent, case, team, _clock):
    lead = UserFactory(role=Role.TEAM_LEAD, team=team, display_name="组长")
    commitment_create(actor=agent, kind="callback", description="今晚回电", ticket=case,
                      due_at_value=NOW + dt.timedelta(hours=1))
    _clock.shift(dt.timedelta(hours=2))
    commitments_sweep(actor=SYSTEM)
    client.force_login(lead)
    html = client.get(reverse("servicedesk:commitments"), {"view": "follow_up"}).content.decode()
    assert "今晚回电" in html and "未兑现" in html
    client.force_login(agent)
    html = client.get(reverse("servicedesk:commitments"), {"view": "follow_up"}).content.decode()
    assert "今晚回电" not in html


def test_the_report_page_charts_the_kept_rate_from_a_json_block(client, agent, case, _clock):
    commitment_create(actor=agent, kind="callback", description="回电", ticket=case,
                      due_at_value=NOW + dt.timedelta(hours=1))
    _clock.shift(dt.timedelta(hours=2))
    commitments_sweep(actor=SYSTEM)
    client.force_login(agent)
    assert client.get(reverse("servicedesk:commitment_report")).status_code == 403
    client.force_login(UserFactory(role=Role.SERVICE_MANAGER))
    response = client.get(reverse("servicedesk:commitment_report"), {"since": "2026-09-01", "until": "2026-09-30"})
    html = response.content.decode()
    assert response.status_code == 200 and "承诺兑现" in html and "js/commitments.js" in html
    data = json.loads(re.search(r'<script id="gx-kept-data" type="application/json">(.*?)</script>', html).group(1))
    assert data == {"categories": ["一线"], "series": [{"name": "回电", "data": [0.0]}]}
    # Only the json_script block and the two static files: no inline code.
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
