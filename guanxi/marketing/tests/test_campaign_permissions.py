"""The campaigns' permission table as a matrix: every role × every campaign service, endpoint and page.
Allowed roles succeed; refused ones get the permission error (403/404, or 422 when the record they
name is one they cannot see) and nothing changes in marketing's tables (history included).

The world: a draft campaign, and a launched campaign whose one member's customer is owned by a sales
representative of another team than the actor's; the actor is a fresh user of the role under test.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import assert_nobody_may, check_endpoint, check_service, client_for, rows_of
from guanxi.customers.permissions import customer_in_scope
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.selectors.campaigns import member_of
from guanxi.marketing.services import campaigns as services

from .campaign_factories import START, make_campaign

pytestmark = pytest.mark.django_db
ROLES = tuple(Role.values)
RUNS = frozenset({Role.SALES_MANAGER, Role.ADMIN})
READS = RUNS | {Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.ANALYST}
SEES_MONEY = RUNS | {Role.ANALYST}
NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ERRORS = (PermissionDenied, NotFound)
# Roles that record responses (opt-outs) for the customers they may read, whoever owns them.
FOR_THEIR_CUSTOMERS = {"respond": {Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER},
                       "opt_out": {Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.AGENT, Role.TEAM_LEAD,
                                   Role.SERVICE_MANAGER}}


def _allowed(name, role, allowed, actor, customer) -> bool:
    return role in allowed or (role in FOR_THEIR_CUSTOMERS.get(name, ()) and customer_in_scope(actor, customer))


def state() -> dict:
    return rows_of("marketing")


@pytest.fixture
def world(admin):
    rep = UserFactory(role=Role.SALES_REP, team=TeamFactory(kind="sales"))
    customer = make_customer(rep, name="孙七", mobile="13900000007", occupation="律师")
    draft = make_campaign(name="草稿", occupations="律师")
    live = make_campaign(name="进行中", occupations="律师")
    with time_machine.travel(NOON, tick=False):
        services.campaign_launch(actor=SYSTEM, campaign=live)
        services.campaigns_send_due()
    expense = services.expense_submit(actor=SYSTEM, campaign=live, amount="100", category="gifts", spent_on=START)
    return {"rep": rep, "customer": customer, "manager": UserFactory(role=Role.SALES_MANAGER),
            "draft": draft, "live": live, "expense": expense,
            "member": member_of(campaign=live, customer_id=customer.pk)}


def _services(w):
    return {
        "create": (RUNS, lambda a: services.campaign_create(actor=a, owner=w["manager"], data={
            "name": "新", "channels": ["call"], "starts_on": START, "ends_on": START})),
        "update": (RUNS, lambda a: services.campaign_update(actor=a, campaign=w["draft"], data={"name": "改"})),
        "launch": (RUNS, lambda a: services.campaign_launch(actor=a, campaign=w["draft"])),
        "cancel": (RUNS, lambda a: services.campaign_cancel(actor=a, campaign=w["live"])),
        "respond": (RUNS, lambda a: services.response_record(actor=a, member=w["member"], kind="interested")),
        "opt_out": (RUNS, lambda a: services.opt_out_record(actor=a, customer=w["customer"], channel="sms")),
        "expense": (RUNS, lambda a: services.expense_submit(actor=a, campaign=w["live"], amount="5",
                                                            category="other", spent_on=START)),
        "decide": (RUNS, lambda a: services.expense_decide(actor=a, expense=w["expense"], approve=True)),
        "track": (RUNS, lambda a: services.member_track(actor=a, member=w["member"], status="delivered")),
    }


SERVICE_NAMES = ["create", "update", "launch", "cancel", "respond", "opt_out", "expense", "decide", "track"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_services(world, role, name):
    allowed, call = _services(world)[name]
    actor = UserFactory(role=role, team=TeamFactory())
    with time_machine.travel(NOON, tick=False):
        check_service(lambda: call(actor), allowed=_allowed(name, role, allowed, actor, world["customer"]),
                      state=state, errors=ERRORS)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_nobody_without_an_actor_and_the_system_may(world, name):
    _, call = _services(world)[name]
    with time_machine.travel(NOON, tick=False):
        assert_nobody_may(call, state, ERRORS)
        call(SYSTEM)


def test_a_representative_records_responses_and_opt_outs_for_own_customers(world):
    services.response_record(actor=world["rep"], member=world["member"], kind="question")
    services.opt_out_record(actor=world["rep"], customer=world["customer"], channel="email")


def _endpoints(w):
    live, draft = w["live"].pk, w["draft"].pk
    return {
        "list": (READS, "get", "/api/v1/campaigns", None),
        "detail": (READS, "get", f"/api/v1/campaigns/{live}", None),
        "members": (READS, "get", f"/api/v1/campaigns/{live}/members", None),
        "responses": (READS, "get", f"/api/v1/campaigns/{live}/responses", None),
        "expenses": (SEES_MONEY, "get", f"/api/v1/campaigns/{live}/expenses", None),
        "roi": (SEES_MONEY, "get", f"/api/v1/campaigns/{live}/roi", None),
        "opt_outs": (RUNS | {Role.ANALYST, Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.AGENT, Role.TEAM_LEAD,
                             Role.SERVICE_MANAGER}, "get", "/api/v1/campaign-opt-outs", None),
        "create": (RUNS, "post", "/api/v1/campaigns", {"name": "新", "channels": ["call"],
                                                         "starts_on": "2026-03-01", "ends_on": "2026-03-02"}),
        "update": (RUNS, "patch", f"/api/v1/campaigns/{draft}", {"name": "改"}),
        "launch": (RUNS, "post", f"/api/v1/campaigns/{draft}/launch", {}),
        "cancel": (RUNS, "post", f"/api/v1/campaigns/{live}/cancel", {}),
        "respond": (RUNS, "post", f"/api/v1/campaigns/{live}/responses",
                    {"member": w["member"].pk, "kind": "interested"}),
        "expense": (RUNS, "post", f"/api/v1/campaigns/{live}/expenses",
                    {"amount": "5", "category": "other", "spent_on": "2026-03-01"}),
        "decide": (RUNS, "post", f"/api/v1/campaigns/{live}/expenses/{w['expense'].pk}/decide", {"approve": True}),
        "track": (RUNS, "post", f"/api/v1/campaigns/{live}/members/{w['member'].pk}/track", {"status": "opened"}),
        "opt_out": (RUNS, "post", "/api/v1/campaign-opt-outs", {"customer": w["customer"].pk, "channel": "sms"}),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["list", "detail", "members", "responses", "expenses", "roi", "opt_outs", "create",
                                  "update", "launch", "cancel", "respond", "expense", "decide", "opt_out",
                                  "track"])
def test_endpoints(world, role, name):
    allowed, method, url, body = _endpoints(world)[name]
    actor = UserFactory(role=role, team=TeamFactory())
    may = _allowed(name, role, allowed, actor, world["customer"])
    if name == "opt_out":  # the API names the customer: only one the caller may read
        may = may and customer_in_scope(actor, world["customer"])
    with time_machine.travel(NOON, tick=False):
        check_endpoint(client_for(actor), method, url, body, state=state, refused=(403, 404, 422), allowed=may)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["campaigns", "campaign_detail", "campaign_create", "opt_outs"])
def test_pages(world, role, name):
    from django.test import Client
    from django.urls import reverse

    allowed = {"campaigns": READS, "campaign_detail": READS, "campaign_create": RUNS,
               "opt_outs": RUNS | {Role.ANALYST, Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.AGENT,
                                   Role.TEAM_LEAD, Role.SERVICE_MANAGER}}[name]
    client = Client()
    client.force_login(UserFactory(role=role, team=TeamFactory()))
    url = reverse(f"marketing:{name}", args=[world["live"].pk] if name == "campaign_detail" else [])
    response = client.get(url)
    assert response.status_code == (200 if role in allowed else 403 if name != "campaign_detail" or role in READS
                                    else 404), (role, name, response.status_code)
