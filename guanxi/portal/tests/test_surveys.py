"""The portal lists the signed-in customer's open web surveys with the link the SMS carried; the
link answers once, then the survey leaves the list. Another customer's surveys never show."""

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.surveys.models import Survey
from guanxi.surveys.tests.factories import GOOD, closed_case, customer, published_version, service_team

from .factories import PORTAL_PASSWORD, make_account

pytestmark = pytest.mark.django_db


def _login(client, login):
    response = client.post(reverse("portal:login"), {"action": "password", "pw-login": login,
                                                      "pw-password": PORTAL_PASSWORD})
    assert response.status_code == 302
    return client


def test_the_portal_lists_open_surveys_with_their_link(admin, django_capture_on_commit_callbacks):
    published_version()
    _team, agent, _manager = service_team()
    account = make_account(admin, name="李四")
    with django_capture_on_commit_callbacks(execute=True):
        case = closed_case(agent, account.customer)
        closed_case(agent, customer("王五", mobile="13900139000"), "别人的工单")
    survey = Survey.objects.get(ticket=case)
    sms = OutboundMessage.objects.get(recipient=account.customer.mobile).body
    client = _login(Client(), account.customer.mobile)
    page = client.get(reverse("portal:home")).content.decode()
    link = "/s/" + sms.rsplit("/s/", 1)[1]
    assert "请评价我们的服务" in page and link in page and case.number in page and "别人的工单" not in page
    assert Client().post(link, {f"q{k}": v for k, v in GOOD.items()}).status_code == 200
    assert Survey.objects.get(pk=survey.pk).status == "answered"
    assert "gx-portal-surveys" not in client.get(reverse("portal:home")).content.decode()
