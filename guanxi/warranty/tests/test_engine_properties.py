"""Properties of the 三包 engine that must hold for any claim."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.warranty.engine import (
    Claim,
    Period,
    ProofKind,
    Remedy,
    Repair,
    RuleParameters,
    decide,
    depreciated_refund,
)

DAY = dt.timedelta(days=1)
days = st.integers(min_value=0, max_value=800)
prices = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def repairs(draw, sold_on):
    start = sold_on + DAY * draw(st.integers(0, 500))
    length = draw(st.one_of(st.none(), st.integers(0, 60)))
    return Repair(start, None if length is None else start + DAY * length)


@st.composite
def claims(draw):
    sold_on = dt.date(2024, 1, 1) + DAY * draw(st.integers(0, 800))
    proof_kind = draw(st.sampled_from(list(ProofKind)))
    fault_date = sold_on + DAY * draw(days)
    return Claim(
        sold_on=sold_on, fault_date=fault_date, as_of=fault_date + DAY * draw(st.integers(0, 60)),
        period=draw(st.sampled_from([Period(months=12), Period(months=6), Period(months=3), Period(days=100)])),
        price=draw(prices), proof_kind=proof_kind,
        proof_date=None if proof_kind == ProofKind.NONE else sold_on + DAY * draw(st.integers(0, 3)),
        factory_date=sold_on - DAY * draw(st.integers(0, 200)), is_main_unit=draw(st.booleans()),
        is_gift=draw(st.booleans()),
        customer_wants=draw(st.one_of(st.none(), st.sampled_from([Remedy.REFUND, Remedy.EXCHANGE, Remedy.REPAIR]))),
        stock_available=draw(st.booleans()), repairs=tuple(draw(st.lists(repairs(sold_on), max_size=4))),
        exchanges=tuple(sold_on + DAY * d for d in draw(st.lists(st.integers(1, 500), max_size=2))),
    )


@given(claims(), st.integers(0, 500), st.integers(0, 90))
@settings(max_examples=300)
def test_adding_repair_days_never_moves_the_end_earlier(claim, offset, length):
    extra = Repair(claim.sold_on + DAY * offset, claim.sold_on + DAY * (offset + length))
    before = decide(claim).end_date
    after = decide(replace(claim, repairs=(*claim.repairs, extra))).end_date
    assert after >= before


@given(claims(), st.integers(1, 800))
@settings(max_examples=300)
def test_an_exchange_never_shortens_the_end_date(claim, offset):
    exchanged = decide(replace(claim, exchanges=(*claim.exchanges, claim.sold_on + DAY * offset)))
    assert exchanged.end_date >= decide(claim).end_date


@given(prices, st.integers(0, 1000), st.integers(0, 1000),
       st.decimals(min_value=0, max_value=5, places=2, allow_nan=False, allow_infinity=False))
def test_depreciated_refund_is_between_zero_and_the_price_and_falls_with_use(price, a, b, percent):
    fewer, more = sorted((a, b))
    assert Decimal(0) <= depreciated_refund(price, more, percent) <= depreciated_refund(price, fewer, percent) <= price


@given(claims())
@settings(max_examples=500)
def test_a_fault_outside_the_period_is_not_covered_unless_the_repair_guarantee_applies(claim):
    decision = decide(claim)
    codes = {r.code for r in decision.rules}
    if claim.fault_date > decision.end_date:
        assert not decision.is_in_period
        assert decision.remedy == Remedy.NOT_COVERED or (decision.remedy == Remedy.REPAIR
                                                          and "repair_guarantee" in codes)
    else:
        assert decision.is_in_period and decision.remedy != Remedy.NOT_COVERED


@given(claims())
@settings(max_examples=500)
def test_every_decision_is_consistent(claim):
    decision = decide(claim)
    assert decision.remedy in decision.allowed
    assert decision.rules and all(r.code and r.reason for r in decision.rules)
    assert (decision.amount is not None) == (decision.remedy in (Remedy.REFUND, Remedy.REFUND_WITH_DEPRECIATION))
    if decision.amount is not None:
        assert Decimal(0) <= decision.amount <= claim.price
    if decision.remedy == Remedy.REFUND_WITH_DEPRECIATION:
        assert claim.stock_available  # a missing model is refunded at the full price
    if Remedy.EXCHANGE in decision.allowed:
        assert claim.stock_available
    assert decision.start_date <= decision.end_date


@given(claims(), st.integers(1, 30))
def test_a_longer_refund_window_never_takes_a_refund_away(claim, extra):
    wants_refund = replace(claim, customer_wants=Remedy.REFUND)
    params = RuleParameters()
    longer = replace(params, refund_days=params.refund_days + extra, exchange_days=params.exchange_days + extra)
    if decide(wants_refund, params).remedy == Remedy.REFUND:
        assert decide(wants_refund, longer).remedy == Remedy.REFUND
