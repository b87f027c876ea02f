"""The 三包 warranty rules engine (SPEC E.7): pure functions over dataclasses, no database.

The numbers (windows, limits, depreciation) come in as `RuleParameters`, which the service builds
from the administrator-edited `WarrantyRule` rows; periods per part come in on the `Claim`.
Day counting: "within N days of sale" means at most N days after the period's start date
(the start day is day 0); the end date is the last day covered.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Remedy(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    LOANER = "loaner"
    REFUND_WITH_DEPRECIATION = "refund_with_depreciation"
    NOT_COVERED = "not_covered"


class ProofKind(StrEnum):
    INVOICE = "invoice"
    OTHER_PROOF = "other_proof"  # invoice stub or another proof of the sale date
    NONE = "none"


@dataclass(frozen=True)
class RuleParameters:
    """The rules' numbers; field names are the codes of the `WarrantyRule` rows."""

    refund_days: int = 7
    exchange_days: int = 15
    max_repairs: int = 2
    loaner_after_repair_days: int = 7
    exchange_after_repair_days: int = 30
    min_working_days_after_repair: int = 30
    depreciation_percent_per_day: Decimal = Decimal("0.5")
    no_proof_fallback_days: int = 90

    @classmethod
    def from_values(cls, values: dict) -> RuleParameters:
        """Build from {code: value}; unknown codes are ignored, missing ones keep the default."""
        return cls(**{f.name: type(f.default)(values[f.name]) for f in fields(cls) if f.name in values})


@dataclass(frozen=True)
class Period:
    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class Repair:
    started_on: dt.date
    finished_on: dt.date | None = None  # None: still in repair

    def days(self, as_of: dt.date, *, until: dt.date | None = None) -> int:
        end = self.finished_on or as_of
        if until is not None:
            end = min(end, until)
        return max(0, (end - self.started_on).days)


@dataclass(frozen=True)
class Claim:
    """One fault of one part of one sold product, with everything the rules look at."""

    sold_on: dt.date
    fault_date: dt.date
    period: Period
    price: Decimal
    proof_kind: ProofKind = ProofKind.INVOICE
    proof_date: dt.date | None = None  # the date on the invoice or the other proof
    factory_date: dt.date | None = None
    as_of: dt.date | None = None  # the day the decision is made; defaults to the fault date
    is_main_unit: bool = False
    is_gift: bool = False
    customer_wants: Remedy | None = None
    stock_available: bool = True
    repairs: tuple[Repair, ...] = ()
    exchanges: tuple[dt.date, ...] = ()  # days this part (or the whole product) was exchanged


@dataclass(frozen=True)
class AppliedRule:
    code: str
    reason: str


@dataclass(frozen=True)
class Decision:
    remedy: Remedy
    allowed: tuple[Remedy, ...]
    amount: Decimal | None
    rules: tuple[AppliedRule, ...]
    start_date: dt.date
    end_date: dt.date
    is_in_period: bool
    days_of_use: int
    repair_days: int = 0


class InvalidClaim(ValueError):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def depreciated_refund(price: Decimal, days_of_use: int, percent_per_day: Decimal) -> Decimal:
    """The price minus `percent_per_day` of it for every day of use, never below zero."""
    share = max(Decimal(0), 1 - Decimal(percent_per_day) * max(0, days_of_use) / 100)
    return (Decimal(price) * share).quantize(CENT, rounding=ROUND_HALF_UP)


def period_start(claim: Claim, params: RuleParameters) -> tuple[dt.date, AppliedRule]:
    """Invoice date; without an invoice the other proof's date; without either factory date + N days."""
    if claim.proof_kind == ProofKind.INVOICE and claim.proof_date:
        return claim.proof_date, AppliedRule(
            "start_invoice", f"The period runs from the invoice date {claim.proof_date}.")
    if claim.proof_kind == ProofKind.OTHER_PROOF and claim.proof_date:
        return claim.proof_date, AppliedRule(
            "start_proof", f"No invoice: the period runs from the proof's date {claim.proof_date}.")
    if claim.factory_date is None:
        raise InvalidClaim("factory_date", "without an invoice or other proof the factory date is needed")
    start = claim.factory_date + dt.timedelta(days=params.no_proof_fallback_days)
    return start, AppliedRule(
        "start_factory_fallback",
        f"No invoice or proof: the period runs from the factory date + {params.no_proof_fallback_days} days ({start}).")


