"""Table tests of every 三包 rule against the pure engine (no database)."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.warranty.engine import (
    Claim,
    InvalidClaim,
    Period,
    ProofKind,
    Remedy,
    Repair,
    RuleParameters,
    add_months,
    decide,
    depreciated_refund,
)

D = dt.date
SOLD = D(2025, 3, 1)
YEAR, HALF_YEAR, QUARTER = Period(months=12), Period(months=6), Period(months=3)
R = Remedy


def claim(**kw) -> Claim:
    base = dict(sold_on=SOLD, proof_kind=ProofKind.INVOICE, proof_date=SOLD, factory_date=D(2025, 1, 10),
                fault_date=SOLD, period=YEAR, price=Decimal("2000.00"), is_main_unit=True)
    return Claim(**{**base, **kw})


def codes(decision) -> list[str]:
    return [rule.code for rule in decision.rules]


# id, claim fields, remedy, allowed, amount, rule code that must apply, end date
CASES = [
    ("period from the invoice date", dict(fault_date=D(2025, 6, 1)),
     R.REPAIR, (R.REPAIR,), None, "start_invoice", D(2026, 2, 28)),
    ("period from the invoice stub without an invoice",
     dict(proof_kind=ProofKind.OTHER_PROOF, proof_date=D(2025, 3, 5), fault_date=D(2025, 6, 1)),
     R.REPAIR, (R.REPAIR,), None, "start_proof", D(2026, 3, 4)),
    ("no proof: factory date + 90 days",
     dict(proof_kind=ProofKind.NONE, proof_date=None, factory_date=D(2024, 12, 1), fault_date=D(2025, 6, 1)),
     R.REPAIR, (R.REPAIR,), None, "start_factory_fallback", D(2026, 2, 28)),
    ("days in repair push the end back",
     dict(fault_date=D(2025, 9, 1), repairs=(Repair(D(2025, 5, 1), D(2025, 5, 11)),)),
     R.REPAIR, (R.REPAIR,), None, "repair_days_excluded", D(2026, 3, 10)),
    ("fault on day 7: refund, exchange or repair; exchange recommended", dict(fault_date=D(2025, 3, 8)),
     R.EXCHANGE, (R.REFUND, R.EXCHANGE, R.REPAIR), None, "refund_window", D(2026, 2, 28)),
    ("fault on day 3, customer wants a refund: full price", dict(fault_date=D(2025, 3, 4), customer_wants=R.REFUND),
     R.REFUND, (R.REFUND, R.EXCHANGE, R.REPAIR), Decimal("2000.00"), "refund_window", D(2026, 2, 28)),
    ("fault on day 3, customer wants a repair", dict(fault_date=D(2025, 3, 4), customer_wants=R.REPAIR),
     R.REPAIR, (R.REFUND, R.EXCHANGE, R.REPAIR), None, "refund_window", D(2026, 2, 28)),
    ("day 3, wants exchange, model out of stock: refund at original price",
     dict(fault_date=D(2025, 3, 4), customer_wants=R.EXCHANGE, stock_available=False),
     R.REFUND, (R.REFUND, R.REPAIR), Decimal("2000.00"), "no_stock_refund", D(2026, 2, 28)),
    ("fault on day 8: exchange or repair", dict(fault_date=D(2025, 3, 9)),
     R.EXCHANGE, (R.EXCHANGE, R.REPAIR, R.REFUND_WITH_DEPRECIATION), None, "exchange_window", D(2026, 2, 28)),
    ("fault on day 15, customer wants a repair", dict(fault_date=D(2025, 3, 16), customer_wants=R.REPAIR),
     R.REPAIR, (R.EXCHANGE, R.REPAIR, R.REFUND_WITH_DEPRECIATION), None, "exchange_window", D(2026, 2, 28)),
    ("day 10, wants a refund: price less 0.5% a day of use",
     dict(fault_date=D(2025, 3, 11), customer_wants=R.REFUND),
     R.REFUND_WITH_DEPRECIATION, (R.EXCHANGE, R.REPAIR, R.REFUND_WITH_DEPRECIATION), Decimal("1900.00"),
     "depreciated_refund", D(2026, 2, 28)),
    ("day 10, same model out of stock: refund at original price",
     dict(fault_date=D(2025, 3, 11), stock_available=False),
     R.REFUND, (R.REFUND, R.REPAIR), Decimal("2000.00"), "no_stock_refund", D(2026, 2, 28)),
    ("fault on day 16: only a free repair", dict(fault_date=D(2025, 3, 17), customer_wants=R.REFUND),
     R.REPAIR, (R.REPAIR,), None, "free_repair", D(2026, 2, 28)),
    ("still faulty after two repairs: exchange for the same model",
     dict(fault_date=D(2025, 8, 1), repairs=(Repair(D(2025, 5, 1), D(2025, 5, 4)), Repair(D(2025, 6, 1),
                                                                                          D(2025, 6, 3)))),
     R.EXCHANGE, (R.EXCHANGE, R.REFUND_WITH_DEPRECIATION), None, "repeated_repair_exchange", D(2026, 3, 5)),
    ("two repairs, wants a refund: depreciated by days of use without repair days",
     dict(fault_date=D(2025, 4, 10), customer_wants=R.REFUND,
          repairs=(Repair(D(2025, 3, 20), D(2025, 3, 25)), Repair(D(2025, 4, 1), D(2025, 4, 6)))),
     R.REFUND_WITH_DEPRECIATION, (R.EXCHANGE, R.REFUND_WITH_DEPRECIATION), Decimal("1700.00"),
     "depreciated_refund", D(2026, 3, 10)),
    ("two repairs, model out of stock: refund at original price",
     dict(fault_date=D(2025, 8, 1), stock_available=False,
          repairs=(Repair(D(2025, 5, 1), D(2025, 5, 4)), Repair(D(2025, 6, 1), D(2025, 6, 3)))),
     R.REFUND, (R.REFUND,), Decimal("2000.00"), "no_stock_refund", D(2026, 3, 5)),
    ("one repair only: another free repair",
     dict(fault_date=D(2025, 8, 1), repairs=(Repair(D(2025, 5, 1), D(2025, 5, 4)),)),
     R.REPAIR, (R.REPAIR,), None, "free_repair", D(2026, 3, 3)),
    ("main unit in repair 7 days: free loaner",
     dict(fault_date=D(2025, 5, 1), as_of=D(2025, 5, 8), repairs=(Repair(D(2025, 5, 1)),)),
     R.LOANER, (R.LOANER,), None, "repair_overdue_loaner", D(2026, 3, 7)),
    ("main unit in repair 6 days: no loaner yet",
     dict(fault_date=D(2025, 5, 1), as_of=D(2025, 5, 7), repairs=(Repair(D(2025, 5, 1)),)),
     R.REPAIR, (R.REPAIR,), None, "free_repair", D(2026, 3, 6)),
    ("charger in repair 10 days: loaner only for the main unit",
     dict(is_main_unit=False, fault_date=D(2025, 5, 1), as_of=D(2025, 5, 11), repairs=(Repair(D(2025, 5, 1)),)),
     R.REPAIR, (R.REPAIR,), None, "free_repair", D(2026, 3, 10)),
    ("main unit not repaired in 30 days: exchanged free",
     dict(fault_date=D(2025, 5, 1), as_of=D(2025, 5, 31), repairs=(Repair(D(2025, 5, 1)),)),
     R.EXCHANGE, (R.EXCHANGE, R.REFUND_WITH_DEPRECIATION), None, "repair_overdue_exchange", D(2026, 3, 30)),
    ("main unit not repaired in 30 days, out of stock: refund at original price",
     dict(fault_date=D(2025, 5, 1), as_of=D(2025, 5, 31), stock_available=False, repairs=(Repair(D(2025, 5, 1)),)),
     R.REFUND, (R.REFUND,), Decimal("2000.00"), "no_stock_refund", D(2026, 3, 30)),
    ("after the period: not covered, paid repair", dict(fault_date=D(2026, 3, 1)),
     R.NOT_COVERED, (R.NOT_COVERED,), None, "out_of_period", D(2026, 2, 28)),
    ("after the period but 20 days after a repair: the repair must hold 30 days",
     dict(fault_date=D(2026, 3, 15), repairs=(Repair(D(2026, 2, 20), D(2026, 2, 23)),)),
     R.REPAIR, (R.REPAIR,), None, "repair_guarantee", D(2026, 3, 3)),
    ("after the period and 30 days after a repair: not covered",
     dict(fault_date=D(2026, 3, 25), repairs=(Repair(D(2026, 2, 20), D(2026, 2, 23)),)),
     R.NOT_COVERED, (R.NOT_COVERED,), None, "out_of_period", D(2026, 3, 3)),
    ("an exchange restarts the period", dict(fault_date=D(2026, 4, 1), exchanges=(D(2025, 9, 1),)),
     R.REPAIR, (R.REPAIR,), None, "exchange_restart", D(2026, 8, 31)),
    ("after an exchange the refund window runs from the exchange",
     dict(fault_date=D(2025, 9, 3), customer_wants=R.REFUND, exchanges=(D(2025, 9, 1),)),
     R.REFUND, (R.REFUND, R.EXCHANGE, R.REPAIR), Decimal("2000.00"), "exchange_restart", D(2026, 8, 31)),
    ("a gift is covered the same way", dict(is_gift=True, price=Decimal("0"), fault_date=D(2025, 6, 1)),
     R.REPAIR, (R.REPAIR,), None, "gift_covered", D(2026, 2, 28)),
    ("battery: six months", dict(period=HALF_YEAR, is_main_unit=False, fault_date=D(2025, 9, 1)),
     R.NOT_COVERED, (R.NOT_COVERED,), None, "out_of_period", D(2025, 8, 31)),
    ("wired headset: three months", dict(period=QUARTER, is_main_unit=False, fault_date=D(2025, 5, 31)),
     R.REPAIR, (R.REPAIR,), None, "in_period", D(2025, 5, 31)),
]


@pytest.mark.parametrize(("fields", "remedy", "allowed", "amount", "rule", "end"),
                         [pytest.param(*row[1:], id=row[0]) for row in CASES])
def test_rule(fields, remedy, allowed, amount, rule, end):
    decision = decide(claim(**fields))
    assert decision.remedy == remedy, codes(decision)
    assert decision.allowed == allowed
    assert decision.remedy in decision.allowed
    assert decision.amount == amount
    assert rule in codes(decision)
    assert decision.end_date == end
    assert all(r.reason for r in decision.rules)


@pytest.mark.parametrize(("fields", "field_name"), [
    pytest.param(dict(fault_date=D(2025, 2, 28)), "fault_date", id="fault before the sale"),
    pytest.param(dict(proof_kind=ProofKind.NONE, proof_date=None, factory_date=None), "factory_date",
                 id="no proof and no factory date"),
    pytest.param(dict(fault_date=D(2025, 5, 1), as_of=D(2025, 4, 1)), "as_of", id="decided before the fault"),
])
def test_invalid_claims_are_refused(fields, field_name):
    with pytest.raises(InvalidClaim) as caught:
        decide(claim(**fields))
    assert caught.value.field == field_name


@pytest.mark.parametrize(("params", "fields", "remedy"), [
    pytest.param(RuleParameters(refund_days=3), dict(fault_date=D(2025, 3, 6), customer_wants=R.REFUND),
                 R.REFUND_WITH_DEPRECIATION, id="a shorter refund window from data"),
    pytest.param(RuleParameters(max_repairs=1), dict(fault_date=D(2025, 8, 1), repairs=(
        Repair(D(2025, 5, 1), D(2025, 5, 4)),)), R.EXCHANGE, id="exchange after one repair from data"),
    pytest.param(RuleParameters(loaner_after_repair_days=3), dict(
        fault_date=D(2025, 5, 1), as_of=D(2025, 5, 4), repairs=(Repair(D(2025, 5, 1)),)), R.LOANER,
        id="loaner after three days from data"),
])
def test_rule_numbers_come_from_parameters(params, fields, remedy):
    assert decide(claim(**fields), params).remedy == remedy


def test_parameters_from_rows_convert_types_and_ignore_unknown_codes():
    params = RuleParameters.from_values({"refund_days": Decimal("5.00"), "depreciation_percent_per_day": Decimal("1"),
                                         "unknown": 3})
    assert params.refund_days == 5 and isinstance(params.refund_days, int)
    assert params.depreciation_percent_per_day == Decimal("1")
    assert params.exchange_days == 15


@pytest.mark.parametrize(("price", "days", "expected"), [
    pytest.param("1000", 0, "1000.00", id="no use"),
    pytest.param("1000", 10, "950.00", id="ten days"),
    pytest.param("999.99", 3, "984.99", id="rounded to the cent"),
    pytest.param("1000", 200, "0.00", id="fully depreciated"),
    pytest.param("1000", 400, "0.00", id="never negative"),
])
def test_depreciated_refund(price, days, expected):
    assert depreciated_refund(Decimal(price), days, Decimal("0.5")) == Decimal(expected)


@pytest.mark.parametrize(("day", "months", "expected"), [
    pytest.param(D(2025, 1, 31), 1, D(2025, 2, 28), id="end of month clamps"),
    pytest.param(D(2024, 2, 29), 12, D(2025, 2, 28), id="leap day"),
    pytest.param(D(2025, 11, 15), 3, D(2026, 2, 15), id="over the year end"),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
