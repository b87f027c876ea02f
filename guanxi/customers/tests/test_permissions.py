"""The customers permission table as a matrix: every role × every customers write service, every API
operation and every page. Allowed roles succeed; refused ones get the permission error (403, or 404
where the record is not theirs to see) with its message in Chinese, and nothing changes in the
customers tables, their audit history included. Then the read scoping of the list and detail
selectors, role by role. A last test fails when a service, an API operation or a page exists that the
matrix does not list.

The world (`World`, each record made on first use): the actor is a fresh user of the role under
test in team A, owner of `own`; a colleague in team A owns `mate_customer`; two sales reps of team B
own `other` (with a contact point and an address) and `other2`; a merge of two team-B customers done
by the system; a pending duplicate pair of `other` and `other2`; a finished and a queued duplicate
scan; an import job started by an admin (`job`, validated: `validated_job`) and one of the actor's
(`own_job`). The expected sets below are written out by hand, not read from the table, so the test
checks the table too.
"""

import datetime as dt
import inspect
import pkgutil
import re
from importlib import import_module

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import client_for, post_json, rows_of
from guanxi.customers import permissions
from guanxi.customers import services as services_package
from guanxi.customers.api import MODULES
from guanxi.customers.models import Customer, DedupeScan, ImportJob
from guanxi.customers.selectors import customer_get_for_user, customer_list
from guanxi.customers.services.customers import (
    customer_create,
    customer_delete,
    customer_search_reindex,
    customer_update,
)
from guanxi.customers.services.dedupe import dedupe_scan_create, dedupe_scan_run, dedupe_scan_start
from guanxi.customers.services.history import interaction_record, transaction_record, transactions_import
from guanxi.customers.services.imports import (
    import_job_create,
    import_job_request,
    import_job_run,
    import_job_set_mapping,
    import_job_validate,
    import_mapping_save,
)
from guanxi.customers.services.merging import customer_merge, customer_unmerge, match_candidate_dismiss
from guanxi.customers.services.profile import (
    address_add,
    address_remove,
    contact_add,
    contact_point_add,
    contact_point_remove,
)
from guanxi.customers.services.retention import history_retention_run
from guanxi.customers.urls import urlpatterns

from .factories import pair

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
EVERYONE = frozenset(ROLES)
# Write on every customer (another team's): agents and team leads serve callers from anywhere.
WRITE_ALL = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN})
CREATE = EVERYONE - {Role.ANALYST}
DELETE_ALL = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
MERGE_ALL = DELETE_ALL
# May merge some customers, so reviews the duplicate queue.
REVIEW = MERGE_ALL | {Role.SALES_MANAGER}
DEDUPE = DELETE_ALL
HAND_OVER_ALL = DELETE_ALL
IMPORT = CREATE
EXPORT = frozenset({Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_MANAGER, Role.ANALYST, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
NOBODY = frozenset()
READ_ALL = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ANALYST, Role.ADMIN})
READ_TEAM = frozenset({Role.SALES_MANAGER})
UNMASKED_ALL = frozenset({Role.SERVICE_MANAGER, Role.ADMIN})
NOW = timezone.now()
CSV = "姓名,手机\n王五,13900001111\n"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def state() -> dict:
    """Every row of every customers table (audit history included)."""
    return rows_of("customers")


