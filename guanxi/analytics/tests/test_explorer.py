"""The OLAP explorer: its figures equal direct ORM queries on the same data after a warehouse
refresh; rows outside the viewer's scope never count; personal data stays masked; bad input is
refused with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Q, Sum

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.explorer.query import ExplorerQuery, Filter, explorer_run
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.services.history import interaction_record
from guanxi.customers.tests.factories import make_customer
from guanxi.orders.models import OrderLine, Payment
from guanxi.orders.tests.factories import DAY, order, pay, world
from guanxi.sales.tests.factories import sales_team
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)
YEAR = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 12, 31)}


@pytest.fixture(autouse=True)
def _warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop():
    """Two sales teams with orders, payments, cases and contacts over two months."""
    w = world()
    _team2, manager2, (rep2, _other2) = sales_team("华南销售")
    theirs = make_customer(rep2, name="李四")
    for day, quantity in ((DAY, 2), (DAY + dt.timedelta(days=40), 3)):
        order(w["rep"], w["customer"], w["product"], quantity=quantity, day=day)
        order(rep2, theirs, w["product"], quantity=quantity + 1, day=day)
    order(w["rep"], w["customer"], w["product"], quantity=9, confirm=False)  # a draft: no revenue
    pay(w["rep"], w["customer"], "500.00")
    pay(rep2, theirs, "300.00")
    for customer, actor, kind in ((w["customer"], w["rep"], "fault"), (theirs, rep2, "complaint"),
                                  (theirs, rep2, "fault")):
        ticket_create(actor=actor, customer=customer, data={"subject": "宽带断线", "type": kind, "channel": "hotline"})
    interaction_record(actor=SYSTEM, customer=theirs, channel="call",
                       occurred_at=dt.datetime(2026, 3, 8, 20, tzinfo=dt.UTC), duration_seconds=120)
    warehouse_refresh(actor=SYSTEM, full=True)
    return {**w, "manager2": manager2, "rep2": rep2, "theirs": theirs}


def q(measures, rows=(), columns=(), filters=(), **dates):
    return ExplorerQuery(measures=tuple(measures), rows=tuple(rows), columns=tuple(columns),
                         filters=tuple(filters), **(dates or YEAR))


def test_revenue_by_month_and_team_equals_the_orm(shop):
    analyst = UserFactory(role=Role.ANALYST)
    pivot = explorer_run(user=analyst, query=q(["revenue", "order_lines"], rows=["month"], columns=["team"]))
    sold = OrderLine.objects.filter(order__status__in=["confirmed", "delivered"])
    expected = {}
    for line in sold.select_related("order"):
        key = (line.order.order_date.year * 100 + line.order.order_date.month, line.order.team_id)
        expected[key] = expected.get(key, Decimal(0)) + line.line_total
    found = {}
    for r, row in enumerate(pivot.row_headers):
        for c, column in enumerate(pivot.column_headers):
            if pivot.values[r][c][0] is not None:
                found[(row[0].key, column[0].key)] = Decimal(str(pivot.values[r][c][0]))
    assert found == expected
    assert Decimal(str(pivot.total[0])) == sold.aggregate(s=Sum("line_total"))["s"]
    assert pivot.total[1] == sold.count()
    assert [h[0].label for h in pivot.row_headers] == ["2026-03", "2026-04"]


def test_cases_payments_and_contacts_equal_the_orm(shop):
    analyst = UserFactory(role=Role.ANALYST)
    pivot = explorer_run(user=analyst, query=q(["cases"], rows=["case_type"]))
    by_type = dict(Ticket.objects.values_list("type").annotate(n=Count("id")))
    assert {h[0].key: pivot.values[i][0][0] for i, h in enumerate(pivot.row_headers)} == by_type
    assert "故障报修" in [h[0].label for h in pivot.row_headers]
    total = explorer_run(user=analyst, query=q(["received", "payments", "interactions"]))
    assert Decimal(str(total.total[0])) == Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert total.total[1:] == [Payment.objects.count(), 1]


def test_a_sales_managers_pivot_counts_only_their_teams_rows(shop):
    mine = explorer_run(user=shop["manager"], query=q(["revenue", "cases", "received"], rows=["team"]))
    assert [h[0].key for h in mine.row_headers] == [shop["team"].pk]
    lines = OrderLine.objects.filter(Q(order__team=shop["team"]) | Q(order__customer__team=shop["team"]),
                                     order__status__in=["confirmed", "delivered"])
    assert Decimal(str(mine.total[0])) == lines.aggregate(s=Sum("line_total"))["s"]
    assert mine.total[2] == 500.0
    # Whatever the dimensions and filters, the other team's rows never count.
    other = explorer_run(user=shop["manager"], query=q(["revenue"], filters=[
        Filter("team", (shop["rep2"].team_id,))]))
    assert other.total == [None]


def test_a_customer_dimension_is_masked_for_roles_without_personal_data(shop):
    analyst = UserFactory(role=Role.ANALYST)
    pivot = explorer_run(user=analyst, query=q(["revenue"], rows=["customer"]))
    labels = [h[0].label for h in pivot.row_headers]
    assert "李四" not in labels and "华星客户" not in labels
    assert all(label.endswith("**") for label in labels)
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    with pytest.raises(PermissionDenied):  # service managers see no revenue
        explorer_run(user=manager, query=q(["revenue"], rows=["customer"]))
    shown = explorer_run(user=manager, query=q(["cases"], rows=["customer"]))
    assert sorted(h[0].label for h in shown.row_headers) == ["华星客户", "李四"]
    rep = shop["rep"]
    with pytest.raises(PermissionDenied):
        explorer_run(user=UserFactory(role=Role.AGENT), query=q(["cases"]))
    own = explorer_run(user=rep, query=q(["revenue"], rows=["customer"]))
    assert [h[0].label for h in own.row_headers] == ["华星客户"]


@pytest.mark.parametrize(("query", "code"), [
    (dict(measures=["revenue"], rows=["nope"]), "validation_error"),
    (dict(measures=["bogus"]), "validation_error"),
    (dict(measures=[]), "validation_error"),
    (dict(measures=["revenue"], date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 4, 1)), "validation_error"),
    (dict(measures=["revenue"], date_from=dt.date(1000, 5, 1), date_to=dt.date(2026, 4, 1)), "validation_error"),
    (dict(measures=["revenue"], rows=["case_type"]), "validation_error"),
    (dict(measures=["revenue"], rows=["month"], columns=["month"]), "validation_error"),
    (dict(measures=["revenue"], filters=[Filter("team", ("x",))]), "validation_error"),
    (dict(measures=["revenue"], rows=["day"], columns=["product"], date_from=dt.date(2000, 1, 1),
          date_to=dt.date(2009, 1, 1)), "ok"),
])
def test_bad_queries_are_refused_with_a_reason(shop, query, code):
    analyst = UserFactory(role=Role.ANALYST)
    dates = {k: query.pop(k) for k in ("date_from", "date_to") if k in query}
    built = q(**query, **dates)
    if code == "ok":
        explorer_run(user=analyst, query=built)
        return
    with pytest.raises(ValidationFailed) as refused:
        explorer_run(user=analyst, query=built)
    assert refused.value.code == code
    assert refused.value.fields or refused.value.message


def test_too_many_cells_are_refused(shop, monkeypatch):
    from guanxi.analytics.explorer import query as module

    monkeypatch.setattr(module, "MAX_CELLS", 1)
    with pytest.raises(ValidationFailed) as refused:
        explorer_run(user=UserFactory(role=Role.ANALYST), query=q(["revenue"], rows=["month"]))
    assert refused.value.code == "too_many_cells"


def test_an_unbuilt_warehouse_is_reported(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "empty")
    with pytest.raises(Conflict) as refused:
        explorer_run(user=UserFactory(role=Role.ANALYST), query=q(["cases"]))
    assert refused.value.code == "warehouse_empty"
