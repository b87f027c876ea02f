import re

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Holding
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.servicedesk.models import Ticket, TicketMessage
from guanxi.servicedesk.selectors.tickets import TicketFilter, ticket_queue
from guanxi.servicedesk.services.tickets import ticket_create, ticket_message_add, ticket_transition
from guanxi.warranty.tests.factories import make_sale

from .factories import PORTAL_PASSWORD, make_account

pytestmark = pytest.mark.django_db
LOGIN = "+8613800138000"


@pytest.fixture
def agent():
    return UserFactory(role="agent", username="agent_wang", display_name="坐席小王")


@pytest.fixture
def account(admin):
    return make_account(admin, name="李四")


@pytest.fixture
def other(admin):
    return make_account(admin, name="王五", mobile="13900139000")


def portal_login(client, login=LOGIN, password=PORTAL_PASSWORD):
    response = client.post(reverse("portal:login"), {"action": "password", "pw-login": login, "pw-password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def open_case(actor, customer, **data):
    return ticket_create(actor=actor, customer=customer,
                         data={"subject": "宽带断线", "type": "fault", "channel": "hotline", **data})


def test_pages_need_a_portal_sign_in(client):
    for name in ("portal:home", "portal:ticket_list", "portal:ticket_new", "portal:warranty", "portal:products"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))


def test_login_page_in_chinese_by_default_and_english_on_request(client):
    assert "一次性验证码" in client.get(reverse("portal:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/portal/login/"})
    assert "One-time code" in client.get(reverse("portal:login")).content.decode()


def test_password_sign_in_rotates_the_session_and_signs_out(client, account):
    client.get(reverse("portal:login"))
    before = client.session.session_key
    response = client.post(reverse("portal:login"), {"action": "password", "pw-login": "13800138000",
                                                      "pw-password": PORTAL_PASSWORD, "next": "/portal/cases/"})
    assert response.status_code == 302 and response["Location"] == "/portal/cases/"
    assert client.session.session_key != before
    assert "李四" in client.get(reverse("portal:home")).content.decode()
    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:home")).status_code == 302


def test_wrong_password_shows_one_message(client, account):
    response = client.post(reverse("portal:login"), {"action": "password", "pw-login": LOGIN, "pw-password": "x"})
    assert response.status_code == 200 and "gx-login-error" in response.content.decode()


def test_open_redirect_is_refused(client, account):
    response = client.post(reverse("portal:login"), {"action": "password", "pw-login": LOGIN,
                                                      "pw-password": PORTAL_PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:home")


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_code_request_answers_the_same_for_unknown_logins(client, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("portal:login"), {"action": "request_code", "req-login": LOGIN})
        unknown = client.post(reverse("portal:login"), {"action": "request_code", "req-login": "+8613912345678"})
    assert known.status_code == unknown.status_code == 200
    known_html = _without_tokens(known.content.decode()).replace(LOGIN, "LOGIN")
    unknown_html = _without_tokens(unknown.content.decode()).replace("+8613912345678", "LOGIN")
    assert known_html == unknown_html
    assert list(OutboundMessage.objects.values_list("recipient", flat=True)) == [LOGIN]


def test_code_sign_in_through_the_page(client, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:login"), {"action": "request_code", "req-login": "13800138000"})
    code = re.search(r"\d{6}", OutboundMessage.objects.get().body).group(0)
    response = client.post(reverse("portal:login"), {"action": "code", "otc-login": "13800138000", "otc-code": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_customer_sees_only_their_own_cases(client, account, other, agent):
    mine = open_case(agent, account.customer, subject="我的宽带")
    theirs = open_case(agent, other.customer, subject="别人的宽带")
    portal_login(client)
    listing = client.get(reverse("portal:ticket_list") + "?show=all").content.decode()
    assert "我的宽带" in listing and "别人的宽带" not in listing
    assert client.get(reverse("portal:ticket_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("portal:ticket_detail", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("portal:ticket_reply", args=[theirs.pk]), {"body": "我来插一句"})
    assert response.status_code == 404
    assert not TicketMessage.objects.filter(ticket=theirs).exists()
    assert Ticket.objects.get(pk=theirs.pk).updated_at == theirs.updated_at


def test_internal_notes_never_appear(client, account, agent):
    case = open_case(agent, account.customer)
    ticket_message_add(actor=agent, ticket=case, kind="note", body="内部备注：客户情绪激动")
    ticket_message_add(actor=agent, ticket=case, kind="reply", body="您好，师傅明天上门")
    portal_login(client)
    html = client.get(reverse("portal:ticket_detail", args=[case.pk])).content.decode()
    assert "您好，师傅明天上门" in html and "坐席小王" in html
    assert "内部备注" not in html and "agent_wang" not in html


def test_opening_a_case_creates_an_unowned_web_case_in_the_queue(client, account, agent):
    portal_login(client)
    response = client.post(reverse("portal:ticket_new"),
                           {"subject": "发票开错了", "type": "query", "description": "抬头应为个人"})
    case = Ticket.objects.get(subject="发票开错了")
    assert response.status_code == 302 and response["Location"] == reverse("portal:ticket_detail", args=[case.pk])
    assert case.customer == account.customer and case.channel == "web" and case.status == "new"
    assert case.owner is None and case.team is None and case.created_by is None
    assert case in ticket_queue(user=agent, filters=TicketFilter(statuses=("open",)))
    assert "抬头应为个人" in client.get(response["Location"]).content.decode()
    # The agents see it in their queue and can open it.
    staff = Client()
    staff.force_login(agent)
    assert case.number in staff.get(reverse("servicedesk:queue") + "?view=new").content.decode()
    assert staff.get(reverse("servicedesk:detail", args=[case.pk])).status_code == 200


def test_business_request_types_are_not_offered(client, account):
    portal_login(client)
    response = client.post(reverse("portal:ticket_new"), {"subject": "装宽带", "type": "installation",
                                                           "description": "x"})
    assert response.status_code == 200 and not Ticket.objects.exists()


def test_reply_resumes_a_case_pending_on_the_customer(client, account, agent):
    case = open_case(agent, account.customer)
    ticket_transition(actor=agent, ticket=case, status="pending_customer", reason="等客户提供地址")
    portal_login(client)
    response = client.post(reverse("portal:ticket_reply", args=[case.pk]), {"body": "地址是长安街1号"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "open"
    message = case.messages.get()
    assert message.kind == "customer" and message.author is None


def test_closed_case_takes_no_reply(client, account, agent):
    case = open_case(agent, account.customer, type="query")
    ticket_transition(actor=agent, ticket=case, status="resolved")
    ticket_transition(actor=agent, ticket=case, status="closed")
    portal_login(client)
    assert "gx-portal-reply" not in client.get(reverse("portal:ticket_detail", args=[case.pk])).content.decode()
    client.post(reverse("portal:ticket_reply", args=[case.pk]), {"body": "还有问题"})
    assert not case.messages.exists()


def test_staff_session_does_not_open_the_portal(client, agent):
    client.force_login(agent)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))


def test_portal_session_does_not_open_staff_pages(client, account):
    portal_login(client)
    for url in ("/", "/customers/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and "/portal/" not in response["Location"], url


def test_warranty_and_products_pages(client, admin, account, other):
    make_sale(admin, customer=account.customer, serial="SN-MINE")
    make_sale(admin, customer=other.customer, serial="SN-THEIRS")
    Holding.objects.create(customer=account.customer, product="宽带 200M", monthly_fee=99)
    Holding.objects.create(customer=account.customer, product="友商套餐", is_competitor=True)
    Holding.objects.create(customer=other.customer, product="别人的套餐")
    portal_login(client)
    html = client.get(reverse("portal:warranty")).content.decode()
    assert "SN-MINE" in html and "SN-THEIRS" not in html
    assert re.search(r'gx-part-end">\d{4}-\d{2}-\d{2}<', html)
    html = client.get(reverse("portal:products")).content.decode()
    assert "宽带 200M" in html and "友商套餐" not in html and "别人的套餐" not in html
    assert 'id="gx-orders"' in html
    assert client.get(reverse("portal:home")).status_code == 200


def test_password_change_ends_other_sessions(client, account):
    other_device = portal_login(Client())
    portal_login(client)
    response = client.post(reverse("portal:password"), {"password": "Xin-mima-2026", "password2": "Xin-mima-2026"})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200
    assert other_device.get(reverse("portal:home")).status_code == 302
