import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)


def test_an_expired_token_is_401_saying_so_in_chinese_and_english():
    user = UserFactory(role=Role.AGENT)
    with time_machine.travel(START, tick=False):
        _, raw = api_token_create(user=user, name="脚本", expires_at=START + dt.timedelta(days=1))
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel(START + dt.timedelta(days=1, seconds=1), tick=False):
        refused = client.get("/api/v1/me")
        english = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 401 and refused.json()["code"] == "token_expired"
    assert "过期" in refused.json()["message"]
    assert english.status_code == 401 and "expired" in english.json()["message"]
    wrong = Client(HTTP_AUTHORIZATION="Bearer gx_not-a-token").get("/api/v1/me")
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthenticated"


def test_no_token_outlives_the_maximum_age(settings):
    user = UserFactory(role=Role.AGENT)
    settings.API_TOKEN_MAX_DAYS = 30
    with time_machine.travel(START, tick=False):
        forever, _ = api_token_create(user=user, name="a")
        long, _ = api_token_create(user=user, name="b", expires_at=START + dt.timedelta(days=400))
        short, _ = api_token_create(user=user, name="c", expires_at=START + dt.timedelta(days=3))
    assert forever.expires_at == long.expires_at == START + dt.timedelta(days=30)
    assert short.expires_at == START + dt.timedelta(days=3)
    settings.API_TOKEN_MAX_DAYS = 0
    assert api_token_create(user=user, name="d")[0].expires_at is None


def test_a_session_idle_past_the_timeout_is_signed_out(settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    user = UserFactory(role=Role.AGENT)
    client = Client()
    with time_machine.travel(START, tick=False):
        client.force_login(user)
        assert client.get("/accounts/profile/").status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=25), tick=False):  # active: the clock restarts
        assert client.get("/accounts/profile/").status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=50), tick=False):
        assert client.get("/accounts/profile/").status_code == 200
    with time_machine.travel(START + dt.timedelta(minutes=81), tick=False):
        response = client.get("/accounts/profile/")
    assert response.status_code == 302 and "/login" in response["Location"]

