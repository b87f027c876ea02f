"""The segments permission table as a matrix: every role × every write service and its endpoint.
Allowed roles succeed; refused ones get the permission error (403, or 404 where the segment is not
theirs to see) and nothing changes in the segments tables.

The world: a shared rule segment and a private one owned by an analyst, a system segment and a
customer; the actor is a fresh user of the role under test, owner of nothing.
"""

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, check_service, client_for, rows_of
from guanxi.segments import permissions, selectors
from guanxi.segments.enums import SegmentKind
from guanxi.segments.models import Segment
from guanxi.segments.services import (
    segment_create,
    segment_delete,
    segment_update,
    strategic_weight_set,
    value_recompute,
    value_run_start,
    value_settings_update,
)

from .factories import make_customer

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
SEGMENT_WRITERS = frozenset({Role.ANALYST, Role.SALES_MANAGER, Role.SERVICE_MANAGER, Role.KEY_ACCOUNT_MANAGER,
                             Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
SERVICE_TIER = frozenset({Role.ADMIN, Role.SERVICE_MANAGER})
RECOMPUTE = frozenset({Role.ANALYST, Role.ADMIN})
REPORTS = SEGMENT_WRITERS
EXPORT = frozenset({Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_MANAGER, Role.ANALYST, Role.ADMIN})
VIP = {"match": "all", "rules": [{"field": "value_level", "op": "eq", "value": "vip"}]}


def state() -> dict:
    return rows_of("segments")


@pytest.fixture
def world(admin):
    analyst = UserFactory(role=Role.ANALYST)
    customer = make_customer(admin, name="张三", arpu="900")
    shared = segment_create(actor=analyst, data={"name": "VIP 共享", "definition": VIP, "is_shared": True})
    private = segment_create(actor=analyst, data={"name": "私有", "definition": VIP})
    system = Segment.objects.create(kind=SegmentKind.PYRAMID, system_key="vip", name="VIP", is_shared=True,
                                    definition=VIP)
    return {"analyst": analyst, "customer": customer, "shared": shared, "private": private, "system": system}


SERVICES = {
    "segment_create": (SEGMENT_WRITERS, lambda a, w: segment_create(actor=a, data={"name": "新", "definition": VIP})),
    "segment_update": (ADMINS, lambda a, w: segment_update(actor=a, segment=w["shared"], data={"name": "改名"})),
    "segment_update (system service tier)": (SERVICE_TIER, lambda a, w: segment_update(
        actor=a, segment=w["system"], data={"service_level": "gold", "service_priority": 1})),
    "segment_delete": (ADMINS, lambda a, w: segment_delete(actor=a, segment=w["shared"])),
    "value_settings_update": (ADMINS, lambda a, w: value_settings_update(actor=a, data={"weight_strategic": 40})),
    "strategic_weight_set": (ADMINS, lambda a, w: strategic_weight_set(actor=a, customer=w["customer"], weight=80)),
    "value_recompute": (RECOMPUTE, lambda a, w: value_recompute(actor=a)),
    "value_run_start": (RECOMPUTE, lambda a, w: value_run_start(actor=a)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    actor = UserFactory(role=role)
    check_service(lambda: call(actor, world), allowed=role in allowed, state=state, errors=PermissionDenied)


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(world, service):
    _, call = SERVICES[service]
    assert_nobody_may(lambda nobody: call(nobody, world), state, PermissionDenied)
    call(SYSTEM, world)


def test_owners_change_their_own_segments_only(world):
    analyst = world["analyst"]
    segment_update(actor=analyst, segment=world["private"], data={"name": "我的"})
    other = UserFactory(role=Role.ANALYST)
    before = state()
    with pytest.raises(PermissionDenied):
        segment_update(actor=other, segment=world["private"], data={"name": "不是我的"})
    with pytest.raises(PermissionDenied):
        segment_delete(actor=other, segment=world["shared"])
    with pytest.raises(PermissionDenied):  # system segments belong to the value run, whoever asks
        segment_delete(actor=UserFactory(role=Role.ADMIN), segment=world["system"])
    assert state() == before
    segment_delete(actor=analyst, segment=world["private"])


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_scoped_by_the_table(world, role):
    actor = UserFactory(role=role)
    seen = set(selectors.segment_list(user=actor).values_list("pk", flat=True))
    expected = {world["shared"].pk, world["system"].pk} | ({world["private"].pk} if role == Role.ADMIN else set())
    assert seen == expected
    assert permissions.can(actor, "report", "read") == (role in REPORTS)
    assert permissions.can(actor, "segment", "export") == (role in EXPORT)
    if role not in REPORTS:
        with pytest.raises(PermissionDenied):
            selectors.value_report(user=actor, name="pyramid")


# ---------------------------------------------------------------- endpoints


def _endpoints(w) -> dict:
    shared, system = w["shared"].pk, w["system"].pk
    return {
        "create_segment": (SEGMENT_WRITERS, "post", "/api/v1/segments", {"name": "新", "definition": VIP}),
        "update_segment": (ADMINS, "patch", f"/api/v1/segments/{shared}", {"name": "改名"}),
        "update_segment (system)": (SERVICE_TIER, "patch", f"/api/v1/segments/{system}", {"service_level": "gold"}),
        "delete_segment": (ADMINS, "delete", f"/api/v1/segments/{shared}", None),
        "set_strategic_weight": (ADMINS, "put", f"/api/v1/customers/{w['customer'].pk}/strategic-weight",
                                 {"weight": 80}),
        "export_segment_members": (EXPORT, "get", f"/api/v1/segments/{shared}/export", None),
        "list_value_runs": (REPORTS, "get", "/api/v1/segments/runs", None),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["create_segment", "update_segment", "update_segment (system)",
                                      "delete_segment", "set_strategic_weight", "export_segment_members",
                                      "list_value_runs"])
def test_every_role_and_endpoint(world, role, endpoint):
    allowed, method, url, body = _endpoints(world)[endpoint]
    check_endpoint(client_for(UserFactory(role=role)), method, url, body, allowed=role in allowed, state=state)


@pytest.mark.django_db(transaction=True)  # the run is queued when the request's transaction commits
@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_start_value_run(role):
    client = client_for(UserFactory(role=role))
    before = state()
    response = client.post("/api/v1/segments/runs")
    if role in RECOMPUTE:
        assert response.status_code == 202 and response.json()["run"]["status"] == "done"
    else:
        assert response.status_code == 403 and state() == before