def period_end(start: dt.date, period: Period, repairs: tuple[Repair, ...], as_of: dt.date) -> tuple[dt.date, int]:
    """The last day covered by a period from `start`, pushed back by the days spent in repairs that
    began inside it (an open repair counts up to `as_of`); returns (end, repair days)."""
    end = add_months(start, period.months) + dt.timedelta(days=period.days - 1)
    added = 0
    for repair in sorted(repairs, key=lambda r: r.started_on):
        if start <= repair.started_on <= min(end, as_of):
            days = repair.days(as_of)
            end += dt.timedelta(days=days)
            added += days
    return end, added


def decide(claim: Claim, params: RuleParameters | None = None) -> Decision:
    """Apply SPEC E.7 to one claim: the remedy, its alternatives, the money and the rules used."""
    params = params or RuleParameters()
    as_of = claim.as_of or claim.fault_date
    if claim.fault_date < claim.sold_on:
        raise InvalidClaim("fault_date", f"the fault date {claim.fault_date} is before the sale on {claim.sold_on}")
    if as_of < claim.fault_date:
        raise InvalidClaim("as_of", "the decision cannot be made before the fault")
    if claim.price < 0:
        raise InvalidClaim("price", "the price cannot be negative")
    first_start, start_rule = period_start(claim, params)
    rules = [start_rule]
    start, end, repair_days = first_start, *period_end(first_start, claim.period, claim.repairs, as_of)
    for restart in sorted(d for d in claim.exchanges if first_start < d <= claim.fault_date):
        # An exchange restarts the period; the customer never loses days already earned.
        new_end, new_repair_days = period_end(restart, claim.period, claim.repairs, as_of)
        start, repair_days = restart, new_repair_days
        end = max(end, new_end)
        rules.append(AppliedRule("exchange_restart", f"An exchange on {restart} restarted the period."))
    if repair_days:
        rules.append(AppliedRule("repair_days_excluded",
                                 f"{repair_days} days in repair do not count: the period ends on {end}."))
    if claim.is_gift:
        rules.append(AppliedRule("gift_covered", "A gifted item is covered the same way as a bought one."))

    repairs = [r for r in claim.repairs if start <= r.started_on <= as_of]
    finished = [r for r in repairs if r.finished_on is not None and r.finished_on <= claim.fault_date]
    open_repair = next((r for r in sorted(repairs, key=lambda r: r.started_on, reverse=True)
                        if r.finished_on is None), None)
    elapsed = max(0, (claim.fault_date - start).days)
    days_of_use = max(0, elapsed - sum(r.days(as_of, until=claim.fault_date) for r in repairs
                                       if r.started_on < claim.fault_date))
    in_period = claim.fault_date <= end
    out = _Outcome(claim, params, rules, days_of_use)

    if not in_period:
        last = max((r.finished_on for r in claim.repairs if r.finished_on and r.finished_on <= claim.fault_date),
                   default=None)
        if last is not None and (claim.fault_date - last).days < params.min_working_days_after_repair:
            rules.append(AppliedRule(
                "repair_guarantee",
                f"A repair must keep the product working {params.min_working_days_after_repair} days; the last "
                f"one finished on {last}, so the repair is free although the period ended on {end}."))
            return out.result(Remedy.REPAIR, (Remedy.REPAIR,), start, end, False, repair_days)
        rules.append(AppliedRule("out_of_period", f"The period ended on {end}: a repair is paid."))
        return out.result(Remedy.NOT_COVERED, (Remedy.NOT_COVERED,), start, end, False, repair_days)

    rules.append(AppliedRule("in_period", f"The fault on {claim.fault_date} is inside the period ending on {end}."))
    if claim.is_main_unit and open_repair is not None:
        open_days = open_repair.days(as_of)
        if open_days >= params.exchange_after_repair_days:
            rules.append(AppliedRule(
                "repair_overdue_exchange",
                f"The main unit has been in repair {open_days} days (limit {params.exchange_after_repair_days}): "
                "it is exchanged free for the same model."))
            return out.exchange_due(start, end, repair_days, with_repair=False)
        if open_days >= params.loaner_after_repair_days:
            rules.append(AppliedRule(
                "repair_overdue_loaner",
                f"The main unit has been in repair {open_days} days (limit {params.loaner_after_repair_days}): "
                "a loaner is provided free."))
            return out.result(Remedy.LOANER, (Remedy.LOANER,), start, end, True, repair_days)
    if elapsed <= params.refund_days:
        rules.append(AppliedRule(
            "refund_window", f"A fault {elapsed} days after the sale (at most {params.refund_days}): "
            "refund, exchange or repair, as the customer chooses."))
        allowed = (Remedy.REFUND, Remedy.EXCHANGE, Remedy.REPAIR) if claim.stock_available else (
            Remedy.REFUND, Remedy.REPAIR)
        wants = claim.customer_wants
        if wants == Remedy.EXCHANGE and not claim.stock_available:
            out.no_stock()
            return out.result(Remedy.REFUND, allowed, start, end, True, repair_days)
        if wants == Remedy.REFUND_WITH_DEPRECIATION:
            wants = Remedy.REFUND  # inside the refund window a refund is never depreciated
        remedy = wants if wants in allowed else (Remedy.EXCHANGE if claim.stock_available else Remedy.REFUND)
        return out.result(remedy, allowed, start, end, True, repair_days)
    if elapsed <= params.exchange_days:
        rules.append(AppliedRule(
            "exchange_window", f"A fault {elapsed} days after the sale (at most {params.exchange_days}): "
            "exchange or repair, as the customer chooses."))
        return out.exchange_due(start, end, repair_days, with_repair=True)
    if len(finished) >= params.max_repairs:
        rules.append(AppliedRule(
            "repeated_repair_exchange",
            f"Still faulty after {len(finished)} repairs in the period (limit {params.max_repairs}): "
            "exchange for the same model."))
        return out.exchange_due(start, end, repair_days, with_repair=False)
    rules.append(AppliedRule("free_repair", "Inside the period: the repair is free."))
    return out.result(Remedy.REPAIR, (Remedy.REPAIR,), start, end, True, repair_days)


