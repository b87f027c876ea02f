"""The public web form: no sign-in, CSRF-protected, spam (honeypot, too fast, forged or old token) and
floods (per-address rate limit) refused with a clear Chinese message, a thank-you page on success."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.marketing import spam
from guanxi.marketing.enums import LeadSource
from guanxi.marketing.models import Lead

from .factories import make_web_form

pytestmark = pytest.mark.django_db
URL = "/l/contact/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form():
    return make_web_form()


def _answer(**extra) -> dict:
    return {"person_name": "陈静", "mobile": "139 1234 5678", "email": "", "company_name": "", "city": "深圳",
            "interest": "想了解千兆宽带", "website": "", "token": spam.form_token("contact", now=time.time() - 10),
            **extra}


def test_a_visitor_leaves_a_lead_in_the_pool(web_form):
    client = Client(enforce_csrf_checks=True)
    page = client.get(URL)
    assert page.status_code == 200 and "官网咨询" in page.content.decode()
    data = _answer(csrfmiddlewaretoken=page.cookies["csrftoken"].value)
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == "/l/contact/thanks/"
    lead = Lead.objects.get()
    assert (lead.source, lead.web_form, lead.owner, lead.created_by) == (LeadSource.WEB_FORM, web_form, None, None)
    assert lead.mobile == "+8613912345678" and lead.source_detail == "官网咨询"
    assert "感谢" in client.get(response["Location"]).content.decode()


def test_the_forms_owner_gets_its_leads(web_form):
    web_form.owner = UserFactory(role=Role.SALES_REP)
    web_form.save()
    assert Client().post(URL, _answer()).status_code == 302
    assert Lead.objects.get().owner == web_form.owner


def test_without_the_csrf_token_nothing_is_stored(web_form):
    response = Client(enforce_csrf_checks=True).post(URL, _answer())
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_the_honeypot_looks_like_success_and_stores_nothing(web_form):
    response = Client().post(URL, _answer(website="http://spam.example"))
    assert response.status_code == 302
    assert not Lead.objects.exists()


@pytest.mark.parametrize(("token", "words"), [
    (lambda: spam.form_token("contact"), "太快"),
    (lambda: spam.form_token("other", now=time.time() - 10), "已过期"),
    (lambda: "forged", "已过期"),
    (lambda: spam.form_token("contact", now=time.time() - 2 * 86400), "已过期"),
])
def test_bad_tokens_are_refused_in_chinese(web_form, token, words):
    response = Client().post(URL, _answer(token=token()))
    assert response.status_code == 400 and words in response.content.decode()
    assert not Lead.objects.exists()


def test_missing_contact_and_bad_phone_are_explained(web_form):
    response = Client().post(URL, _answer(mobile=""))
    assert response.status_code == 400 and "手机" in response.content.decode()
    response = Client().post(URL, _answer(mobile="12345"))
    assert response.status_code == 400 and "不是有效的电话号码" in response.content.decode()
    assert not Lead.objects.exists()


def test_one_address_is_rate_limited(web_form):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(time.time(), tick=False):
        for n in range(spam.RATE_LIMIT):
            assert client.post(URL, _answer(mobile=f"1391234560{n}")).status_code == 302
        response = client.post(URL, _answer(mobile="13912345699"))
        assert response.status_code == 429 and "提交次数过多" in response.content.decode()
        assert Client(REMOTE_ADDR="203.0.113.10").post(URL, _answer(mobile="13912345698")).status_code == 302
    assert Lead.objects.count() == spam.RATE_LIMIT + 1


def test_an_unknown_or_closed_form_is_a_404(web_form):
    assert Client().get("/l/nope/").status_code == 404
    web_form.is_active = False
    web_form.save()
    assert Client().get(URL).status_code == 404
