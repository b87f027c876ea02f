"""The star schema's refresh, through the service: what it holds equals the operational tables;
an incremental refresh equals a rebuild from scratch; a failed refresh leaves the last warehouse."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.models import WarehouseChange, WarehouseRefresh
from guanxi.analytics.services import warehouse_refresh
from guanxi.analytics.warehouse import refresh as refresh_module
from guanxi.analytics.warehouse.store import connect, manifest_read
from guanxi.analytics.warehouse.tables import TABLES
from guanxi.core.errors import Conflict, PermissionDenied
from guanxi.customers.models import Customer, Interaction
from guanxi.customers.services.history import interaction_record
from guanxi.customers.services.imports import import_job_commit, import_job_create, import_job_validate
from guanxi.customers.tests.factories import make_customer
from guanxi.customers.tests.importing.helpers import person, write_csv
from guanxi.orders import services as orders
from guanxi.orders.models import OrderLine, Payment
from guanxi.orders.tests.factories import DAY, order, pay, world
from guanxi.servicedesk.models import Ticket
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    with time_machine.travel(NOW, tick=False):
        yield


def _snapshot(root=None) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: what a reader of the warehouse sees."""
    reader = connect(root=root)
    try:
        return {table.name: sorted(reader.execute(f"SELECT * FROM {table.name}").fetchall(), key=repr)
                for table in TABLES}
    finally:
        reader.close()


def _activity(w):
    """A day of business: orders (one confirmed, one changed, one cancelled), payments, cases, contacts."""
    first = order(w["rep"], w["customer"], w["product"], quantity=2)
    draft = order(w["rep"], w["customer"], w["product"], quantity=1, confirm=False)
    orders.order_update_lines(actor=w["rep"], order=draft, lines=[{"product": w["product"], "quantity": 3}])
    cancelled = order(w["rep"], w["customer"], w["product"], quantity=1)
    orders.order_cancel(actor=w["rep"], order=cancelled, reason="客户改变主意")
    pay(w["rep"], w["customer"], "500.00", orders=[(first, "500.00")])
    unpaid = order(w["rep"], w["customer"], w["product"], quantity=4)
    case = ticket_create(actor=w["rep"], customer=w["customer"],
                         data={"subject": "宽带断线", "type": "fault", "channel": "hotline"})
    ticket_transition(actor=w["rep"], ticket=case, status="resolved")
    interaction_record(actor=SYSTEM, customer=w["customer"], channel="call",
                       occurred_at=dt.datetime(2026, 3, 8, 20, tzinfo=dt.UTC),
                       duration_seconds=180)
    return first, draft, unpaid


def test_a_full_refresh_holds_what_the_operational_tables_hold():
    w = world()
    _activity(w)
    run = warehouse_refresh(actor=SYSTEM, full=True)
    assert run.status == WarehouseRefresh.Status.DONE
    reader = connect()
    revenue = reader.execute("SELECT SUM(line_total) FROM fact_order_line WHERE order_status <> 'cancelled'").fetchone()
    lines = OrderLine.objects.exclude(order__status="cancelled")
    assert revenue[0] == sum(line.line_total for line in lines)
    assert reader.execute("SELECT COUNT(*) FROM fact_order_line").fetchone()[0] == OrderLine.objects.count()
    received = reader.execute("SELECT SUM(amount) FROM fact_payment").fetchone()[0]
    assert received == sum(p.amount for p in Payment.objects.all()) == Decimal("500.00")
    case = Ticket.objects.get()
    assert reader.execute("SELECT case_type, channel, status, created_date FROM fact_case").fetchall() == [
        (case.type, case.channel, case.status, dt.date(2026, 3, 9))]
    # Beijing time decides the day: 20:00 UTC on the 8th is 04:00 on the 9th in Beijing.
    assert reader.execute("SELECT occurred_date, duration_seconds FROM fact_interaction").fetchall() == [
        (dt.date(2026, 3, 9), 180)]
    assert reader.execute("SELECT is_live FROM dim_customer WHERE customer_id = ?", [w["customer"].pk]).fetchone()[0]
    assert WarehouseChange.objects.count() == 0  # the refresh consumed the change log


