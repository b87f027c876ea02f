"""The executive dashboard: every figure equals a direct query on the operational tables after a
refresh; periods are checked; each role sees its cards only; the records behind a figure are the
viewer's own list (the owning app's scoping)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F, Sum

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.dashboard.periods import Period
from guanxi.analytics.dashboard.read import dashboard_cards, dashboard_period, figure_records
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import make_customer
from guanxi.orders.models import OrderLine, Payment
from guanxi.orders.tests.factories import order, pay, world
from guanxi.sales.models import Opportunity
from guanxi.sales.services.opportunities import opportunity_win
from guanxi.sales.tests.factories import deal
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.surveys.models import Answer, Survey
from guanxi.surveys.services.surveys import survey_answer_by_phone
from guanxi.surveys.tests.factories import GOOD, closed_case, published_version, service_team

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 20, 10, tzinfo=BEIJING)
MARCH, FEBRUARY = Period("month", dt.date(2026, 3, 1)), Period("month", dt.date(2026, 2, 1))


@pytest.fixture(autouse=True)
def _warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")


def _at(day: int, month: int = 3, hour: int = 10):
    return time_machine.travel(dt.datetime(2026, month, day, hour, tzinfo=BEIJING), tick=False)


def _business(django_capture_on_commit_callbacks):
    """February and March of a small company: customers (one churned), orders and payments,
    opportunities (one won), cases (one breached), and answered surveys."""
    with _at(12, 2):
        w = world()
        _team, agent, _manager = service_team()
        published_version()
        order(w["rep"], w["customer"], w["product"], quantity=2, day=dt.date(2026, 2, 10))
        pay(w["rep"], w["customer"], "800.00", day=dt.date(2026, 2, 12))
        old = deal(w["rep"], w["customer"], amount="30000.00", close=dt.date(2026, 3, 25))
        with django_capture_on_commit_callbacks(execute=True):
            closed_case(agent, make_customer(SYSTEM, name="二月客户", mobile="13800138001"))
        ticket_create(actor=agent, customer=w["customer"], data={"subject": "咨询资费", "type": "consultation",
                                                                 "channel": "hotline"})
    with _at(20, 2):
        survey_answer_by_phone(actor=agent, survey=Survey.objects.get(), answers={**GOOD, 1: "2", 3: "3"})
    with _at(7):
        order(w["rep"], w["customer"], w["product"], quantity=3, day=dt.date(2026, 3, 5))
        order(w["rep"], w["customer"], w["product"], quantity=1, day=dt.date(2026, 3, 6), confirm=False)
        pay(w["rep"], w["customer"], "1500.00", day=dt.date(2026, 3, 7))
        make_customer(SYSTEM, name="流失客户", lifecycle_stage="churned")
        deal(w["rep"], w["customer"], amount="20000.00", close=dt.date(2026, 3, 28), probability=40)
        opportunity_win(actor=w["rep"], opportunity=Opportunity.objects.get(pk=old.pk))
        fault = ticket_create(actor=agent, customer=w["customer"], data={"subject": "宽带断线", "type": "fault",
                                                                         "channel": "hotline"})
        Ticket.objects.filter(pk=fault.pk).update(breached_at=dt.datetime(2026, 3, 6, tzinfo=BEIJING))
        with django_capture_on_commit_callbacks(execute=True):
            case = closed_case(agent, make_customer(SYSTEM, name="三月客户", mobile="13800138002"))
    with _at(8):
        survey_answer_by_phone(actor=agent, survey=Survey.objects.get(ticket=case), answers=GOOD)
    return w


def _month_bounds(period):
    start = dt.datetime.combine(period.start, dt.time(), BEIJING)
    return start, dt.datetime.combine(period.end, dt.time(), BEIJING)


def _direct(period):
    """The figures computed straight from the operational tables with the ORM."""
    start, end = _month_bounds(period)
    live = Customer.objects.filter(deleted_at__isnull=True, merged_into__isnull=True)
    customers = live.filter(created_at__lt=end).count()
    churned = live.filter(lifecycle_stage="churned", updated_at__gte=start, updated_at__lt=end).count()
    billed = OrderLine.objects.filter(order__status__in=("confirmed", "delivered"))
    revenue = billed.filter(order__order_date__gte=period.start, order__order_date__lt=period.end)
    revenue = revenue.aggregate(s=Sum("line_total"))["s"] or Decimal(0)
    net = Payment.objects.annotate(net=F("amount") - F("refunded"))
    collected = net.filter(received_on__gte=period.start, received_on__lt=period.end).aggregate(s=Sum("net"))["s"]
    owed = (billed.filter(order__order_date__lt=period.end).aggregate(s=Sum("line_total"))["s"] or 0) - (
        net.filter(received_on__lt=period.end).aggregate(s=Sum("net"))["s"] or 0)
    open_ = Opportunity.objects.filter(status="open", expected_close_date__gte=period.start,
                                       expected_close_date__lt=period.end)
    won = Opportunity.objects.filter(status="won", closed_at__gte=start, closed_at__lt=end)
    forecast = sum(o.amount * o.probability / 100 for o in open_) + sum(o.amount for o in won)
    cases = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    kept = cases.filter(breached_at__isnull=True).count()
    answers = Answer.objects.filter(answered_at__gte=start, answered_at__lt=end, score_pct__isnull=False)
    overall = answers.filter(question__type__in=("rating_5", "rating_10"), dimension="overall")
    nps = answers.filter(question__type="nps")
    promoters, detractors = nps.filter(score__gte=9).count(), nps.filter(score__lte=6).count()
    return {
        "customers": float(customers), "churn": float(churned),
        "arpu": float(round(revenue / customers, 2)) if customers else None,
        "revenue": float(revenue), "collected": float(collected or 0), "receivables": float(owed),
        "pipeline": float(forecast), "cases": float(cases.count()),
        "attainment": round(100.0 * kept / cases.count(), 1) if cases.count() else None,
        "csat": round(100.0 * overall.filter(score_pct__gte=75).count() / overall.count(), 1) if overall else None,
        "nps": round(100.0 * (promoters - detractors) / nps.count(), 1) if nps else None,
    }


def test_every_figure_equals_a_direct_query_on_the_same_data(django_capture_on_commit_callbacks):
    _business(django_capture_on_commit_callbacks)
    with time_machine.travel(NOW, tick=False):
        warehouse_refresh(actor=SYSTEM, full=True)
        analyst = UserFactory(role=Role.ANALYST)
        cards = {c.key: c for c in dashboard_cards(user=analyst, period=MARCH)}
    assert set(cards) == {"customers", "churn", "arpu", "revenue", "pipeline", "cases", "attainment", "satisfaction"}
    for period, index in ((MARCH, -1), (FEBRUARY, -2)):
        expected = _direct(period)
        got = {key: card.series[next(iter(card.series))][index] for key, card in cards.items()}
        got |= {name: cards["revenue"].series[name][index] for name in ("collected", "receivables")}
        got |= {name: cards["satisfaction"].series[name][index] for name in ("csat", "nps")}
        got.pop("satisfaction")
        assert got == expected, period
    # The story of the data, so that the comparison above is not between zeros.
    march = _direct(MARCH)
    assert march["revenue"] == 3000.0 and march["churn"] == 1.0 and march["attainment"] == 50.0
    assert march["pipeline"] == 30000.0 + 8000.0 and march["csat"] == 100.0
    assert cards["revenue"].value == 3000.0 and cards["revenue"].previous == 2000.0
    assert cards["revenue"].change == 50.0
    assert (cards["satisfaction"].value, cards["satisfaction"].previous) == (100.0, 0.0)
    assert cards["satisfaction"].series["nps"][-2:] == [-100.0, 100.0]
    by_stage = {(r["stage"], r["segment"]): r["value"] for r in cards["customers"].breakdown}
    assert by_stage[("churned", "individual")] == 1.0


def test_the_records_behind_a_figure_are_those_the_viewer_may_read(django_capture_on_commit_callbacks):
    w = _business(django_capture_on_commit_callbacks)
    with time_machine.travel(NOW, tick=False):
        warehouse_refresh(actor=SYSTEM, full=True)
        kind, rows = figure_records(user=UserFactory(role=Role.ANALYST), figure="cases", period=MARCH, key="fault")
        assert kind == "case" and [t.subject for t in rows] == ["宽带断线"]
        kind, rows = figure_records(user=w["manager"], figure="revenue", period=MARCH)
        assert kind == "order" and {o.order_date for o in rows} == {dt.date(2026, 3, 5)}
        # Another team's manager sees the figure but not the other team's orders behind it.
        from guanxi.sales.tests.factories import sales_team

        _team, stranger, _reps = sales_team()
        assert dashboard_cards(user=stranger, period=MARCH, only="revenue")[0].value == 3000.0
        assert list(figure_records(user=stranger, figure="revenue", period=MARCH)[1]) == []


def test_each_role_sees_its_cards_only():
    with time_machine.travel(NOW, tick=False):
        keys = {role: [c.key for c in dashboard_cards(user=UserFactory(role=role), period=MARCH)]
                for role in (Role.SALES_MANAGER, Role.SERVICE_MANAGER, Role.ANALYST)}
        assert keys[Role.SALES_MANAGER] == ["customers", "churn", "arpu", "revenue", "pipeline"]
        assert keys[Role.SERVICE_MANAGER] == ["customers", "churn", "cases", "attainment", "satisfaction"]
        assert len(keys[Role.ANALYST]) == 8
        for role in (Role.AGENT, Role.SALES_REP, Role.TEAM_LEAD):
            with pytest.raises(PermissionDenied):
                dashboard_cards(user=UserFactory(role=role), period=MARCH)
        with pytest.raises(PermissionDenied):
            dashboard_cards(user=UserFactory(role=Role.SERVICE_MANAGER), period=MARCH, only="revenue")


@pytest.mark.parametrize(("kind", "start"), [("week", None), ("month", dt.date(2026, 3, 2)),
                                             ("quarter", dt.date(2026, 2, 1)), ("month", dt.date(2026, 4, 1)),
                                             ("year", dt.date(1999, 1, 1))])
def test_impossible_periods_are_refused(kind, start):
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationFailed):
        dashboard_period(kind=kind, start=start)


def test_periods_default_to_the_last_whole_one_and_compare_with_the_one_before():
    with time_machine.travel(NOW, tick=False):
        quarter = dashboard_period(kind="quarter", start=None)
        running = dashboard_period(kind="quarter", start=dt.date(2026, 1, 1))
    assert (quarter.start, quarter.end, quarter.previous.start) == (
        dt.date(2025, 10, 1), dt.date(2026, 1, 1), dt.date(2025, 7, 1))
    assert [p.label for p in quarter.window()][-2:] == ["2025 Q3", "2025 Q4"]
    assert not quarter.is_running(NOW.date()) and running.is_running(NOW.date())


@pytest.mark.parametrize(("key", "value", "previous", "trend"), [
    ("revenue", 120, 100, "good"), ("revenue", 80, 100, "bad"), ("churn", 5, 10, "good"),
    ("churn", 12, 10, "bad"), ("cases", 150, 100, "neutral"), ("arpu", 50, None, None)])
def test_a_change_reads_good_or_bad_by_the_way_its_figure_should_move(key, value, previous, trend):
    from guanxi.analytics.dashboard.figures import Card

    assert Card(key=key, unit="count", value=value, previous=previous, periods=[]).trend == trend


def test_the_scheduled_refresh_leaves_the_current_figures_cached(django_capture_on_commit_callbacks, monkeypatch):
    from guanxi.analytics.dashboard import read
    from guanxi.analytics.tasks import refresh_warehouse

    _business(django_capture_on_commit_callbacks)
    with time_machine.travel(NOW, tick=False):
        refresh_warehouse(full=True)
        expected = {c.key: c.value for c in dashboard_cards(user=UserFactory(role=Role.ANALYST), period=MARCH)}
        # the figures of the current month, quarter and year come from the cache: no warehouse read
        monkeypatch.setattr(read, "connect", lambda *a, **k: pytest.fail("the warehouse was read"))
        for kind in ("month", "quarter", "year"):
            cards = dashboard_cards(user=UserFactory(role=Role.ANALYST), period=dashboard_period(kind=kind, start=None))
            assert len(cards) == 8
    assert expected["revenue"] == 3000.0 and cards[0].key == "customers"
