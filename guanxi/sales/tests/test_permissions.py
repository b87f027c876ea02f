"""The sales permission table as a matrix: every role × every write service and its endpoint.
Allowed roles succeed; refused ones get the permission error (403, or 404 where the deal is outside
what they read, 422 where the customer named is one they cannot see) and nothing changes in the sales
tables.

The world: a deal of a customer, both owned by a representative of another sales team than the
actor's; the actor is a fresh user of the role under test in a sales team of their own. So OWN- and
TEAM-scoped roles are refused on it, and the table decides everything else.
"""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.testing import client_for, post_json, rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import Opportunity, Region
from guanxi.sales.selectors.forecast import forecast
from guanxi.sales.selectors.opportunities import opportunity_get_for_user, opportunity_list
from guanxi.sales.services import analysis, configuration, opportunities, partners, quotas

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
ADMIN_ONLY = frozenset({Role.ADMIN})
CONFIGURERS = frozenset({Role.ADMIN, Role.SALES_MANAGER})
READ_ALL = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ANALYST, Role.ADMIN})
FORECAST_ALL = frozenset({Role.ANALYST, Role.ADMIN})
JUNE = dt.date(2030, 6, 1)


def state() -> dict:
    return rows_of("sales")


@pytest.fixture
def world(admin):
    team, _manager, (owner, _) = sales_team()
    customer = make_customer(owner, name="华星客户")
    opportunity = deal(owner, customer)
    region = configuration.region_save(actor=admin, name="华东")
    return {"team": team, "owner": owner, "customer": customer, "opportunity": opportunity, "region": region}


def actor_of(role: str):
    return UserFactory(role=role, team=TeamFactory(kind=TeamKind.SALES))