def test_an_incremental_refresh_equals_a_rebuild_from_scratch(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(refresh_module, "COMPACT_SHARE", 1000.0)  # keep the deltas: they are what is tested
    w = world()
    _first, draft, unpaid = _activity(w)
    warehouse_refresh(actor=SYSTEM, full=True)
    # The next day: more orders, a changed order (its lines re-read), a deleted contact, a closed case.
    second = order(w["rep"], w["customer"], w["product"], quantity=5, day=DAY + dt.timedelta(days=1))
    orders.order_update_lines(actor=w["rep"], order=draft, lines=[{"product": w["product"], "quantity": 1},
                                                                   {"product": w["product"], "quantity": 4}])
    orders.order_cancel(actor=w["rep"], order=unpaid, reason="重复下单")
    pay(w["rep"], w["customer"], "100.00", orders=[(second, "100.00")], day=DAY + dt.timedelta(days=1))
    Interaction.objects.all().delete()  # contacts are never deleted by the product; the trigger still sees it
    ticket_transition(actor=w["rep"], ticket=Ticket.objects.get(), status="closed")
    assert WarehouseChange.objects.exists()
    incremental = warehouse_refresh(actor=SYSTEM)
    assert incremental.mode == WarehouseRefresh.Mode.INCREMENTAL
    assert manifest_read().tables["fact_order_line"].delta  # it wrote deltas, not a new base
    after_increment = _snapshot()

    settings.WAREHOUSE_DIR = str(tmp_path / "rebuilt")
    warehouse_refresh(actor=SYSTEM, full=True)
    assert after_increment == _snapshot()
    assert after_increment["fact_interaction"] == []
    statuses = {row[0]: row[7] for row in after_increment["fact_order_line"]}
    assert statuses[unpaid.lines.get().pk] == "cancelled"


def test_an_import_is_captured_as_id_ranges_and_refreshed_like_a_rebuild(tmp_path, settings, admin):
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    w = world()
    warehouse_refresh(actor=SYSTEM, full=True)
    no_address = person(3, 省份="", 城市="", 区县="", 详细地址="")
    path = write_csv(tmp_path / "pos.csv", [person(i) for i in range(3)] + [no_address])
    job = import_job_commit(job=import_job_validate(job=import_job_create(actor=admin, path=path)))
    assert (job.status, job.message) == ("done", "")
    first, last = job.first_customer_id, job.last_customer_id
    assert last - first == 3
    changes = set(WarehouseChange.objects.values_list("source", "row_id", "last_row_id"))
    if connection.vendor == "postgresql":  # the insert triggers were paused: one row per source
        assert changes == {("customers_customer", first, last), ("customers_address", first, first + 2)}
    else:  # SQLite's triggers record row by row
        recorded = {row_id for source, row_id, _ in changes if source == "customers_customer"}
        assert recorded == set(range(first, last + 1))
    # The triggers are back on: a customer created afterwards is recorded as before.
    made = make_customer(w["rep"], name="新客户", mobile="13912345678")
    assert WarehouseChange.objects.filter(source="customers_customer", row_id=made.pk, last_row_id=None).exists()

    incremental = warehouse_refresh(actor=SYSTEM)
    assert incremental.mode == WarehouseRefresh.Mode.INCREMENTAL
    after_increment = _snapshot()
    assert {row[0] for row in after_increment["dim_customer"]} == set(Customer.objects.values_list("pk", flat=True))
    settings.WAREHOUSE_DIR = str(tmp_path / "rebuilt")
    warehouse_refresh(actor=SYSTEM, full=True)
    assert after_increment == _snapshot()


def test_deltas_are_folded_into_the_base_when_they_grow(monkeypatch):
    w = world()
    _activity(w)
    warehouse_refresh(actor=SYSTEM, full=True)
    monkeypatch.setattr(refresh_module, "COMPACT_FILES", 2)
    for day in range(1, 5):
        order(w["rep"], w["customer"], w["product"], quantity=day, day=DAY + dt.timedelta(days=day))
        warehouse_refresh(actor=SYSTEM)
    files = manifest_read().tables["fact_order_line"]
    assert len(files.delta) <= 2
    before = _snapshot()
    warehouse_refresh(actor=SYSTEM, full=True)
    assert _snapshot() == before


def test_a_refresh_that_fails_half_way_leaves_the_last_warehouse_and_a_rerun_completes(monkeypatch):
    w = world()
    _activity(w)
    warehouse_refresh(actor=SYSTEM, full=True)
    committed = _snapshot()
    order(w["rep"], w["customer"], w["product"], quantity=7)
    real = refresh_module._delta_table

    def crash_on_payments(root, table, *args, **kwargs):
        if table.name == "fact_payment":
            raise OSError("disk full")
        return real(root, table, *args, **kwargs)

    monkeypatch.setattr(refresh_module, "_delta_table", crash_on_payments)
    with pytest.raises(OSError):
        warehouse_refresh(actor=SYSTEM)
    assert WarehouseRefresh.objects.latest("pk").status == WarehouseRefresh.Status.FAILED
    assert _snapshot() == committed  # the order lines written before the crash are not listed
    assert WarehouseChange.objects.exists()  # and the changes wait for the next refresh
    monkeypatch.setattr(refresh_module, "_delta_table", real)
    warehouse_refresh(actor=SYSTEM)
    quantities = sorted(row[4] for row in _snapshot()["fact_order_line"])
    assert 7 in quantities
    listed = manifest_read().files()
    on_disk = {str(path.relative_to(refresh_module.warehouse_dir())) for path in
               refresh_module.warehouse_dir().glob("*/*")}
    assert on_disk == listed  # the crashed run's files were removed


def test_only_one_refresh_at_a_time():
    world()
    root = refresh_module.warehouse_dir()
    with refresh_module.warehouse_lock(root), pytest.raises(Conflict) as refused:
        warehouse_refresh(actor=SYSTEM)
    assert refused.value.code == "warehouse_busy"
    assert not WarehouseRefresh.objects.exists()


def test_staff_who_may_not_refresh_are_refused():
    for role in (Role.AGENT, Role.SALES_REP, Role.SERVICE_MANAGER):
        with pytest.raises(PermissionDenied):
            warehouse_refresh(actor=UserFactory(role=role))
    assert not WarehouseRefresh.objects.exists()
    assert warehouse_refresh(actor=UserFactory(role=Role.ANALYST)).status == WarehouseRefresh.Status.DONE


def test_the_date_dimension_follows_chinas_working_calendar():
    world()
    warehouse_refresh(actor=SYSTEM, full=True)
    reader = connect()
    days = dict(reader.execute("SELECT date, is_working_day FROM dim_date").fetchall())
    assert days[dt.date(2026, 10, 1)] is False  # National Day
    assert days[dt.date(2026, 2, 17)] is False  # Spring Festival
    assert days[dt.date(2026, 2, 14)] is True  # a Saturday made a working day (调休)
    assert days[dt.date(2026, 3, 3)] is True
    name = reader.execute("SELECT holiday_name FROM dim_date WHERE date = DATE '2026-10-01'").fetchone()[0]
    assert "国庆" in name
