"""A revoked token stops working at once in every server process, not only in the one that revoked it."""

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.accounts.enums import Role
from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import api_token_authenticate, api_token_create, api_token_revoke

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _revoke_in_another_process(token: ApiToken) -> None:
    """What another worker's revocation leaves behind for this process: the row is revoked in the
    shared database; nothing this process holds in memory was told."""
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())


def test_a_token_revoked_by_another_worker_is_refused_on_the_next_request():
    user = UserFactory(role=Role.ADMIN)
    token, raw = api_token_create(user=user, name="integration")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200  # this worker has now seen the token

    _revoke_in_another_process(token)

    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_deactivated_user_s_token_is_refused_at_once():
    user = UserFactory(role=Role.ADMIN)
    _, raw = api_token_create(user=user, name="t")
    assert api_token_authenticate(raw=raw) == user
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert api_token_authenticate(raw=raw) is None


def test_revocation_by_the_owner_takes_effect_at_once():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="t")
    assert api_token_authenticate(raw=raw) == user
    api_token_revoke(user=user, token_id=token.pk)
    assert api_token_authenticate(raw=raw) is None


def test_last_use_is_recorded_without_a_write_per_request(django_assert_num_queries):
    user = UserFactory()
    token, raw = api_token_create(user=user, name="t")
    api_token_authenticate(raw=raw)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only: last use was just written
        assert api_token_authenticate(raw=raw) == user
