"""The portal's permission table as a matrix: every role × every write service. Staff on the service
side open the portal to customers; the customer acts on their own account and cases only; nothing
changes when a call is refused."""

import pytest

from guanxi.accounts.access import SYSTEM, customer_actor
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import assert_nobody_may, assert_refused, nobodies, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.portal.services import (
    portal_account_create,
    portal_password_set,
    portal_ticket_open,
    portal_ticket_reply,
)
from guanxi.servicedesk.models import Ticket, TicketMessage

from .factories import make_account

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
OPENERS = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN})


def state() -> dict:
    return rows_of("portal", models=(Ticket, TicketMessage))


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_portal_to_a_customer(admin, role):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    actor = UserFactory(role=role)
    if role in OPENERS:
        assert portal_account_create(actor=actor, customer=customer).created_by == actor
        return
    assert_refused(lambda: portal_account_create(actor=actor, customer=customer), state, PermissionDenied)


def test_the_system_opens_it_and_nobody_without_an_account(admin):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    assert_nobody_may(lambda nobody: portal_account_create(actor=nobody, customer=customer), state, PermissionDenied,
                      callers=nobodies(customer_actor(customer)))
    assert portal_account_create(actor=SYSTEM, customer=customer).created_by is None


CUSTOMER_SERVICES = {
    "portal_password_set": lambda actor, account, case: portal_password_set(
        actor=actor, account=account, password="Xin-mima-2026"),
    "portal_ticket_open": lambda actor, account, case: portal_ticket_open(
        actor=actor, account=account, subject="宽带断线", type="fault", description=""),
    "portal_ticket_reply": lambda actor, account, case: portal_ticket_reply(
        actor=actor, account=account, ticket_id=case.pk, body="还是不行"),
}


@pytest.mark.parametrize("service", list(CUSTOMER_SERVICES))
def test_a_customer_acts_on_their_own_account_only(admin, service):
    account = make_account(admin)
    stranger = make_account(admin, name="李雷", mobile="13900139000")
    case = portal_ticket_open(actor=customer_actor(account.customer), account=account, subject="咨询",
                              type="consultation", description="")
    call = CUSTOMER_SERVICES[service]
    assert_nobody_may(lambda someone_else: call(someone_else, account, case), state, PermissionDenied,
                      callers=(customer_actor(stranger.customer), None, UserFactory(role=Role.ADMIN)))
    call(customer_actor(account.customer), account, case)
