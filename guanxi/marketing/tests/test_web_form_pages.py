"""The web forms' pages: managers list the public lead forms with their public address (and a copy
button), create and edit them (fields, target campaign, thank-you text, active flag); the form's leads
go to its campaign and the visitor sees its thank-you text. Other roles get 403 and change nothing."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import rows_of
from guanxi.marketing import spam
from guanxi.marketing.models import Lead, WebForm

from .campaign_factories import make_campaign
from .factories import make_web_form

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _client(role) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def _data(**extra) -> dict:
    return {"title": "5G 套餐预约", "slug": "5g", "intro": "免费上门测速", "interest_label": "您想办理的套餐",
            "thanks_text": "谢谢！客户经理会在今天内致电。", "is_active": "on", **extra}


def test_a_manager_creates_lists_and_edits_a_form_whose_leads_go_to_its_campaign():
    client = _client(Role.SALES_MANAGER)
    campaign = make_campaign(name="春季宽带升级")
    assert client.post("/marketing/web-forms/new/", _data(campaign=campaign.pk)).status_code == 302
    form = WebForm.objects.get(slug="5g")
    assert (form.campaign, form.thanks_text, form.is_active) == (campaign, "谢谢！客户经理会在今天内致电。", True)
    listed = client.get("/marketing/web-forms/", **ZH).content.decode()
    assert "http://testserver/l/5g/" in listed and 'data-gx-copy="#gx-url-' in listed
    answer = {"person_name": "陈静", "mobile": "139 1234 5678", "email": "", "company_name": "", "city": "深圳",
              "interest": "千兆", "website": "", "token": spam.form_token("5g", now=time.time() - 10)}
    sent = Client().post("/l/5g/", answer)
    assert sent.status_code == 302 and Lead.objects.get().campaign == campaign
    assert "客户经理会在今天内致电" in Client().get(sent["Location"]).content.decode()
    edited = client.post(f"/marketing/web-forms/{form.pk}/", _data(slug="5g-plan", title="5G 预约", is_active=""))
    assert edited.status_code == 302
    form.refresh_from_db()
    assert (form.slug, form.title, form.is_active) == ("5g-plan", "5G 预约", False)
    assert form.history.count() == 2
    assert Client().get("/l/5g-plan/").status_code == 404


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written():
    make_web_form(slug="contact")
    client = _client(Role.SALES_MANAGER)
    before = rows_of("marketing")
    for data, field in ((_data(slug="contact"), "slug"), (_data(slug="大写 Bad"), "slug"),
                        (_data(owner=UserFactory(role=Role.AGENT).pk), "owner")):
        response = client.post("/marketing/web-forms/new/", data, **ZH)
        assert response.status_code == 400 and field in response.context["form"].errors
    assert rows_of("marketing") == before


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.ANALYST, Role.AGENT])
def test_other_roles_get_403_and_change_nothing(role):
    form = make_web_form(slug="contact")
    client = _client(role)
    before = rows_of("marketing")
    assert client.get("/marketing/web-forms/").status_code == 403
    assert client.post("/marketing/web-forms/new/", _data()).status_code == 403
    assert client.post(f"/marketing/web-forms/{form.pk}/", _data(slug="contact")).status_code == 403
    assert rows_of("marketing") == before
    assert 'href="/marketing/web-forms/"' not in client.get("/").content.decode()
