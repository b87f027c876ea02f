"""Value benchmark (`guanxi bench value`): a repeat-purchase ledger for the bench customers, loaded
with COPY, then one timed value run (every customer's value, segments, member counts).

The ledger follows the story the CLV models tell (BG/NBD + Gamma-Gamma), so that the fit has
something real to find: each customer makes a first purchase at a random moment of the last three
years, then buys at its own Poisson rate λ ~ Gamma(r, α) and, after each purchase, stays with
probability 1 − p after each repeat purchase, p ~ Beta(a, b); each purchase's amount is Gamma(6, ν) with the customer's
ν ~ Gamma(4, 75), about ¥150 on average. α is calibrated on a sample so that customers average
`--transactions-per-customer` purchases. Purchases are orders (60 %) or bills (40 %); 92 % of bills
are paid 1–20 days later and 3 % of orders are refunded. The generating parameters are reported
with the fitted ones.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from guanxi.core.copy import frame_csv_chunks
from guanxi.customers.enums import InteractionChannel, TransactionKind
from guanxi.customers.models import Customer, Transaction

from .generate import INDEX_MEMORY, _rebuild_indexes
from .history import _secondary_indexes

YEARS = 3
R, A, B = 0.75, 0.8, 3.5  # BG/NBD: rate shape; dropout Beta(a, b)
P, Q, V = 6.0, 4.0, 75.0  # Gamma-Gamma: purchase shape; ν ~ Gamma(q, rate v)
MAX_PURCHASES = 150
CHUNK = 200_000  # customers simulated and copied at a time


def _simulate(rng: np.random.Generator, n: int, alpha: float, weeks: float) -> tuple[np.ndarray, np.ndarray]:
    """(customer index, week of purchase) of every purchase of `n` customers, first included."""
    first = rng.uniform(0, weeks, n)  # weeks before now
    rate = rng.gamma(R, 1 / alpha, n)
    dropout = rng.beta(A, B, n)
    owners, moments = [np.arange(n)], [first]
    active = np.arange(n)
    at = first.copy()
    for purchase in range(MAX_PURCHASES - 1):
        # Drops out after a repeat purchase with probability p (never right after the first one).
        if purchase:
            active = active[rng.random(len(active)) >= dropout[active]]
        if not len(active):
            break
        at[active] -= rng.exponential(1 / np.maximum(rate[active], 1e-9))
        active = active[at[active] > 0]
        owners.append(active)
        moments.append(at[active].copy())
    return np.concatenate(owners), np.concatenate(moments)


def calibrate_alpha(per_customer: float, *, seed: int, sample: int = 20_000) -> float:
    """α that gives `per_customer` purchases on average (bisection on a sample)."""
    weeks = YEARS * 52.18
    lo, hi = 0.5, 500.0

    def mean(alpha):
        owners, _ = _simulate(np.random.default_rng(seed), sample, alpha, weeks)
        return len(owners) / sample

    for _ in range(25):  # bisection on log α: purchases fall as α grows
        mid = (lo * hi) ** 0.5
        if mean(mid) > per_customer:
            lo = mid
        else:
            hi = mid
    return (lo * hi) ** 0.5


def _rows(rng: np.random.Generator, customer_ids: np.ndarray, alpha: float, now: dt.datetime) -> pd.DataFrame:
    weeks = YEARS * 52.18
    owners, moments = _simulate(rng, len(customer_ids), alpha, weeks)
    nu = rng.gamma(Q, 1 / V, len(customer_ids))
    amounts = np.maximum(1.0, rng.gamma(P, 1 / nu[owners])).round(2)
    when = pd.Timestamp(now) - pd.to_timedelta(moments * 7 * 86_400, unit="s")
    is_bill = rng.random(len(owners)) < 0.4
    frames = [pd.DataFrame({"customer_id": customer_ids[owners], "kind": np.where(is_bill, "bill", "order"),
                            "occurred_at": when, "amount": amounts,
                            "channel": np.where(is_bill, "", InteractionChannel.OUTLET.value),
                            "description": np.where(is_bill, "月账单", "购买")})]
    paid = is_bill & (rng.random(len(owners)) < 0.92)
    pay_when = when[paid] + pd.to_timedelta(rng.integers(1, 21, paid.sum()), unit="D")
    keep = pay_when < pd.Timestamp(now)
    frames.append(pd.DataFrame({"customer_id": customer_ids[owners][paid][keep], "kind": TransactionKind.PAYMENT.value,
                                "occurred_at": pay_when[keep], "amount": amounts[paid][keep],
                                "channel": InteractionChannel.WEB.value, "description": "缴费"}))
    refunded = ~is_bill & (rng.random(len(owners)) < 0.03)
    refund_when = when[refunded] + pd.to_timedelta(rng.integers(1, 15, refunded.sum()), unit="D")
    keep = refund_when < pd.Timestamp(now)
    frames.append(pd.DataFrame({"customer_id": customer_ids[owners][refunded][keep],
                                "kind": TransactionKind.REFUND.value, "occurred_at": refund_when[keep],
                                "amount": amounts[refunded][keep], "channel": "", "description": "退货退款"}))
    rows = pd.concat(frames, ignore_index=True)
    rows["staff_id"] = pd.array([None] * len(rows), dtype="Int64")
    rows["team_id"] = pd.array([None] * len(rows), dtype="Int64")
    rows["external_id"] = pd.Series([None] * len(rows), dtype=object)
    rows["created_at"] = pd.Timestamp(now)
    return rows


def _copy(rows: pd.DataFrame) -> None:
    columns = [f.column for f in Transaction._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {Transaction._meta.db_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
        for chunk in frame_csv_chunks(rows[columns]):
            copy.write(chunk)


def load_transactions(*, per_customer: float = 3.0, seed: int = 11, now: dt.datetime | None = None) -> dict:
    """A repeat-purchase ledger for every live customer (see the module docstring), with COPY."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the value benchmark loads with COPY: run it on PostgreSQL")
    customer_ids = np.array(Customer.objects.alive().order_by("pk").values_list("pk", flat=True))
    if not len(customer_ids):
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    now = now or timezone.now()
    started = time.perf_counter()
    alpha = calibrate_alpha(per_customer, seed=seed)
    calibrated = time.perf_counter()
    table = Transaction._meta.db_table
    dropped = _secondary_indexes(table)
    with connection.cursor() as cursor:
        for name, _ in dropped:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    rng = np.random.default_rng(seed)
    total = 0
    try:
        for start in range(0, len(customer_ids), CHUNK):
            rows = _rows(rng, customer_ids[start:start + CHUNK], alpha, now)
            with transaction.atomic():
                _copy(rows)
            total += len(rows)
    finally:
        loaded = time.perf_counter()
        builds = _rebuild_indexes(dropped, memory=INDEX_MEMORY) if dropped else {}
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {"customers": len(customer_ids), "transactions": total, "per_customer": round(total / len(customer_ids), 2),
            "generating": {"r": R, "alpha": round(alpha, 4), "a": A, "b": B, "p": P, "q": Q, "v": V},
            "calibrate_seconds": round(calibrated - started, 2), "load_seconds": round(loaded - calibrated, 2),
            "index_seconds": round(time.perf_counter() - loaded, 2), "index_builds": builds}


def time_recompute() -> dict:
    """One value run over every customer, timed stage by stage."""
    from guanxi.accounts.access import SYSTEM
    from guanxi.segments.services import value_recompute

    started = time.perf_counter()
    run = value_recompute(actor=SYSTEM)
    seconds = time.perf_counter() - started
    clv = run.summary.get("clv", {})
    return {"customers": run.customers, "seconds": round(seconds, 2),
            "customers_per_second": round(run.customers / seconds) if seconds else None,
            "stages": run.summary.get("timings", {}), "clv": clv,
            "transactions": Transaction.objects.count()}
