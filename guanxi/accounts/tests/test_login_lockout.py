"""One address guessing passwords for many usernames is locked out, not only one username at a time."""

import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ATTACKER = "203.0.113.7"


def _login(client, username, password, address=ATTACKER):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_an_address_that_fails_for_many_usernames_is_locked(client, settings):
    settings.AXES_IP_FAILURE_LIMIT = 20
    users = [UserFactory(role=Role.AGENT) for _ in range(6)]
    for user in users:  # four tries each: below the per-username limit of five, 24 in all
        for _ in range(4):
            assert _login(client, user.username, "wrong").status_code == 200

    refused = _login(client, users[-1].username, PASSWORD)

    assert refused.status_code == 429
    assert client.get(reverse("core:home")).status_code == 302  # still signed out
    # The same user from another address is not locked: the lock is the address's.
    assert _login(client, users[-1].username, PASSWORD, address="198.51.100.2").status_code == 302


def test_failures_below_the_address_limit_do_not_lock_it(client, settings):
    settings.AXES_IP_FAILURE_LIMIT = 20
    users = [UserFactory(role=Role.AGENT) for _ in range(5)]
    for user in users[:4]:
        for _ in range(4):
            _login(client, user.username, "wrong")
    assert _login(client, users[-1].username, PASSWORD).status_code == 302
