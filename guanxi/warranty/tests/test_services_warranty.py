import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.warranty import selectors
from guanxi.warranty.engine import Repair
from guanxi.warranty.models import RepairRecord, WarrantyDecision, WarrantyPolicy, WarrantyRule
from guanxi.warranty.services import (
    exchange_record,
    repair_finish,
    repair_start,
    warranty_decide,
)

from .factories import make_sale

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def sale(agent):
    return make_sale(agent)


def test_the_migration_seeds_part_periods_and_rule_numbers():
    periods = {p.code: (p.period_value, p.period_unit, p.is_main_unit) for p in WarrantyPolicy.objects.all()}
    assert periods == {"main_unit": (12, "months", True), "charger": (12, "months", False),
                       "battery": (6, "months", False), "wired_headset": (3, "months", False)}
    params = selectors.rule_parameters()
    assert (params.refund_days, params.exchange_days, params.max_repairs) == (7, 15, 2)
    assert (params.loaner_after_repair_days, params.exchange_after_repair_days) == (7, 30)
    assert params.min_working_days_after_repair == 30
    assert params.depreciation_percent_per_day == Decimal("0.5")
    assert params.no_proof_fallback_days == 90


def test_a_refund_in_the_first_week_is_stored_with_its_inputs(agent, sale):
    decision = warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2025, 3, 5),
                               customer_wants="refund", stock_available=True)
    decision.refresh_from_db()
    assert decision.remedy == "refund" and decision.amount == Decimal("2000.00")
    assert decision.allowed == ["refund", "exchange", "repair"]
    assert "refund_window" in [r["code"] for r in decision.rules]
    assert decision.end_date == D(2026, 2, 28) and decision.asked_by == agent
    assert decision.inputs["price"] == "2000.00" and decision.inputs["parameters"]["refund_days"] == "7"


def test_repair_history_is_loaded_from_the_records_and_two_repairs_mean_exchange(agent, sale):
    ticket = ticket_create(actor=agent, customer=sale.customer, data={"subject": "手机无法开机", "type": "fault",
                                                                       "channel": "hotline"})
    for start, end in ((D(2025, 5, 1), D(2025, 5, 4)), (D(2025, 6, 1), D(2025, 6, 3))):
        repair = repair_start(actor=agent, serial=sale.serial, part="main_unit", started_at=start, ticket=ticket)
        repair_finish(actor=agent, repair=repair, finished_at=end)
    decision = warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2025, 8, 1),
                               customer_wants=None, stock_available=True, as_of=D(2025, 8, 1))
    assert decision.remedy == "exchange"
    assert decision.end_date == D(2026, 3, 5)  # five days in repair do not count
    assert len(decision.inputs["repairs"]) == 2
    assert RepairRecord.objects.filter(ticket=ticket).count() == 2


def test_repairs_of_another_part_do_not_count(agent, sale):
    for start in (D(2025, 5, 1), D(2025, 6, 1)):
        repair = repair_start(actor=agent, serial=sale.serial, part="charger", started_at=start)
        repair_finish(actor=agent, repair=repair, finished_at=start + dt.timedelta(days=2))
    decision = warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2025, 8, 1),
                               customer_wants=None, stock_available=True, as_of=D(2025, 8, 1))
    assert decision.remedy == "repair" and decision.end_date == D(2026, 2, 28)


def test_explicit_repairs_replace_the_records(agent, sale):
    decision = warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2025, 5, 1),
                               customer_wants=None, stock_available=True, as_of=D(2025, 6, 5),
                               repairs=[Repair(D(2025, 5, 1))])
    assert decision.remedy == "exchange"
    assert "repair_overdue_exchange" in [r["code"] for r in decision.rules]