SERVICES = {
    "opportunity_create": (ADMIN_ONLY, lambda a, w: opportunities.opportunity_create(
        actor=a, customer=w["customer"], name="新商机", amount=Decimal(1000), expected_close_date=JUNE,
        owner=w["owner"])),
    "opportunity_update": (ADMIN_ONLY, lambda a, w: opportunities.opportunity_update(
        actor=a, opportunity=w["opportunity"], data={"amount": Decimal(2000)})),
    "opportunity_move": (ADMIN_ONLY, lambda a, w: opportunities.opportunity_move(
        actor=a, opportunity=w["opportunity"], stage=stage("需求确认"))),
    "opportunity_win": (ADMIN_ONLY, lambda a, w: opportunities.opportunity_win(actor=a, opportunity=w["opportunity"])),
    "opportunity_lose": (ADMIN_ONLY, lambda a, w: opportunities.opportunity_lose(
        actor=a, opportunity=w["opportunity"], reason=reason("lost"))),
    "stage_save": (CONFIGURERS, lambda a, w: configuration.stage_save(actor=a, name="签约", order=45, probability=90)),
    "reason_save": (CONFIGURERS, lambda a, w: configuration.reason_save(actor=a, kind="lost", name="交付周期长")),
    "channel_save": (CONFIGURERS, lambda a, w: configuration.channel_save(actor=a, code="wechat", name="微信")),
    "region_save": (CONFIGURERS, lambda a, w: configuration.region_save(actor=a, name="上海", parent=w["region"])),
    "outlet_save": (CONFIGURERS, lambda a, w: configuration.outlet_save(actor=a, name="徐汇营业厅",
                                                                          region=w["region"])),
    "rep_assign": (CONFIGURERS, lambda a, w: configuration.rep_assign(actor=a, user=w["owner"], region=w["region"])),
    "big_deal_amount_set": (CONFIGURERS, lambda a, w: configuration.big_deal_amount_set(actor=a,
                                                                                        amount=Decimal(900000))),
    "quota_set": (ADMIN_ONLY, lambda a, w: quotas.quota_set(actor=a, period="month", period_start=JUNE,
                                                            amount=Decimal(1), team=w["team"])),
    "expense_set": (ADMIN_ONLY, lambda a, w: analysis.expense_set(actor=a, team_id=w["team"].pk, month=JUNE,
                                                                  amount=Decimal(100))),
    "partner_deal_update": (ADMIN_ONLY, lambda a, w: partners.partner_deal_update(
        actor=a, opportunity=w["opportunity"], stage=stage("需求确认"), amount=Decimal(5),
        expected_close_date=JUNE)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_and_write_service(world, role, service):
    allowed, call = SERVICES[service]
    actor = actor_of(role)
    if role in allowed:
        call(actor, world)
        return
    before = state()
    with pytest.raises(PermissionDenied):
        call(actor, world)
    assert state() == before


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_system_runs_every_service_and_nobody_without_an_actor(world, service):
    _, call = SERVICES[service]
    before = state()
    for nobody in (None, UserFactory(role=Role.ADMIN, is_active=False)):
        with pytest.raises(PermissionDenied):
            call(nobody, world)
    assert state() == before
    call(SYSTEM, world)


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_scoped_by_the_table(world, role):
    actor = actor_of(role)
    seen = set(opportunity_list(user=actor).values_list("pk", flat=True))
    assert seen == ({world["opportunity"].pk} if role in READ_ALL else set())
    if role in FORECAST_ALL:
        forecast(user=actor, kind="month", first=JUNE, count=1, team_id=world["team"].pk)
    else:
        with pytest.raises(PermissionDenied):
            forecast(user=actor, kind="month", first=JUNE, count=1, team_id=world["team"].pk)


def test_the_team_and_the_customer_owner_reach_the_deal(world, admin):
    team, owner, opportunity = world["team"], world["owner"], world["opportunity"]
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    teammate = UserFactory(role=Role.SALES_REP, team=team)
    opportunities.opportunity_move(actor=manager, opportunity=opportunity, stage=stage("需求确认"))
    assert not opportunity_list(user=teammate).filter(pk=opportunity.pk).exists()
    with pytest.raises(PermissionDenied):
        opportunities.opportunity_move(actor=teammate, opportunity=opportunity, stage=stage("方案报价"))
    # A deal someone else opened on the owner's customer: the customer's owner reads and works on it.
    other = deal(manager, world["customer"], name="IPTV")
    assert opportunity_list(user=owner).filter(pk=other.pk).exists()
    opportunities.opportunity_move(actor=owner, opportunity=other, stage=stage("需求确认"))


def test_a_partner_sees_and_changes_only_its_organisations_deals(admin):
    partner_team, rival_team = TeamFactory(kind=TeamKind.PARTNER), TeamFactory(kind=TeamKind.PARTNER)
    first, colleague = (UserFactory(role=Role.PARTNER, team=partner_team) for _ in range(2))
    second = UserFactory(role=Role.PARTNER, team=rival_team)
    theirs = deal(first, make_customer(first, name="代理客户"))
    assert theirs.partner_id == partner_team.pk
    assert set(opportunity_list(user=first).values_list("pk", flat=True)) == {theirs.pk}
    assert set(opportunity_list(user=colleague).values_list("pk", flat=True)) == {theirs.pk}
    opportunities.opportunity_update(actor=colleague, opportunity=theirs, data={"amount": "12000"})
    assert not opportunity_list(user=second).exists()
    with pytest.raises(NotFound):
        opportunity_get_for_user(user=second, opportunity_id=theirs.pk)
    before = state()
    with pytest.raises(PermissionDenied):
        opportunities.opportunity_move(actor=second, opportunity=theirs, stage=stage("需求确认"))
    assert state() == before
    response = client_for(second).get(f"/api/v1/opportunities/{theirs.pk}")
    assert response.status_code == 404


# ---------------------------------------------------------------- endpoints


def _endpoints(w) -> dict:
    o = w["opportunity"].pk
    return {
        "create_opportunity": (ADMIN_ONLY, "post", "/api/v1/opportunities", {
            "customer": w["customer"].pk, "name": "新商机", "amount": "1000", "expected_close_date": "2030-06-30",
            "owner": w["owner"].pk}),
        "update_opportunity": (ADMIN_ONLY, "patch", f"/api/v1/opportunities/{o}", {"amount": "2000"}),
        "move_opportunity": (ADMIN_ONLY, "post", f"/api/v1/opportunities/{o}/move", {"stage": stage("需求确认").pk}),
        "win_opportunity": (ADMIN_ONLY, "post", f"/api/v1/opportunities/{o}/win", {}),
        "lose_opportunity": (ADMIN_ONLY, "post", f"/api/v1/opportunities/{o}/lose", {"reason": reason("lost").pk}),
        "create_opportunity_stage": (CONFIGURERS, "post", "/api/v1/opportunity-stages",
                                     {"name": "签约", "order": 45, "probability": 90}),
        "update_opportunity_stage": (CONFIGURERS, "put", f"/api/v1/opportunity-stages/{stage('需求确认').pk}",
                                     {"name": "需求确认", "order": 20, "probability": 30}),
        "set_sales_quota": (ADMIN_ONLY, "post", "/api/v1/sales/quotas", {
            "period": "month", "period_start": "2030-06-01", "amount": "1", "team": w["team"].pk}),
    }


ENDPOINTS = ("create_opportunity", "update_opportunity", "move_opportunity", "win_opportunity", "lose_opportunity",
             "create_opportunity_stage", "update_opportunity_stage", "set_sales_quota")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_role_and_write_endpoint(world, role, endpoint):
    allowed, method, url, body = _endpoints(world)[endpoint]
    client = client_for(actor_of(role))
    before = state()
    if method == "post":
        response = post_json(client, url, body)
    else:
        response = getattr(client, method)(url, data=body, content_type="application/json")
    if role in allowed:
        assert response.status_code in (200, 201), (role, response.content)
    else:
        refused = (403, 404, 422) if endpoint == "create_opportunity" else (403, 404)
        assert response.status_code in refused, (role, response.status_code, response.content)
        assert state() == before
    assert Region.objects.count() == 1 and Opportunity.objects.filter(pk=world["opportunity"].pk).exists()


# ---------------------------------------------------------------- analysis and partners (reads)

ANALYSTS = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER, Role.PARTNER, Role.ANALYST,
                      Role.ADMIN})
PARTNER_READERS = frozenset({Role.SALES_MANAGER, Role.ANALYST, Role.ADMIN})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_the_analysis_and_partner_endpoints(world, role):
    partner = TeamFactory(kind=TeamKind.PARTNER)
    client = client_for(actor_of(role))
    analysis_status = client.get("/api/v1/sales/analysis/product?period=year&start=2030-06-01").status_code
    assert analysis_status == (200 if role in ANALYSTS else 403)
    # Another team's analysis: managers are refused; representatives and partners get their own deals only.
    other_team = client.get(f"/api/v1/sales/analysis/channel?team={world['team'].pk}").status_code
    assert other_team == (403 if role not in ANALYSTS or role == Role.SALES_MANAGER else 200)
    assert client.get(f"/api/v1/partners/{partner.pk}").status_code == (200 if role in PARTNER_READERS else 404)
    assert client.get(f"/api/v1/partners/{partner.pk}/forecast").status_code == (
        200 if role in PARTNER_READERS else 404)
    listed = client.get("/api/v1/partners").json()["items"]
    assert [p["id"] for p in listed] == ([partner.pk] if role in PARTNER_READERS else [])
