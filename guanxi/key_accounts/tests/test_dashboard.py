"""The key-account dashboard (portfolio and one account): its figures equal direct queries of the ledger,
sales and the service desk; a key-account manager's portfolio holds only their accounts, and another
manager's account dashboard is refused. The tier and manager change page: a reason is required (nothing
changes without one), the history keeps the change and the new manager is told by a hand-over task."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import ValidationFailed
from guanxi.core.testing import client_for
from guanxi.customers.models import Transaction
from guanxi.customers.tests.factories import make_customer
from guanxi.sales.models import Opportunity
from guanxi.sales.tests.factories import deal, sales_team
from guanxi.segments.tests.factories import make_snapshot, make_transactions
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.tasks.models import Task

from ..enums import EventKind
from ..models import GreenProcess, KeyAccount, KeyAccountEvent, Visit
from ..selectors import _ledger, account_dashboard, portfolio_dashboard
from ..services import key_account_change, key_account_designate, key_account_plan_save, visit_schedule
from .factories import CRITERIA_HIGH, kam, tier
from .red import red_world
from .test_api_pages import page_client

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


def designated(owner, manager, name):
    customer = make_customer(owner, kind="organisation", name=name)
    make_snapshot(customer, **CRITERIA_HIGH)
    return key_account_designate(actor=SYSTEM, customer=customer, tier=tier(), manager=manager, reason="收入大")


@pytest.fixture
def world(admin):
    with time_machine.travel(NOW, tick=False):
        _team, _manager, (rep, _other) = sales_team()
        first, second = kam(), kam()
        mine, theirs = designated(rep, first, "甲集团"), designated(rep, second, "丙集团")
        make_transactions(mine.customer, [("bill", dt.date(2026, 2, 1), 1000), ("refund", dt.date(2026, 3, 1), 100),
                                          ("bill", dt.date(2025, 5, 1), 500), ("order", dt.date(2024, 1, 5), 9)])
        make_transactions(theirs.customer, [("order", dt.date(2026, 1, 10), 2000)])
        deal(rep, mine.customer, amount="30000.00")
        deal(rep, theirs.customer, amount="5000.00")
        key_account_plan_save(actor=first, account=mine, year=2026, data={"revenue_target": "10000"})
        red_world(admin)
        red = ticket_create(actor=admin, customer=mine.customer,
                            data={"subject": "专线中断", "type": "fault", "channel": "hotline"})
    return {"first": first, "second": second, "mine": mine, "theirs": theirs, "red": red, "rep": rep}


def direct_ytd(customers) -> Decimal:
    rows = Transaction.objects.filter(customer__in=customers, occurred_at__year=2026)
    plus = rows.filter(kind__in=("bill", "order")).aggregate(s=Sum("amount"))["s"] or 0
    minus = rows.filter(kind__in=("refund", "reversal")).aggregate(s=Sum("amount"))["s"] or 0
    return plus - minus


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_the_portfolio_figures_equal_direct_queries(world):
    boss = UserFactory(role=Role.SALES_MANAGER)
    for days in (2, 9):
        visit_schedule(actor=SYSTEM, account=world["mine"], kind="manager_visit", subject="季度拜访",
                       scheduled_at=NOW + dt.timedelta(days=days), now=NOW)
    data = portfolio_dashboard(user=boss)
    customers = [world["mine"].customer, world["theirs"].customer]
    assert data["count"] == 2
    assert data["ytd"] == direct_ytd(customers) == Decimal("2900.00")
    assert data["pipeline"]["amount"] == Opportunity.objects.filter(customer__in=customers, status="open").aggregate(
        s=Sum("amount"))["s"] == Decimal("35000.00")
    assert sum(data["revenue_trend"]) == float(Transaction.objects.filter(
        customer__in=customers, occurred_at__gte=dt.datetime(2024, 7, 1, tzinfo=dt.UTC)).exclude(
        kind__in=("refund", "reversal")).aggregate(s=Sum("amount"))["s"] - 100)
    channels = {c["key"]: c for c in data["channels"]}
    assert (channels["red"]["open"], channels["red"]["late"]) == (1, 0)
    assert channels["cases"]["open"] == 1
    assert channels["green"]["open"] == GreenProcess.objects.filter(account__customer__in=customers,
                                                                    status="running").count()
    assert channels["yellow"]["open"] == 2 == Visit.objects.filter(account__customer__in=customers,
                                                                   status="planned").count()
    assert data["plan"]["attainment"] == Decimal("9.0")  # 900 of 10,000
    assert all(row["risk"] is None for row in data["top"]) and data["satisfaction"] is None
    open_deals = Opportunity.objects.filter(customer__in=customers, status="open")
    weighted = sum((o.amount * o.probability / 100 for o in open_deals), Decimal("0"))
    assert data["pipeline"]["weighted"] == weighted.quantize(Decimal("0.01")) and weighted > 0


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_a_key_account_managers_dashboards_hold_only_their_accounts(world):
    first = world["first"]
    data = portfolio_dashboard(user=first)
    assert data["count"] == 1 and [row["id"] for row in data["top"]] == [world["mine"].pk]
    assert data["ytd"] == direct_ytd([world["mine"].customer])
    assert data["pipeline"]["amount"] == Decimal("30000.00")
    page = page_client(first).get("/key-accounts/dashboard/")
    assert page.status_code == 200 and "甲集团" in page.content.decode() and "丙集团" not in page.content.decode()
    assert "尚无评分" in page.content.decode() and "No score yet" not in page.content.decode()
    own = page_client(first).get(f"/key-accounts/{world['mine'].pk}/dashboard/")
    assert own.status_code == 200 and world["red"].number in own.content.decode()
    refused = page_client(first).get(f"/key-accounts/{world['theirs'].pk}/dashboard/")
    assert refused.status_code == 403 and "丙集团" not in refused.content.decode()
    assert page_client(UserFactory(role=Role.AGENT)).get("/key-accounts/dashboard/").status_code == 403


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_one_accounts_dashboard_equals_direct_queries(world):
    mine = world["mine"]
    data = account_dashboard(user=world["first"], account=mine)
    assert data["ytd"] == direct_ytd([mine.customer]) == Decimal("900.00")
    assert data["actuals"]["attainment"] == Decimal("9.0")
    assert [o.amount for o in data["opportunities"]] == [Decimal("30000.00")]
    assert [t.pk for t in data["cases"]] == [world["red"].pk]


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_the_change_page_needs_a_reason_keeps_the_history_and_tells_the_new_manager(world):
    mine, second, boss = world["mine"], world["second"], UserFactory(role=Role.SALES_MANAGER)
    client = page_client(boss)
    url = f"/key-accounts/{mine.pk}/change/"
    form = {"tier": str(mine.tier_id), "manager": str(second.pk), "backup": ""}
    refused = client.post(url, {**form, "reason": "  "})
    assert refused.status_code == 422
    mine.refresh_from_db()
    assert mine.manager == world["first"] and not KeyAccountEvent.objects.filter(
        kind=EventKind.MANAGER_CHANGED).exists()
    assert client.post(url, {**form, "reason": "区域调整"}).status_code == 302
    mine.refresh_from_db()
    assert mine.manager == second
    event = KeyAccountEvent.objects.get(account=mine, kind=EventKind.MANAGER_CHANGED)
    assert event.reason == "区域调整" and event.actor == boss
    task = Task.objects.get(kind="hand_over", assignee=second)
    assert task.customer_id == mine.customer_id and "区域调整" in task.subject
    assert client.get(url).status_code == 200 and "区域调整" in client.get(url).content.decode()


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_a_key_account_manager_cannot_change_tiers_or_managers(world):
    first, mine = world["first"], world["mine"]
    assert page_client(first).get(f"/key-accounts/{mine.pk}/change/").status_code == 403
    response = page_client(first).post(f"/key-accounts/{mine.pk}/change/",
                                       {"tier": str(mine.tier_id), "manager": str(first.pk), "reason": "自己"})
    assert response.status_code == 403
    with pytest.raises(ValidationFailed):
        key_account_change(actor=SYSTEM, account=mine, reason="", tier=tier("strategic"))
    assert KeyAccount.objects.get(pk=mine.pk).tier_id == mine.tier_id
    assert client_for(first).get(f"/api/v1/key-accounts/{world['theirs'].pk}").status_code == 403
    assert client_for(first).get(f"/api/v1/key-accounts/{world['theirs'].pk}/dashboard").status_code == 403
    own = client_for(first).get(f"/api/v1/key-accounts/{mine.pk}/dashboard").json()
    assert Decimal(own["revenue_this_year"]) == Decimal("900.00") and own["risk"] is None
    assert {c["key"]: c["open"] for c in own["channels"]}["red"] == 1


def direct_net(customers, since, until) -> Decimal:
    rows = Transaction.objects.filter(customer__in=customers, occurred_at__gte=since, occurred_at__lt=until)
    plus = rows.filter(kind__in=("bill", "order")).aggregate(s=Sum("amount"))["s"] or 0
    minus = rows.filter(kind__in=("refund", "reversal")).aggregate(s=Sum("amount"))["s"] or 0
    return plus - minus


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_the_ledger_read_once_gives_each_window_and_month_as_direct_queries(world):
    """Per customer this year, the last 365 days and the 365 before (a bill a day either side of the
    boundary, a payment that is not revenue), and per month the portfolio's trend, in one statement."""
    mine, theirs = world["mine"].customer, world["theirs"].customer
    tz = dt.timezone(dt.timedelta(hours=8))
    end = dt.datetime(2026, 6, 16, tzinfo=tz)  # the day after 'today' (15 June in Beijing)
    boundary = end - dt.timedelta(days=365)
    make_transactions(mine, [("bill", boundary + dt.timedelta(minutes=1), 70), ("bill", boundary -
                             dt.timedelta(minutes=1), 30), ("payment", dt.date(2026, 4, 2), 5000),
                             ("reversal", dt.date(2026, 6, 1), 8), ("bill", dt.date(2026, 7, 1), 999)])
    customers = KeyAccount.objects.filter(pk__in=[world["mine"].pk, world["theirs"].pk]).values("customer_id")
    per_customer, months, trend = _ledger(customers, dt.date(2026, 6, 15))
    for customer in (mine, theirs):
        got = per_customer[customer.pk]
        assert got["ytd"] == direct_net([customer], dt.datetime(2026, 1, 1, tzinfo=tz), end)
        assert got["last12"] == direct_net([customer], boundary, end)
        assert got["prior12"] == direct_net([customer], end - dt.timedelta(days=730), boundary)
    assert per_customer[mine.pk]["last12"] == Decimal("962.00")  # 1000 + 70 - 100 - 8 (May 2025 is older)
    assert months[0] == "2024-07" and months[-1] == "2026-06" and len(trend) == 24
    for label, value in zip(months, trend, strict=True):
        first = dt.datetime.strptime(label, "%Y-%m").replace(tzinfo=tz)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        assert value == float(direct_net([mine, theirs], first, after)), label


@time_machine.travel(NOW + dt.timedelta(hours=1), tick=False)
def test_the_portfolio_reads_a_fixed_number_of_queries_whatever_its_size(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    boss = UserFactory(role=Role.SALES_MANAGER)
    with CaptureQueriesContext(connection) as two:
        portfolio_dashboard(user=boss)
    for n in range(5):
        extra = designated(world["rep"], world["first"], f"新增集团{n}")
        make_transactions(extra.customer, [("bill", dt.date(2026, 5, 1), 100 + n), ("bill", dt.date(2025, 5, 1), 50)])
        key_account_plan_save(actor=SYSTEM, account=extra, year=2026, data={"revenue_target": "1000"})
    with django_assert_max_num_queries(len(two.captured_queries)):
        data = portfolio_dashboard(user=boss)
    assert data["count"] == 7 and len(data["top"]) == 7
    assert all(row["name"] and row["tier"] and row["manager"] for row in data["top"])
    ledger = [q["sql"] for q in two.captured_queries if "customers_transaction" in q["sql"]]
    assert len(ledger) == 1