def test_an_exchange_record_restarts_the_period(agent, sale):
    exchange_record(actor=agent, sale=sale, exchanged_on=D(2025, 9, 1))
    decision = warranty_decide(actor=agent, sale=sale, part="battery", fault_date=D(2026, 1, 10),
                               customer_wants=None, stock_available=True, as_of=D(2026, 1, 10))
    assert decision.remedy == "repair" and decision.end_date == D(2026, 2, 28)
    assert "exchange_restart" in [r["code"] for r in decision.rules]


def test_an_exchanged_charger_does_not_restart_the_battery(agent, sale):
    exchange_record(actor=agent, sale=sale, exchanged_on=D(2025, 7, 1), part="charger")
    decision = warranty_decide(actor=agent, sale=sale, part="battery", fault_date=D(2025, 9, 10),
                               customer_wants=None, stock_available=True, as_of=D(2025, 9, 10))
    assert decision.remedy == "not_covered"


def test_no_proof_uses_the_factory_date_and_the_edited_rule_numbers(agent):
    sale = make_sale(agent, proof_kind="none", factory_date=D(2024, 12, 1))
    WarrantyRule.objects.filter(code="no_proof_fallback_days").update(value=30)
    # with the seeded 90 days the period would run from 2025-03-01 and cover this fault
    decision = warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2026, 1, 5),
                               customer_wants=None, stock_available=True, as_of=D(2026, 1, 5))
    assert decision.start_date == D(2024, 12, 31) and decision.end_date == D(2025, 12, 30)
    assert decision.remedy == "not_covered"


def test_a_fault_before_the_sale_is_refused_and_nothing_is_stored(agent, sale):
    with pytest.raises(ValidationFailed) as caught:
        warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2025, 2, 1), customer_wants=None,
                        stock_available=True)
    assert "fault_date" in caught.value.fields and "早于销售日期" in caught.value.message
    assert not WarrantyDecision.objects.exists()


@pytest.mark.parametrize(("part", "wants", "field"), [
    pytest.param("tyres", None, "part", id="unknown part"),
    pytest.param("main_unit", "loaner", "customer_wants", id="a loaner is not a customer's choice"),
])
def test_bad_requests_store_nothing(agent, sale, part, wants, field):
    with pytest.raises(ValidationFailed) as caught:
        warranty_decide(actor=agent, sale=sale, part=part, fault_date=D(2025, 3, 5), customer_wants=wants,
                        stock_available=True)
    assert field in caught.value.fields
    assert not WarrantyDecision.objects.exists()


def test_a_sales_rep_sees_only_sales_of_own_customers():
    rep, other = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    mine = make_sale(rep, customer=make_customer(rep, name="李四"), serial="SN-MINE")
    theirs = make_sale(other, customer=make_customer(other, name="王五"), serial="SN-THEIRS")
    assert selectors.sale_get_for_user(user=rep, sale_id=mine.pk) == mine
    with pytest.raises(NotFound):
        selectors.sale_get_for_user(user=rep, sale_id=theirs.pk)
    with pytest.raises(NotFound):
        selectors.serial_get_for_user(user=rep, serial="SN-THEIRS")


def test_serial_status_lists_every_part_with_its_end(agent, sale):
    unit, found = selectors.serial_get_for_user(user=agent, serial=sale.serial.serial)
    rows = {row["code"]: row for row in selectors.serial_status(sale=found, unit=unit, as_of=D(2025, 7, 1))}
    assert rows["main_unit"]["end_date"] == D(2026, 2, 28)
    assert rows["battery"]["end_date"] == D(2025, 8, 31)
    assert rows["wired_headset"]["end_date"] == D(2025, 5, 31) and rows["wired_headset"]["is_in_period"] is False


def test_a_fault_in_the_future_is_refused(agent, sale):
    with pytest.raises(ValidationFailed) as caught:
        warranty_decide(actor=agent, sale=sale, part="main_unit", fault_date=D(2025, 6, 2), customer_wants=None,
                        stock_available=True, as_of=D(2025, 6, 1))
    assert "fault_date" in caught.value.fields
    assert not WarrantyDecision.objects.exists()
