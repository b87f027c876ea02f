"""The leads' permission table as a matrix: every role × every write service and its endpoint.
Allowed roles succeed; refused ones get the permission error (403, or 404 where the lead is outside
what they may read) and nothing changes in marketing's tables (history included).

The world: a lead owned by a sales representative of another team than the actor's, submitted by
that representative; the actor is a fresh user of the role under test in a team of their own. So
OWN-scoped roles are refused on it, and the table decides everything else. A second matrix checks
which leads each role reads: its own, the pool, a colleague's, and one it submitted that someone
else now owns.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.selectors.leads import lead_get_for_user, lead_list
from guanxi.marketing.services import leads as services
from guanxi.marketing.services.imports import lead_import_start

from .factories import make_lead

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({Role.SALES_MANAGER, Role.ADMIN})
CAPTURERS = EVERYONE - {Role.ANALYST}
READ_ALL = MANAGERS | {Role.ANALYST}


def state() -> dict:
    return rows_of("marketing")


@pytest.fixture
def world(admin):
    owner = UserFactory(role=Role.SALES_REP, team=TeamFactory(kind="sales"))
    lead = make_lead(owner, person_name="周杰", mobile="13811112222")
    customer = make_customer(admin, name="周杰", mobile="13811113333")
    return {"lead": lead, "owner": owner, "customer": customer}


def _actor(role):
    return UserFactory(role=role, team=TeamFactory())


def _import(actor):
    """A one-shot lead import, its tasks run inline as they are queued."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        lead_import_start(actor=actor, upload=SimpleUploadedFile("leads.csv", "姓名,手机\n孙丽,13966667777\n".encode()),
                          dry_run=False)


def _services(world, tmp_path):
    lead = world["lead"]
    return {
        "create": (CAPTURERS, lambda a: services.lead_create(actor=a, data={"person_name": "新",
                                                                           "mobile": "13500001111"})),
        "update": (MANAGERS, lambda a: services.lead_update(actor=a, lead=lead, data={"city": "深圳"})),
        "contact": (MANAGERS, lambda a: services.lead_contact(actor=a, lead=lead)),
        "qualify": (MANAGERS, lambda a: services.lead_qualify(actor=a, lead=lead)),
        "disqualify": (MANAGERS, lambda a: services.lead_disqualify(actor=a, lead=lead, reason="no_need")),
        "convert": (MANAGERS, lambda a: services.lead_mark_converted(actor=a, lead=lead, customer=world["customer"])),
        "delete": (MANAGERS, lambda a: services.lead_delete(actor=a, lead=lead)),
        "web_form": (MANAGERS, lambda a: services.web_form_create(actor=a, slug="expo", title="展会")),
        "import": (CAPTURERS, _import),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["create", "update", "contact", "qualify", "disqualify", "convert", "delete",
                                  "web_form", "import"])
def test_services(world, tmp_path, role, name):
    allowed, call = _services(world, tmp_path)[name]
    actor = _actor(role)
    before = state()
    if role in allowed:
        call(actor)
        assert state() != before
    else:
        with pytest.raises((PermissionDenied, NotFound)):
            call(actor)
        assert state() == before


def _endpoints(lead_id: int):
    return {
        "create": (CAPTURERS, "post", "/api/v1/leads", {"person_name": "新", "mobile": "13500001111"}, 201),
        "update": (MANAGERS, "patch", f"/api/v1/leads/{lead_id}", {"city": "深圳"}, 200),
        "contact": (MANAGERS, "post", f"/api/v1/leads/{lead_id}/contact", {}, 200),
        "qualify": (MANAGERS, "post", f"/api/v1/leads/{lead_id}/qualify", {}, 200),
        "disqualify": (MANAGERS, "post", f"/api/v1/leads/{lead_id}/disqualify", {"reason": "no_need"}, 200),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["create", "update", "contact", "qualify", "disqualify"])
def test_endpoints(world, role, name):
    allowed, method, url, body, status = _endpoints(world["lead"].pk)[name]
    client = client_for(_actor(role))
    before = state()
    if method == "patch":
        response = client.patch(url, data=body, content_type="application/json")
    else:
        response = post_json(client, url, body)
    if role in allowed:
        assert response.status_code == status, response.content
        assert state() != before
    else:
        assert response.status_code in (403, 404), response.content
        if role in READ_ALL:
            assert response.status_code == 403
        assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_reads(world, role):
    actor = _actor(role)
    other = UserFactory(role=Role.SALES_REP)
    own = make_lead(SYSTEM, person_name="自己的", mobile="13600000001", owner=actor) if role in (
        Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER, Role.ADMIN) else None
    pool = make_lead(SYSTEM, person_name="公海", mobile="13600000002", owner=None)
    submitted = services.lead_create(actor=actor, data={"person_name": "我提交的", "mobile": "13600000003"},
                                     owner=None) if role in CAPTURERS else None
    if submitted is not None:
        services.lead_update(actor=SYSTEM, lead=submitted, data={}, owner=other)
    visible = set(lead_list(user=actor).values_list("pk", flat=True))
    expected = {
        Role.SALES_REP: {own, pool, submitted}, Role.KEY_ACCOUNT_MANAGER: {own, pool, submitted},
        Role.AGENT: {submitted}, Role.TEAM_LEAD: {submitted}, Role.SERVICE_MANAGER: {submitted},
        Role.PARTNER: {submitted},
    }.get(role)
    if expected is None:  # managers, analysts and administrators read every lead
        expected = {world["lead"], own, pool, submitted}
    assert visible == {lead.pk for lead in expected if lead is not None}
    for lead in expected - {None}:
        assert lead_get_for_user(user=actor, lead_id=lead.pk) == lead