@dataclass
class _Outcome:
    claim: Claim
    params: RuleParameters
    rules: list[AppliedRule]
    days_of_use: int

    def no_stock(self) -> None:
        self.rules.append(AppliedRule(
            "no_stock_refund", "The same model is not available: refund at the original price."))

    def exchange_due(self, start, end, repair_days, *, with_repair: bool) -> Decision:
        """An exchange is owed: exchange, or a full refund without stock, or a depreciated refund
        when the customer prefers money."""
        extra = (Remedy.REPAIR,) if with_repair else ()
        if not self.claim.stock_available:
            self.no_stock()
            return self.result(Remedy.REFUND, (Remedy.REFUND, *extra), start, end, True, repair_days)
        allowed = (Remedy.EXCHANGE, *extra, Remedy.REFUND_WITH_DEPRECIATION)
        wants = self.claim.customer_wants
        if wants in (Remedy.REFUND, Remedy.REFUND_WITH_DEPRECIATION):
            self.rules.append(AppliedRule(
                "depreciated_refund",
                f"An exchange is possible but the customer wants a refund: the price less "
                f"{self.params.depreciation_percent_per_day}% for each of {self.days_of_use} days of use."))
            return self.result(Remedy.REFUND_WITH_DEPRECIATION, allowed, start, end, True, repair_days)
        remedy = wants if wants in allowed else Remedy.EXCHANGE
        return self.result(remedy, allowed, start, end, True, repair_days)

    def result(self, remedy, allowed, start, end, in_period, repair_days) -> Decision:
        amount = None
        if remedy == Remedy.REFUND:
            amount = Decimal(self.claim.price).quantize(CENT, rounding=ROUND_HALF_UP)
        elif remedy == Remedy.REFUND_WITH_DEPRECIATION:
            amount = depreciated_refund(self.claim.price, self.days_of_use, self.params.depreciation_percent_per_day)
        return Decision(remedy=remedy, allowed=tuple(allowed), amount=amount, rules=tuple(self.rules),
                        start_date=start, end_date=end, is_in_period=in_period, days_of_use=self.days_of_use,
                        repair_days=repair_days)
