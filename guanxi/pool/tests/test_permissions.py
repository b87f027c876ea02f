"""The pool's permission table as a matrix: every role × every write service and its endpoint, and
the reads. Allowed roles succeed; refused ones get the permission error (403) and nothing changes.

The world: an unowned customer (in the pool), a customer owned by a representative of another team
than the actor's, and a representative of the actor's own team to assign to."""

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, check_service, client_for, rows_of
from guanxi.customers.models import Customer

from .. import selectors, services
from .factories import owned_customer, pool_customer, rule, sales_team

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
HOLDERS = frozenset({Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.SALES_MANAGER, Role.ADMIN})
CONFIGURERS = frozenset({Role.SALES_MANAGER, Role.ADMIN})
READERS = HOLDERS | {Role.ANALYST}


def state() -> dict:
    return rows_of("pool", models=[Customer])


@pytest.fixture
def world():
    _team, _manager, (other_rep, _x) = sales_team()
    return {"pool": pool_customer(), "owned": owned_customer(other_rep), "rule": rule(days=30)}


def _services(actor, w):
    mate = UserFactory(role=Role.SALES_REP, team=actor.team) if actor is not None and actor is not SYSTEM \
        and getattr(actor, "team", None) else UserFactory(role=Role.SALES_REP)
    return {
        "pool_claim": (HOLDERS, lambda: services.pool_claim(actor=actor, customer=w["pool"])),
        "pool_assign": (CONFIGURERS, lambda: services.pool_assign(actor=actor, owner=mate, customer=w["pool"])),
        "pool_release": (CONFIGURERS, lambda: services.pool_release(actor=actor, customer=w["owned"])),
        "rule_save": (CONFIGURERS, lambda: services.rule_save(actor=actor, rule=w["rule"], data={"days": 40})),
        "claim_limit_set": (CONFIGURERS, lambda: services.claim_limit_set(actor=actor, role=Role.SALES_REP,
                                                                          limit=5)),
        "pool_sweep": (frozenset(CONFIGURERS), lambda: services.pool_sweep(actor=actor)),
    }


def actor_of(role: str):
    return UserFactory(role=role, team=TeamFactory(kind=TeamKind.SALES))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_write_service(world, role):
    actor = actor_of(role)
    for name, (allowed, call) in _services(actor, world).items():
        check_service(call, allowed=role in allowed, state=state, errors=PermissionDenied)
        if name in ("pool_claim", "pool_assign") and role in allowed:
            services.pool_release(actor=SYSTEM, customer=world["pool"])


def test_nobody_without_an_actor_and_the_system_does_everything(world):
    for name, (_allowed, _call) in _services(None, world).items():
        assert_nobody_may(lambda nobody, n=name: _services(nobody, world)[n][1](), state, PermissionDenied)
    services.pool_sweep(actor=SYSTEM)


@pytest.mark.parametrize("role", ROLES)
def test_reads_and_endpoints(world, role):
    actor = actor_of(role)
    if role in READERS:
        assert list(selectors.pool_customers(user=actor)) == [world["pool"]]
    else:
        with pytest.raises(PermissionDenied):
            selectors.pool_customers(user=actor)
    client = client_for(actor)
    read = client.get("/api/v1/pool/customers")
    assert read.status_code == (200 if role in READERS else 403)
    check_endpoint(client, "post", "/api/v1/pool/rules", {"name": "新规则", "kind": "no_follow_up", "days": 9},
                   allowed=role in CONFIGURERS, state=state, refused=(403,))
    check_endpoint(client, "patch", f"/api/v1/pool/rules/{world['rule'].pk}", {"days": 11},
                   allowed=role in CONFIGURERS, state=state, refused=(403,))
    check_endpoint(client, "post", "/api/v1/pool/release", {"record": "customer", "id": world["owned"].pk},
                   allowed=role in CONFIGURERS, state=state, refused=(403,))
    check_endpoint(client, "post", "/api/v1/pool/claim", {"record": "customer", "id": world["pool"].pk},
                   allowed=role in HOLDERS, state=state, refused=(403,))
