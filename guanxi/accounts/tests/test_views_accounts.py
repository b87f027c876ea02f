import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import api_token_authenticate, api_token_create

from .factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "登录" in body and "用户名" in body


def test_login_page_in_english_on_request(client):
    body = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in body and "Username" in body


def test_a_page_reads_the_signed_in_user_with_their_team(client):
    agent = UserFactory(role=Role.AGENT, team=TeamFactory(name="售后一组"))
    client.post(reverse("accounts:login"), {"username": agent.username, "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("customers:list")).content.decode()
    assert "售后一组" in body  # the header's user menu
    assert not [q for q in queries.captured_queries if 'WHERE "accounts_team"."id" =' in q["sql"]]


def test_login_and_logout(client):
    user = UserFactory(role=Role.AGENT)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert home.status_code == 200 and "坐席" in home.content.decode()
    assert client.get(reverse("accounts:logout")).status_code == 405  # logout is POST only
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_lockout_after_five_failed_attempts(client):
    user = UserFactory(role=Role.AGENT)
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302  # still signed out


def test_four_failures_do_not_lock(client):
    user = UserFactory(role=Role.AGENT)
    for _ in range(4):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_profile_shows_user_role_and_team(client):
    user = UserFactory(role=Role.SALES_REP, display_name="李雷")
    client.force_login(user)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert "李雷" in body and "销售代表" in body and user.team.name in body


def test_create_token_shows_raw_value_once(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"name": "报表脚本", "expires_in_days": "30"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile"))
    raw = page.context["new_token"]["raw"]
    assert raw in page.content.decode()
    assert api_token_authenticate(raw=raw) == user
    again = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in again and "报表脚本" in again


def test_revoke_own_token(client):
    user = UserFactory()
    token, raw = api_token_create(user=user, name="t")
    client.force_login(user)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 302
    assert api_token_authenticate(raw=raw) is None


def test_cannot_revoke_someone_elses_token(client):
    owner = UserFactory()
    token, raw = api_token_create(user=owner, name="t")
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert api_token_authenticate(raw=raw) == owner


def test_admin_link_only_for_administrators(client):
    client.force_login(UserFactory(role=Role.AGENT))
    assert reverse("admin:index") not in client.get(reverse("core:home")).content.decode()
    client.force_login(UserFactory(role=Role.ADMIN))
    assert reverse("admin:index") in client.get(reverse("core:home")).content.decode()


def test_language_switch(client):
    client.force_login(UserFactory())
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("core:home")})
    assert response.status_code == 302
    assert "Welcome" in client.get(reverse("core:home")).content.decode()
