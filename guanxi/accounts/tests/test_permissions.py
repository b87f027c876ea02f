"""The accounts permission table as a matrix: every role × every write service. Administrators (and
the system) create users and teams; every active member of staff keeps their own API tokens."""

import pytest

from guanxi.accounts.access import SYSTEM, CustomerActor
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import api_token_create, api_token_revoke, team_create, user_create
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_service, nobodies, rows_of

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
PASSWORD = "Guanxi-test-2026"


def state() -> dict:
    return rows_of("accounts")


SERVICES = {
    "team_create": lambda actor: team_create(actor=actor, name="新部门", kind=TeamKind.SERVICE),
    "user_create": lambda actor: user_create(actor=actor, username="new_agent", password=PASSWORD, role=Role.AGENT),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_only_administrators_create_users_and_teams(role, service):
    actor = UserFactory(role=role)
    check_service(lambda: SERVICES[service](actor), allowed=role == Role.ADMIN, state=state, errors=PermissionDenied)


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_creates_them_and_nobody_without_an_account(service):
    assert_nobody_may(SERVICES[service], state, PermissionDenied, callers=nobodies(CustomerActor(customer_id=1)))
    SERVICES[service](SYSTEM)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_keeps_its_own_tokens_only(role):
    user, other = UserFactory(role=role), UserFactory(role=role)
    token, _ = api_token_create(user=user, name="mine")
    theirs, _ = api_token_create(user=other, name="theirs")
    with pytest.raises(NotFound):
        api_token_revoke(user=user, token_id=theirs.pk)
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert api_token_revoke(user=user, token_id=token.pk).revoked_at is not None


def test_inactive_users_get_no_tokens():
    gone = UserFactory(is_active=False)
    with pytest.raises(PermissionDenied):
        api_token_create(user=gone, name="late")
    assert not ApiToken.objects.filter(user=gone).exists()