class World(dict):
    """The records the tests act on, each made on first use (the matrix runs hundreds of times; most
    calls need two or three of them). `prepare` makes those a call names before its snapshot."""

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

    def _actor(self):
        return UserFactory(role=Role.SALES_REP, team=self["team_a"])

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

    def _scan(self):
        return DedupeScan.objects.create(status=DedupeScan.Status.DONE, threshold=0.8)

    def _queued_scan(self):
        return DedupeScan.objects.create(threshold=0.8)

    def _csv(self):
        csv = self["tmp_path"] / "customers.csv"
        csv.write_text(CSV, encoding="utf-8")
        return csv

    def _job(self):
        return import_job_create(actor=self["admin"], upload=upload())

    def _validated_job(self):
        return import_job_validate(job=self["job"])

    def _own_job(self):
        """A job of the actor's (handed over directly: some roles may not start one)."""
        job = import_job_create(actor=self["admin"], upload=upload())
        ImportJob.objects.filter(pk=job.pk).update(created_by=self["actor"])
        return ImportJob.objects.get(pk=job.pk)

    def prepare(self, call) -> None:
        for name in call.__code__.co_consts:
            if isinstance(name, str) and hasattr(self, f"_{name}"):
                self[name]  # made now, before the snapshot


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("c.csv", CSV.encode(), content_type="text/csv")


@pytest.fixture
def world(admin, tmp_path):
    return World(admin, tmp_path)


def actor_of(role, world):
    """A fresh user of `role` in team A, owning one customer (set directly: some roles may not own)."""
    world["actor"] = user = UserFactory(role=role, team=world["team_a"])
    own = customer_create(actor=SYSTEM, data={"kind": "individual", "name": "自己的客户"})
    Customer.objects.filter(pk=own.pk).update(owner=user, team=world["team_a"])
    world["own"] = Customer.objects.get(pk=own.pk)
    return user


def assert_refused(call, *args) -> None:
    """`call` raises PermissionDenied, its message in Chinese (the default language), and writes nothing."""
    before = state()
    with pytest.raises(PermissionDenied) as refusal:
        call(*args)
    assert CHINESE.search(refusal.value.message), refusal.value.message
    assert state() == before


# ---------------------------------------------------------------- services

