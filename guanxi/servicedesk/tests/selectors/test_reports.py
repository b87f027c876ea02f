import datetime as dt

import pytest
import time_machine

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.selectors.reports import standard_attainment
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition
from guanxi.servicedesk.tests.factories import make_standard, office_calendar

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def at(m, d, hh=9, mm=0):
    return dt.datetime(2026, m, d, hh, mm, tzinfo=SH)


def resolve_case(agent, customer, opened, resolved):
    with time_machine.travel(opened, tick=False):
        case = ticket_create(actor=agent, customer=customer,
                             data={"subject": "故障", "type": "fault", "channel": "hotline"})
    with time_machine.travel(resolved, tick=False):
        ticket_transition(actor=agent, ticket=case, status="resolved")


def test_attainment_per_tier_and_month():
    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    calendar = office_calendar(admin)
    make_standard(admin, calendar, metric="fault_repair", target_minutes=24 * 60)
    make_standard(admin, calendar, metric="fault_repair", customer_tier="vip", target_minutes=4 * 60)
    vip, ordinary = make_customer(admin, name="大客户", arpu="900"), make_customer(admin, name="小客户", arpu="20")
    resolve_case(agent, vip, at(3, 2), at(3, 2, 11))           # met (2 h of 4)
    resolve_case(agent, vip, at(3, 3), at(3, 4, 11))           # breached
    resolve_case(agent, ordinary, at(3, 2), at(3, 3, 11))      # met
    resolve_case(agent, ordinary, at(4, 1), at(4, 2, 11))      # met, in April
    rows = standard_attainment(since=at(3, 1, 0), until=at(5, 1, 0), group_by=("tier",), period="month")
    table = {(r.period.astimezone(SH).month, r.group["tier"]): (r.met, r.total, r.rate) for r in rows}
    assert table == {(3, "vip"): (1, 2, 0.5), (3, "small"): (1, 1, 1.0), (4, "small"): (1, 1, 1.0)}


def test_running_clock_past_due_counts_as_breached():
    from guanxi.servicedesk.services.sweep import clocks_sweep

    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    make_standard(admin, office_calendar(admin), metric="resolution", target_minutes=60)
    with time_machine.travel(at(3, 2), tick=False):
        ticket_create(actor=agent, customer=None, data={"subject": "咨询", "type": "query", "channel": "web"})
    clocks_sweep(actor=SYSTEM, now=at(3, 2, 11))
    (row,) = standard_attainment(since=at(3, 1, 0), until=at(4, 1, 0), group_by=("metric",), period=None)
    assert (row.group, row.met, row.total) == ({"metric": "resolution"}, 0, 1)


def test_attainment_api_checks_role_and_input():
    from guanxi.core.testing import assert_error_body, client_for

    agent_client = client_for(UserFactory(role=Role.AGENT))
    params = {"since": "2026-03-01", "until": "2026-04-01"}
    assert_error_body(agent_client.get("/api/v1/service-standards/attainment", params), 403)
    manager = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    assert manager.get("/api/v1/service-standards/attainment", params).json() == []
    assert_error_body(manager.get("/api/v1/service-standards/attainment", {**params, "group_by": "planet"}),
                      422, "group_by")
    assert_error_body(manager.get("/api/v1/service-standards/attainment",
                                  {"since": "2026-04-01", "until": "2026-03-01"}), 422, "until")


def test_attainment_page_shows_the_trend_chart_to_managers_only():
    from django.test import Client

    admin, agent = UserFactory(role=Role.ADMIN), UserFactory(role=Role.AGENT)
    make_standard(admin, office_calendar(admin), metric="resolution", target_minutes=60)
    case = ticket_create(actor=agent, customer=None, data={"subject": "咨询", "type": "query", "channel": "web"})
    ticket_transition(actor=agent, ticket=case, status="resolved")
    manager = Client()
    manager.force_login(UserFactory(role=Role.SERVICE_MANAGER))
    page = manager.get("/service/attainment/")
    assert page.status_code == 200
    assert page.context["rows"][0]["rate"] == 100.0 and page.context["chart"]["series"]
    assert 'data-gx-chart="line"' in page.content.decode()
    outsider = Client()
    outsider.force_login(agent)
    assert outsider.get("/service/attainment/").status_code == 403
    assert "/service/attainment/" not in outsider.get("/").content.decode()


def test_attainment_page_marks_the_running_month_as_so_far_instead_of_a_result(client):
    import json

    from django.urls import reverse

    manager, agent = UserFactory(role=Role.SERVICE_MANAGER), UserFactory(role=Role.AGENT)
    admin = UserFactory(role=Role.ADMIN)
    make_standard(admin, office_calendar(admin), metric="fault_repair", target_minutes=24 * 60)
    customer = make_customer(admin, name="客户", arpu="20")
    resolve_case(agent, customer, at(10, 12), at(10, 12, 11))  # October: met
    resolve_case(agent, customer, at(11, 2), at(11, 4, 11))    # November, still running: breached so far
    with time_machine.travel(at(11, 5, 10), tick=False):  # signed in then: a session opened on another day expires
        client.force_login(manager)
        body = client.get(reverse("servicedesk:attainment"), {"months": 3}).content.decode()
    chart = json.loads(body.split('id="gx-attainment-trend" type="application/json">')[1].split("</script>")[0])
    assert chart["categories"] == ["2026-10", "2026-11（至今）"] and chart["partial"] == 1
    assert 'id="gx-attainment-partial"' in body
    with time_machine.travel(at(12, 5, 10), tick=False):  # November is over: a result like any other
        client.force_login(manager)
        body = client.get(reverse("servicedesk:attainment"), {"months": 3}).content.decode()
    assert "至今" not in body and 'id="gx-attainment-partial"' not in body
