"""The orders permission table as a matrix: every role × every write service and endpoint, and the
scoped reads. The world: a confirmed order, a payment and a contract of a customer, all owned by a
representative of another sales team than the actor's (a fresh user of the role under test in a sales
team of their own). So OWN- and TEAM-scoped roles are refused on them, and the table decides the rest."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, client_for, rows_of
from guanxi.customers.models import Transaction
from guanxi.customers.tests.factories import make_customer
from guanxi.orders import selectors, services

from .factories import DAY, order, pay, world

pytestmark = pytest.mark.django_db
ROLES = tuple(Role.values)
READ_ALL = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ANALYST, Role.ADMIN})
RECEIVABLES_ALL = frozenset({Role.ANALYST, Role.ADMIN})
WRITERS = frozenset({Role.ADMIN})


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


def state() -> dict:
    return {**rows_of("orders"), **rows_of(models=[Transaction])}


@pytest.fixture
def w(db):
    made = world()
    made["order"] = order(made["rep"], made["customer"], made["product"])
    made["draft"] = order(made["rep"], made["customer"], made["product"], confirm=False)
    made["payment"] = pay(made["rep"], made["customer"], 500, orders=[(made["order"], 500)])
    made["contract"] = services.contract_create(actor=made["rep"], customer=made["customer"], title="年度合同",
                                                amount="1000", starts_on=DAY, ends_on=dt.date(2027, 3, 1))
    return made


def actor_of(role: str):
    return UserFactory(role=role, team=TeamFactory(kind=TeamKind.SALES))


SERVICES = {
    "order_create": lambda a, w: services.order_create(actor=a, customer=w["customer"], order_date=DAY, owner=w["rep"],
                                                       lines=[{"product": w["product"], "quantity": 1}]),
    "order_confirm": lambda a, w: services.order_confirm(actor=a, order=w["draft"]),
    "order_cancel": lambda a, w: services.order_cancel(actor=a, order=w["draft"], reason="取消"),
    "payment_record": lambda a, w: services.payment_record(actor=a, customer=w["customer"], amount="100",
                                                           received_on=DAY, owner=w["rep"],
                                                           allocations=[{"order": w["order"], "amount": "100"}]),
    "refund_record": lambda a, w: services.refund_record(actor=a, payment=w["payment"], amount="10",
                                                         refunded_on=DAY, reason="退款", order=w["order"]),
    "contract_create": lambda a, w: services.contract_create(actor=a, customer=w["customer"], title="新合同",
                                                             amount="1", starts_on=DAY, ends_on=DAY, owner=w["rep"]),
    "contract_activate": lambda a, w: services.contract_activate(actor=a, contract=w["contract"]),
    "plan_set": lambda a, w: services.plan_set(actor=a, order=w["order"],
                                               installments=[{"due_on": DAY, "amount": "2000"}]),
}


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(w, service):
    call = SERVICES[service]
    before = state()
    for role in ROLES:
        if role in WRITERS:
            continue
        with pytest.raises(PermissionDenied):
            call(actor_of(role), w)
    assert state() == before
    assert_nobody_may(lambda nobody: call(nobody, w), state, PermissionDenied)
    call(actor_of(Role.ADMIN), w)


@pytest.mark.parametrize("service", ["order_confirm", "payment_record", "contract_activate"])
def test_the_system_and_the_owner_run_the_services(w, service):
    SERVICES[service](w["rep"], w)


def test_the_team_manager_reaches_the_records_and_a_teammate_does_not(w):
    teammate = w["other"]
    assert not selectors.order_list(user=teammate).filter(pk=w["order"].pk).exists()
    with pytest.raises(PermissionDenied):
        services.order_confirm(actor=teammate, order=w["draft"])
    services.order_confirm(actor=w["manager"], order=w["draft"])
    assert selectors.order_list(user=w["manager"]).filter(pk=w["order"].pk).exists()
    SERVICES["refund_record"](SYSTEM, w)


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_scoped_by_the_table(w, role):
    actor = actor_of(role)
    expected = {w["order"].pk, w["draft"].pk} if role in READ_ALL else set()
    assert set(selectors.order_list(user=actor).values_list("pk", flat=True)) == expected
    assert selectors.payment_list(user=actor).exists() == (role in READ_ALL)
    assert selectors.contract_list(user=actor).exists() == (role in READ_ALL)
    report = selectors.ageing_report(user=actor, today=dt.date(2026, 6, 1))
    assert (report.total == Decimal("1500.00")) == (role in RECEIVABLES_ALL)


def test_a_partner_sees_and_changes_only_its_own_orders(w):
    team = TeamFactory(kind=TeamKind.PARTNER)
    first, second = (UserFactory(role=Role.PARTNER, team=team) for _ in range(2))
    own_customer = make_customer(first, name="代理客户")
    theirs = order(first, own_customer, w["product"])
    assert set(selectors.order_list(user=first).values_list("pk", flat=True)) == {theirs.pk}
    assert not selectors.order_list(user=second).exists()
    with pytest.raises(NotFound):
        selectors.order_get_for_user(user=second, order_id=theirs.pk)
    check_endpoint(client_for(second), "get", f"/api/v1/orders/{theirs.pk}", allowed=False, state=state)
    check_endpoint(client_for(second), "post", f"/api/v1/orders/{theirs.pk}/cancel", {"reason": "x"},
                   allowed=False, state=state)
    check_endpoint(client_for(first), "post", f"/api/v1/orders/{theirs.pk}/deliver", allowed=True, state=state)


ENDPOINTS = [
    ("post", lambda w: f"/api/v1/orders/{w['draft'].pk}/confirm", None),
    ("post", lambda w: f"/api/v1/orders/{w['draft'].pk}/cancel", {"reason": "取消"}),
    ("post", lambda w: f"/api/v1/payments/{w['payment'].pk}/refunds",
     {"amount": "10", "refunded_on": "2026-03-02", "reason": "退款", "order": None}),
    ("post", lambda w: f"/api/v1/contracts/{w['contract'].pk}/activate", None),
]


@pytest.mark.parametrize("index", range(len(ENDPOINTS)))
def test_every_role_and_write_endpoint(w, index):
    method, url, body = ENDPOINTS[index]
    for role in (Role.SALES_REP, Role.SALES_MANAGER, Role.PARTNER, Role.AGENT, Role.ANALYST):
        check_endpoint(client_for(actor_of(role)), method, url(w), body, allowed=False, state=state,
                       refused=(403, 404, 422))