HOUR_AGO = NOW - dt.timedelta(hours=1)
MAPPING = {"姓名": "name", "手机": "mobile"}

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
        actor=a, customer=w["other"], kind="payment", amount="10.00", occurred_at=HOUR_AGO)),
    "transactions_import": (WRITE_ALL, lambda a, w: transactions_import(actor=a, rows=[
        {"customer": w["other"], "kind": "bill", "amount": "5.00", "occurred_at": HOUR_AGO}])),
    "customer_merge": (MERGE_ALL, lambda a, w: customer_merge(survivor=w["other"], merged=w["other2"], actor=a)),
    "customer_unmerge": (MERGE_ALL, lambda a, w: customer_unmerge(merge=w["merge"], actor=a)),
    "match_candidate_dismiss": (MERGE_ALL, lambda a, w: match_candidate_dismiss(candidate=w["candidate"], actor=a)),
    "dedupe_scan_create": (DEDUPE, lambda a, w: dedupe_scan_create(actor=a)),
    "dedupe_scan_start": (DEDUPE, lambda a, w: dedupe_scan_start(actor=a)),
    "dedupe_scan_run": (DEDUPE, lambda a, w: dedupe_scan_run(actor=a, scan=w["queued_scan"])),
    "import_mapping_save": (IMPORT, lambda a, w: import_mapping_save(actor=a, source="POS", mapping={"姓名": "name"})),
    "import_job_create": (IMPORT, lambda a, w: import_job_create(actor=a, path=w["csv"])),
    "import_job_set_mapping (own job)": (IMPORT, lambda a, w: import_job_set_mapping(
        actor=a, job=w["own_job"], mapping=MAPPING)),
    "import_job_set_mapping (another user's job)": (ADMINS, lambda a, w: import_job_set_mapping(
        actor=a, job=w["job"], mapping=MAPPING)),
    "import_job_request (own job)": (IMPORT, lambda a, w: import_job_request(
        actor=a, job=w["own_job"], action="validate")),
    "import_job_request (another user's job)": (ADMINS, lambda a, w: import_job_request(
        actor=a, job=w["job"], action="validate")),
    "customer_search_reindex": (ADMINS, lambda a, w: customer_search_reindex(actor=a)),
    "history_retention_run": (NOBODY, lambda a, w: history_retention_run(actor=a, apply=True)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    call_as(role, allowed, call, world)


def call_as(role, allowed, call, world) -> None:
    """`call` as a fresh user of `role`: it works when the role is `allowed`, else it is refused."""
    actor = actor_of(role, world)
    world.prepare(call)
    if role in allowed:
        call(actor, world)
    else:
        assert_refused(call, actor, world)


# An import job is always a user's: the system starts none (the command imports --as a user).
USERS_ONLY = frozenset(name for name in SERVICES if name.startswith("import_"))


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_may_and_nobody_without_an_account(world, service):
    _, call = SERVICES[service]
    world.prepare(call)
    nobodies = (None, UserFactory(role=Role.ADMIN, is_active=False)) + ((SYSTEM,) if service in USERS_ONLY else ())
    for nobody in nobodies:
        assert_refused(call, nobody, world)
    if service not in USERS_ONLY:
        call(SYSTEM, world)


# Per role, the services allowed on the actor's own customer (OWN scope is enough).
OWN_CUSTOMER = {
    "customer_update": (CREATE, lambda a, w: customer_update(actor=a, customer=w["own"], data={"name": "改名"})),
    "customer_delete": ({Role.SERVICE_MANAGER, Role.SALES_MANAGER, Role.ADMIN},
                        lambda a, w: customer_delete(actor=a, customer=w["own"])),
    "contact_add": (CREATE, lambda a, w: contact_add(actor=a, customer=w["own"], name="新联系人")),
    "contact_point_add": (CREATE, lambda a, w: contact_point_add(actor=a, customer=w["own"], kind="mobile",
                                                               value="13800138000")),
    "address_add": (CREATE, lambda a, w: address_add(actor=a, customer=w["own"], kind="home", province="上海")),
    "interaction_record": (CREATE, lambda a, w: interaction_record(actor=a, customer=w["own"], channel="sms")),
    "transaction_record": (CREATE, lambda a, w: transaction_record(
        actor=a, customer=w["own"], kind="order", amount="20.00", occurred_at=HOUR_AGO)),
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
    call_as(role, allowed, call, world)


def test_an_import_runs_as_its_starter_and_stops_once_they_may_not_import(world, admin):
    job = world["job"]
    admin.role, admin.is_superuser = Role.ANALYST, False
    admin.save()
    before = Customer.objects.count()
    job = import_job_run(job_id=job.pk, action="validate")
    assert job.status == ImportJob.Status.FAILED
    assert Customer.objects.count() == before


# ---------------------------------------------------------------- API operations and pages


def by_reach(role) -> int:
    """404 where the record is outside what the role reads; 403 where it reads but may not act."""
    return 403 if role in READ_ALL else 404


def not_their_job(role) -> int:
    """403 for roles that may not import at all; 404 for importers (another user's job is not theirs)."""
    return 403 if role not in IMPORT else 404


def not_their_pair(role) -> int:
    """403 for roles that review no duplicates; 404 for reviewers who do not read both customers."""
    return 403 if role not in REVIEW else 404


def rows_outside_their_reach(role) -> int:
    """403 for roles that record no history; 422 (an unknown customer) for those that may not reach it."""
    return 403 if role not in CREATE else 422


def api(path: str) -> str:
    return f"/api/v1{path}"


def customer_api(w, tail: str = "", key: str = "other") -> str:
    return api(f"/customers/{w[key].pk}{tail}")


# API operation (its handler's name) → (allowed roles, call, status of a refusal: a number or role → number).
ENDPOINTS = {
    "list_customers": (EVERYONE, lambda c, w: c.get(api("/customers")), None),
    "export_customers": (EXPORT, lambda c, w: c.get(api("/customers/export")), 403),
    "create_customer": (CREATE, lambda c, w: post_json(c, api("/customers"), {"kind": "individual", "name": "新"}),
                        403),
    "get_customer": (READ_ALL, lambda c, w: c.get(customer_api(w)), 404),
    "update_customer": (WRITE_ALL, lambda c, w: c.patch(customer_api(w), data={"name": "改名"},
                                                       content_type="application/json"), by_reach),
    "delete_customer": (DELETE_ALL, lambda c, w: c.delete(customer_api(w)), by_reach),
    "get_customer_360": (READ_ALL, lambda c, w: c.get(customer_api(w, "/360")), 404),
    "list_customer_history": (READ_ALL, lambda c, w: c.get(customer_api(w, "/history")), 404),
    "add_contact_point": (WRITE_ALL, lambda c, w: post_json(c, customer_api(w, "/contact-points"),
                                                           {"kind": "mobile", "value": "13800138000"}), by_reach),
    "remove_contact_point": (WRITE_ALL, lambda c, w: c.delete(customer_api(w, f"/contact-points/{w['point'].pk}")),
                             by_reach),
    "add_address": (WRITE_ALL, lambda c, w: post_json(c, customer_api(w, "/addresses"),
                                                     {"kind": "office", "province": "北京"}), by_reach),
    "remove_address": (WRITE_ALL, lambda c, w: c.delete(customer_api(w, f"/addresses/{w['address'].pk}")), by_reach),
    "add_contact": (WRITE_ALL, lambda c, w: post_json(c, customer_api(w, "/contacts"), {"name": "新联系人"}), by_reach),
    "list_brands": (EVERYONE, lambda c, w: c.get(api("/brands")), None),
    "start_dedupe_scan": (DEDUPE, lambda c, w: post_json(c, api("/customers/dedupe/scans"), {}), 403),
    "get_dedupe_scan": (DEDUPE, lambda c, w: c.get(api(f"/customers/dedupe/scans/{w['scan'].pk}")), 403),
    "list_interactions": (READ_ALL, lambda c, w: c.get(customer_api(w, "/interactions")), 404),
    "record_interaction": (WRITE_ALL, lambda c, w: post_json(c, customer_api(w, "/interactions"), {"channel": "call"}),
                           by_reach),
    "list_transactions": (READ_ALL, lambda c, w: c.get(customer_api(w, "/transactions")), 404),
    "record_transaction": (WRITE_ALL, lambda c, w: post_json(c, customer_api(w, "/transactions"), {
        "kind": "payment", "amount": "10.00", "occurred_at": HOUR_AGO.isoformat()}), by_reach),
    "import_transactions": (WRITE_ALL, lambda c, w: post_json(c, api("/transactions/import"), {"rows": [
        {"customer_id": w["other"].pk, "kind": "bill", "amount": "5.00", "occurred_at": HOUR_AGO.isoformat()}]}),
                            rows_outside_their_reach),
    "list_timeline": (READ_ALL, lambda c, w: c.get(customer_api(w, "/timeline")), 404),
    "get_billing_summary": (READ_ALL, lambda c, w: c.get(customer_api(w, "/billing")), 404),
    "create_import": (IMPORT, lambda c, w: c.post(api("/customers/imports"), {"file": upload()}), 403),
    "list_imports": (IMPORT, lambda c, w: c.get(api("/customers/imports")), 403),
    "get_import": (ADMINS, lambda c, w: c.get(api(f"/customers/imports/{w['job'].pk}")), 404),
    "commit_import": (ADMINS, lambda c, w: c.post(api(f"/customers/imports/{w['validated_job'].pk}/commit")),
                      not_their_job),
    "download_import_report": (ADMINS, lambda c, w: c.get(api(f"/customers/imports/{w['validated_job'].pk}/report")),
                               404),
    "merge_customers": (MERGE_ALL, lambda c, w: post_json(c, api("/customers/merge"), {
        "survivor_id": w["other"].pk, "merged_id": w["other2"].pk}), by_reach),
    "unmerge_customer": (MERGE_ALL, lambda c, w: c.post(api(f"/customers/{w['merge'].merged_id}/unmerge")), by_reach),
    "list_customer_merges": (READ_ALL, lambda c, w: c.get(api(f"/customers/{w['merge'].survivor_id}/merges")), 404),
    "list_duplicates": (EVERYONE, lambda c, w: c.get(api("/customers/duplicates")), None),
    "dismiss_duplicate": (MERGE_ALL, lambda c, w: post_json(
        c, api(f"/customers/duplicates/{w['candidate'].pk}/dismiss"), {}), by_reach),
}


def refusal_status(refusal, role) -> int:
    return refusal(role) if callable(refusal) else refusal


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_role_and_endpoint(world, role, endpoint):
    allowed, call, refusal = ENDPOINTS[endpoint]
    client = client_for(actor_of(role, world))
    world.prepare(call)
    before = state()
    response = call(client, world)
    if role in allowed:
        assert response.status_code < 300, response.content
        return
    assert response.status_code == refusal_status(refusal, role), response.content
    assert CHINESE.search(response.json()["message"]), response.content
    assert state() == before


def page(name: str, *args) -> str:
    return reverse(f"customers:{name}", args=args)


CUSTOMER_FORM = {"kind": "individual", "name": "改名", "lifecycle_stage": "prospect", "source": "web"}
MAPPING_FORM = {"source": "", "col_0": "name", "col_1": "mobile"}

# Page (its URL name, the method when it is a POST) → (allowed roles, call, the allowed answer, the
# status of a refusal). A POST that works answers with a redirect: a form shown again has failed.
PAGES = {
    "list": (EVERYONE, lambda c, w: c.get(page("list")), 200, None),
    "create": (CREATE, lambda c, w: c.get(page("create")), 200, 403),
    "create (POST)": (CREATE, lambda c, w: c.post(page("create"), CUSTOMER_FORM), 302, 403),
    "export": (EXPORT, lambda c, w: c.get(page("export")), 200, 403),
    "detail": (READ_ALL, lambda c, w: c.get(page("detail", w["other"].pk)), 200, 404),
    "edit": (WRITE_ALL, lambda c, w: c.get(page("edit", w["other"].pk)), 200, by_reach),
    "edit (POST)": (WRITE_ALL, lambda c, w: c.post(page("edit", w["other"].pk), {
        **CUSTOMER_FORM, "owner": w["owner1"].pk, "team": w["team_b"].pk}), 302, by_reach),
    "timeline": (READ_ALL, lambda c, w: c.get(page("timeline", w["other"].pk)), 200, 404),
    "add_interaction (POST)": (WRITE_ALL, lambda c, w: c.post(page("add_interaction", w["other"].pk), {
        "ia-channel": "call", "ia-direction": "inbound", "ia-subject": "回访"}), 302, by_reach),
    "delete": (DELETE_ALL, lambda c, w: c.get(page("delete", w["other"].pk)), 200, by_reach),
    "delete (POST)": (DELETE_ALL, lambda c, w: c.post(page("delete", w["other"].pk)), 302, by_reach),
    "add_contact_point (POST)": (WRITE_ALL, lambda c, w: c.post(page("add_contact_point", w["other"].pk), {
        "cp-kind": "mobile", "cp-value": "13900139000"}), 302, by_reach),
    "add_address (POST)": (WRITE_ALL, lambda c, w: c.post(page("add_address", w["other"].pk), {
        "addr-kind": "home", "addr-province": "广东省", "addr-street": "深南大道1号"}), 302, by_reach),
    "add_contact (POST)": (WRITE_ALL, lambda c, w: c.post(page("add_contact", w["other"].pk), {
        "ct-name": "王经理"}), 302, by_reach),
    "duplicates": (REVIEW, lambda c, w: c.get(page("duplicates")), 200, 403),
    "duplicate_compare": (MERGE_ALL, lambda c, w: c.get(page("duplicate_compare", w["candidate"].pk)), 200,
                          not_their_pair),
    "duplicate_compare (POST)": (MERGE_ALL, lambda c, w: c.post(page("duplicate_compare", w["candidate"].pk), {
        "survivor": w["other"].pk}), 302, not_their_pair),
    "duplicate_dismiss (POST)": (MERGE_ALL, lambda c, w: c.post(page("duplicate_dismiss", w["candidate"].pk)), 302,
                                 not_their_pair),
    "dedupe_scan_start (POST)": (DEDUPE, lambda c, w: c.post(page("dedupe_scan_start")), 302, 403),
    "dedupe_scan_status": (REVIEW, lambda c, w: c.get(page("dedupe_scan_status")), 200, 403),
    "merge_history": (READ_ALL, lambda c, w: c.get(page("merge_history", w["merge"].survivor_id)), 200, 404),
    "merge_undo (POST)": (MERGE_ALL, lambda c, w: c.post(page("merge_undo", w["merge"].pk)), 302, by_reach),
    "imports": (IMPORT, lambda c, w: c.get(page("imports")), 200, 403),
    "import_upload (POST)": (IMPORT, lambda c, w: c.post(page("import_upload"), {"file": upload()}), 302, 403),
    "import_job": (ADMINS, lambda c, w: c.get(page("import_job", w["job"].pk)), 200, 404),
    "import_mapping": (ADMINS, lambda c, w: c.get(page("import_mapping", w["job"].pk)), 200, not_their_job),
    "import_mapping (POST)": (ADMINS, lambda c, w: c.post(page("import_mapping", w["job"].pk), MAPPING_FORM), 302,
                              not_their_job),
    "import_job_status": (ADMINS, lambda c, w: c.get(page("import_job_status", w["job"].pk)), 200, 404),
    "import_commit (POST)": (ADMINS, lambda c, w: c.post(page("import_commit", w["validated_job"].pk)), 302,
                             not_their_job),
    "import_report": (ADMINS, lambda c, w: c.get(page("import_report", w["validated_job"].pk)), 200, 404),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_role_and_page(world, client, role, name):
    allowed, call, ok, refusal = PAGES[name]
    client.force_login(actor_of(role, world))
    world.prepare(call)
    before = state()
    response = call(client, world)
    if role in allowed:
        assert response.status_code == ok, response.content[:2000]
        return
    assert response.status_code == refusal_status(refusal, role)
    assert state() == before


def test_the_matrix_lists_every_service_api_operation_and_page():
    """A service, API operation or page added to customers fails here until the matrix lists it."""
    operations = {op.view_func.__name__ for module in MODULES
                  for view in module.router.path_operations.values() for op in view.operations}
    assert operations == set(ENDPOINTS)
    assert {pattern.name for pattern in urlpatterns} == {name.split()[0] for name in PAGES}
    acting = {}
    for info in pkgutil.iter_modules(services_package.__path__):
        module = import_module(f"{services_package.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            parameters = inspect.signature(function).parameters
            if function.__module__ == module.__name__ and not name.startswith("_"):
                assert "user" not in parameters, f"{name} takes user=, not actor="
                if "actor" in parameters:
                    acting[name] = parameters["actor"].kind
    assert set(acting) == {name.split()[0] for name in SERVICES}
    assert set(acting.values()) == {inspect.Parameter.KEYWORD_ONLY}


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
    assert permissions.can_export(actor) == (role in EXPORT)


def test_the_system_reads_everything_and_nobody_reads_nothing(world):
    ids = {world["other"].pk, world["other2"].pk}
    assert set(customer_list(user=SYSTEM).filter(pk__in=ids).values_list("pk", flat=True)) == ids
    assert not customer_list(user=None).exists()
    assert not permissions.can_see_personal_data(user=None, customer=world["other"])
    assert set(permissions.OWNER_ROLES) == {Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.SALES_REP, Role.SALES_MANAGER,
                                            Role.KEY_ACCOUNT_MANAGER, Role.ADMIN}
