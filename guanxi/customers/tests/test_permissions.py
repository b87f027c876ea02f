"""The customers permission table as a matrix: every role × every customers write service (and its
endpoint where there is one). Allowed roles succeed; refused ones get the permission error (403, or
404 where the customer is not theirs to see) and nothing changes in the customers tables, their
audit history included. Then the read scoping of the list and detail selectors, role by role.

The world (`World`, each record made on first use): the actor is a fresh user of the role under
test in team A, owner of `own`; a colleague in team A owns `mate_customer`; two sales reps of team B
own `other` (with a contact point and an address) and `other2`; a merge of two team-B customers done
by the system; a pending duplicate pair of `other` and `other2`; an import job started by an admin.
The expected sets below are written out by hand,
not read from the table, so the test checks the table too.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import client_for, post_json, rows_of
from guanxi.customers import permissions
from guanxi.customers.models import Customer, ImportJob
from guanxi.customers.selectors import customer_get_for_user, customer_list
from guanxi.customers.services.customers import (
    customer_create,
    customer_delete,
    customer_search_reindex,
    customer_update,
)
from guanxi.customers.services.dedupe import dedupe_scan_create, dedupe_scan_start
from guanxi.customers.services.history import interaction_record, transaction_record, transactions_import
from guanxi.customers.services.imports import import_job_create, import_job_request, import_job_run, import_mapping_save
from guanxi.customers.services.merging import customer_merge, customer_unmerge, match_candidate_dismiss
from guanxi.customers.services.profile import (
    address_add,
    address_remove,
    contact_add,
    contact_point_add,
    contact_point_remove,
)
from guanxi.customers.services.retention import history_retention_run

from .factories import pair

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
EVERYONE = frozenset(ROLES)
# Write on every customer (another team's): agents and team leads serve callers from anywhere.
WRITE_ALL = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN})
CREATE = EVERYONE - {Role.ANALYST}
DELETE_ALL = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
MERGE_ALL = DELETE_ALL
DEDUPE = DELETE_ALL
HAND_OVER_ALL = DELETE_ALL
IMPORT = CREATE
ADMINS = frozenset({Role.ADMIN})
NOBODY = frozenset()
READ_ALL = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ANALYST, Role.ADMIN})
READ_TEAM = frozenset({Role.SALES_MANAGER})
UNMASKED_ALL = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
NOW = timezone.now()
CSV = "姓名,手机\n王五,13900001111\n"


def state() -> dict:
    """Every row of every customers table (audit history included)."""
    return rows_of("customers")


class World(dict):
    """The records the tests act on, each made on first use (the matrix runs hundreds of times; most
    services need two or three of them). `prepare` makes those a call names before its snapshot."""

    def __init__(self, admin, tmp_path):
        super().__init__(admin=admin, tmp_path=tmp_path, team_a=TeamFactory(name="A"), team_b=TeamFactory(name="B"))
        self["owner1"] = UserFactory(role=Role.SALES_REP, team=self["team_b"])
        self["other"] = self.customer("李四", self["owner1"])

    def customer(self, name, owner):
        return customer_create(actor=SYSTEM, data={"kind": "individual", "name": name, "owner": owner.pk})

    def __missing__(self, key):
        build = getattr(self, f"_{key}")
        self[key] = build()
        return self[key]

    def _owner2(self):
        return UserFactory(role=Role.SALES_REP, team=self["team_b"])

    def _mate(self):
        return UserFactory(role=Role.SALES_REP, team=self["team_a"])

    def _other2(self):
        return self.customer("李四二", self["owner2"])

    def _mate_customer(self):
        return self.customer("同事客户", self["mate"])

    def _merge(self):
        survivor, merged = self.customer("王五", self["owner1"]), self.customer("王五二", self["owner1"])
        return customer_merge(survivor=survivor, merged=merged, actor=SYSTEM)

    def _point(self):
        return contact_point_add(actor=SYSTEM, customer=self["other"], kind="email", value="li@example.com")

    def _address(self):
        return address_add(actor=SYSTEM, customer=self["other"], kind="home", province="广东")

    def _candidate(self):
        return pair(self["other"], self["other2"])

    def _csv(self):
        csv = self["tmp_path"] / "customers.csv"
        csv.write_text(CSV, encoding="utf-8")
        return csv

    def _job(self):
        upload = SimpleUploadedFile("c.csv", CSV.encode(), content_type="text/csv")
        return import_job_create(actor=self["admin"], upload=upload)

    def prepare(self, call) -> None:
        for name in call.__code__.co_consts:
            if isinstance(name, str) and hasattr(self, f"_{name}"):
                self[name]  # made now, before the snapshot


@pytest.fixture
def world(admin, tmp_path):
    return World(admin, tmp_path)


def actor_of(role, world):
    """A fresh user of `role` in team A, owning one customer (set directly: some roles may not own)."""
    user = UserFactory(role=role, team=world["team_a"])
    own = customer_create(actor=SYSTEM, data={"kind": "individual", "name": "自己的客户"})
    Customer.objects.filter(pk=own.pk).update(owner=user, team=world["team_a"])
    world["own"] = Customer.objects.get(pk=own.pk)
    return user


SERVICES = {
    "customer_create": (CREATE, lambda a, w: customer_create(actor=a, data={"kind": "individual", "name": "新客户"})),
    "customer_update": (WRITE_ALL, lambda a, w: customer_update(actor=a, customer=w["other"], data={"name": "改名"})),
    "customer_update (hand-over)": (HAND_OVER_ALL, lambda a, w: customer_update(
        actor=a, customer=w["other"], data={"owner": w["owner2"].pk})),
    "customer_delete": (DELETE_ALL, lambda a, w: customer_delete(actor=a, customer=w["other"])),
    "contact_add": (WRITE_ALL, lambda a, w: contact_add(actor=a, customer=w["other"], name="新联系人")),
    "contact_point_add": (WRITE_ALL, lambda a, w: contact_point_add(actor=a, customer=w["other"], kind="mobile",
                                                                  value="13800138000")),
    "contact_point_remove": (WRITE_ALL, lambda a, w: contact_point_remove(actor=a, customer=w["other"],
                                                                        point_id=w["point"].pk)),
    "address_add": (WRITE_ALL, lambda a, w: address_add(actor=a, customer=w["other"], kind="office", province="北京")),
    "address_remove": (WRITE_ALL, lambda a, w: address_remove(actor=a, customer=w["other"],
                                                            address_id=w["address"].pk)),
    "interaction_record": (WRITE_ALL, lambda a, w: interaction_record(actor=a, customer=w["other"], channel="call")),
    "transaction_record": (WRITE_ALL, lambda a, w: transaction_record(
        actor=a, customer=w["other"], kind="payment", amount="10.00", occurred_at=NOW - dt.timedelta(hours=1))),
    "transactions_import": (WRITE_ALL, lambda a, w: transactions_import(actor=a, rows=[
        {"customer": w["other"], "kind": "bill", "amount": "5.00", "occurred_at": NOW - dt.timedelta(hours=1)}])),
    "customer_merge": (MERGE_ALL, lambda a, w: customer_merge(survivor=w["other"], merged=w["other2"], actor=a)),
    "customer_unmerge": (MERGE_ALL, lambda a, w: customer_unmerge(merge=w["merge"], actor=a)),
    "match_candidate_dismiss": (MERGE_ALL, lambda a, w: match_candidate_dismiss(candidate=w["candidate"], actor=a)),
    "dedupe_scan_create": (DEDUPE, lambda a, w: dedupe_scan_create(actor=a)),
    "dedupe_scan_start": (DEDUPE, lambda a, w: dedupe_scan_start(actor=a)),
    "import_mapping_save": (IMPORT, lambda a, w: import_mapping_save(actor=a, source="POS", mapping={"姓名": "name"})),
    "import_job_create": (IMPORT, lambda a, w: import_job_create(actor=a, path=w["csv"])),
    "import_job_request (another user's job)": (ADMINS, lambda a, w: import_job_request(
        actor=a, job=w["job"], action="validate")),
    "customer_search_reindex": (ADMINS, lambda a, w: customer_search_reindex(actor=a)),
    "history_retention_run": (NOBODY, lambda a, w: history_retention_run(actor=a, apply=True)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    actor = actor_of(role, world)
    world.prepare(call)
    if role in allowed:
        call(actor, world)
        return
    before = state()
    with pytest.raises(PermissionDenied):
        call(actor, world)
    assert state() == before


# An import job is always a user's: the system starts none (the command imports --as a user).
USERS_ONLY = frozenset({"import_mapping_save", "import_job_create", "import_job_request (another user's job)"})


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(world, service):
    _, call = SERVICES[service]
    world.prepare(call)
    before = state()
    nobodies = (None, UserFactory(role=Role.ADMIN, is_active=False)) + ((SYSTEM,) if service in USERS_ONLY else ())
    for nobody in nobodies:
        with pytest.raises(PermissionDenied):
            call(nobody, world)
    assert state() == before
    if service not in USERS_ONLY:
        call(SYSTEM, world)


# Per role, the services allowed on the actor's own customer (OWN scope is enough).
OWN_CUSTOMER = {
    "customer_update": (CREATE, lambda a, w: customer_update(actor=a, customer=w["own"], data={"name": "改名"})),
    "customer_delete": ({Role.SERVICE_MANAGER, Role.SALES_MANAGER, Role.ADMIN},
                        lambda a, w: customer_delete(actor=a, customer=w["own"])),
    "contact_add": (CREATE, lambda a, w: contact_add(actor=a, customer=w["own"], name="新联系人")),
    "interaction_record": (CREATE, lambda a, w: interaction_record(actor=a, customer=w["own"], channel="sms")),
}
# On a colleague's customer (team A): the team's scope is needed.
TEAM_CUSTOMER = {
    "customer_update": (WRITE_ALL | READ_TEAM, lambda a, w: customer_update(
        actor=a, customer=w["mate_customer"], data={"name": "改名"})),
    "customer_merge": (MERGE_ALL | READ_TEAM, lambda a, w: customer_merge(
        survivor=w["own"], merged=w["mate_customer"], actor=a)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("cases", "service"), [(OWN_CUSTOMER, s) for s in OWN_CUSTOMER]
                         + [(TEAM_CUSTOMER, s) for s in TEAM_CUSTOMER])
def test_own_and_team_scopes(world, role, cases, service):
    allowed, call = cases[service]
    actor = actor_of(role, world)
    world.prepare(call)
    if role in allowed:
        call(actor, world)
        return
    before = state()
    with pytest.raises(PermissionDenied):
        call(actor, world)
    assert state() == before


def test_an_import_runs_as_its_starter_and_stops_once_they_may_not_import(world, admin):
    job = world["job"]
    admin.role, admin.is_superuser = Role.ANALYST, False
    admin.save()
    before = Customer.objects.count()
    job = import_job_run(job_id=job.pk, action="validate")
    assert job.status == ImportJob.Status.FAILED
    assert Customer.objects.count() == before


# ---------------------------------------------------------------- endpoints

ENDPOINTS = {
    "create_customer": (CREATE, lambda c, w: post_json(c, "/api/v1/customers", {"kind": "individual", "name": "新"})),
    "update_customer": (WRITE_ALL, lambda c, w: c.patch(f"/api/v1/customers/{w['other'].pk}", data={"name": "改名"},
                                                       content_type="application/json")),
    "delete_customer": (DELETE_ALL, lambda c, w: c.delete(f"/api/v1/customers/{w['other'].pk}")),
    "add_contact_point": (WRITE_ALL, lambda c, w: post_json(c, f"/api/v1/customers/{w['other'].pk}/contact-points",
                                                           {"kind": "mobile", "value": "13800138000"})),
    "record_interaction": (WRITE_ALL, lambda c, w: post_json(c, f"/api/v1/customers/{w['other'].pk}/interactions",
                                                            {"channel": "call"})),
    "merge_customers": (MERGE_ALL, lambda c, w: post_json(c, "/api/v1/customers/merge", {
        "survivor_id": w["other"].pk, "merged_id": w["other2"].pk})),
    "dismiss_duplicate": (MERGE_ALL, lambda c, w: post_json(
        c, f"/api/v1/customers/duplicates/{w['candidate'].pk}/dismiss", {})),
    "start_dedupe_scan": (DEDUPE, lambda c, w: post_json(c, "/api/v1/customers/dedupe/scans", {})),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_role_and_endpoint(world, role, endpoint):
    allowed, call = ENDPOINTS[endpoint]
    client = client_for(actor_of(role, world))
    world.prepare(call)
    before = state()
    response = call(client, world)
    if role in allowed:
        assert response.status_code < 300, response.content
        return
    # 404 where the customer is outside what the role reads; 403 where it reads but may not write.
    expected = 403 if role in READ_ALL or endpoint in ("create_customer", "start_dedupe_scan") else 404
    assert response.status_code == expected, response.content
    assert state() == before


# ---------------------------------------------------------------- reads


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_are_scoped_by_the_table(world, role):
    actor = actor_of(role, world)
    own, mate, other = world["own"], world["mate_customer"], world["other"]
    seen = set(customer_list(user=actor).filter(pk__in=[own.pk, mate.pk, other.pk]).values_list("pk", flat=True))
    expected = {own.pk, mate.pk, other.pk} if role in READ_ALL else (
        {own.pk, mate.pk} if role in READ_TEAM else {own.pk})
    assert seen == expected
    for customer in (own, mate, other):
        if customer.pk in expected:
            assert customer_get_for_user(user=actor, customer_id=customer.pk) == customer
        else:
            with pytest.raises(NotFound):
                customer_get_for_user(user=actor, customer_id=customer.pk)
    assert permissions.can_see_personal_data(user=actor, customer=other) == (role in UNMASKED_ALL)
    assert permissions.can_see_personal_data(user=actor, customer=own) == (
        role not in {Role.AGENT, Role.TEAM_LEAD, Role.ANALYST})
    assert permissions.can_export(actor) == (role in {Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_MANAGER,
                                                      Role.ANALYST, Role.ADMIN})


def test_the_system_reads_everything_and_nobody_reads_nothing(world):
    ids = {world["other"].pk, world["other2"].pk}
    assert set(customer_list(user=SYSTEM).filter(pk__in=ids).values_list("pk", flat=True)) == ids
    assert not customer_list(user=None).exists()
    assert not permissions.can_see_personal_data(user=None, customer=world["other"])
    assert set(permissions.OWNER_ROLES) == {Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_REP, Role.SALES_MANAGER,
                                            Role.KEY_ACCOUNT_MANAGER, Role.ADMIN}
