"""Generated customers with a known churn mechanism, for the tests, the demo and the benchmark:
complaints, service-standard breaches still open and falling usage raise the odds of churning.

`planted_frame` draws the features and labels directly (the benchmark's million customers);
`plant_behaviour` writes the same mechanism as operational rows (interactions, cases) for existing
customers (the demo's own), `plant_customers` for new ones (the tests), so that the SQL features and
labels recover it end to end."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .features import FEATURES

# The planted drivers and the features that express each of them.
PLANTED = {"complaints": ("complaints_90d",), "open_breaches": ("open_breaches", "breaches_90d"),
           "falling_usage": ("usage_trend", "interactions_90d", "interactions_30d")}


def _mechanism(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    usage = rng.gamma(2.0, 3.0, n) + 0.5  # interactions per 90 days
    falling = rng.random(n) < 0.25
    drop = np.where(falling, rng.uniform(0.0, 0.3, n), rng.uniform(0.8, 1.3, n))
    complaints = rng.poisson(np.where(rng.random(n) < 0.2, 2.2, 0.1))
    open_breaches = rng.poisson(np.where(rng.random(n) < 0.15, 1.5, 0.05))
    logit = -4.2 + 1.3 * np.minimum(complaints, 4) + 1.6 * np.minimum(open_breaches, 3) + 3.2 * falling
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype("int8")
    drivers = np.stack([complaints >= 2, open_breaches >= 1, falling], axis=1)
    return {"usage": usage, "drop": drop, "complaints": complaints, "open_breaches": open_breaches,
            "churned": churned, "drivers": drivers, "falling": falling}


def planted_frame(n: int, *, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """`n` customers' features (FEATURES columns), churn labels, and for each customer which planted
    drivers apply (columns: complaints, open breaches, falling usage)."""
    rng = np.random.default_rng(seed)
    m = _mechanism(rng, n)
    prev = rng.poisson(m["usage"])
    now = rng.poisson(m["usage"] * m["drop"])
    frame = pd.DataFrame({
        "interactions_30d": rng.binomial(now, 0.33), "interactions_90d": now, "interactions_prev_90d": prev,
        "usage_trend": now - prev,
        "cases_90d": m["complaints"] + rng.poisson(0.8, n), "complaints_90d": m["complaints"],
        "breaches_90d": m["open_breaches"] + rng.poisson(0.1, n), "open_breaches": m["open_breaches"],
        "survey_score_180d": np.where(rng.random(n) < 0.4, rng.uniform(40, 100, n), np.nan),
        "survey_answers_180d": rng.poisson(1.0, n),
        "orders_180d": rng.poisson(2.0, n), "order_amount_180d": rng.gamma(2.0, 800.0, n).round(2),
        "paid_180d": rng.gamma(2.0, 700.0, n).round(2), "arrears": np.where(rng.random(n) < 0.1,
                                                                             rng.gamma(2.0, 300.0, n), 0.0),
        "tenure_days": rng.uniform(200, 3000, n),
    }, index=pd.RangeIndex(1, n + 1, name="customer_id")).astype("float64")
    return frame[list(FEATURES)], m["churned"], m["drivers"]


def drivers_recovered(reasons: np.ndarray, drivers: np.ndarray, features: list[str]) -> float:
    """Share of customers with at least one planted driver whose top reasons (feature indexes, -1
    for none) name at least one of their planted drivers."""
    groups = [np.array([features.index(f) for f in PLANTED[name]]) for name in PLANTED]
    hit = np.zeros(len(reasons), dtype=bool)
    for j, columns in enumerate(groups):
        hit |= drivers[:, j] & np.isin(reasons, columns).any(axis=1)
    affected = drivers.any(axis=1)
    return float(hit[affected].mean()) if affected.any() else 1.0


def plant_customers(n: int, *, seed: int, cutoff: dt.datetime, horizon_days: int = 90) -> dict:
    """Write `n` new customers (created 400 days before `cutoff`) with the planted mechanism (see
    `plant_behaviour`); returns the labels and drivers by customer id."""
    from guanxi.customers.models import Customer

    start = Customer.objects.count()
    customers = Customer.objects.bulk_create([
        Customer(code=f"CH{seed:03d}{start + i:07d}", kind="individual", name=f"流失测试{start + i}",
                 lifecycle_stage="mature", created_at=cutoff - dt.timedelta(days=400))
        for i in range(n)])
    ids = [c.pk for c in customers]
    Customer.objects.filter(pk__in=ids).update(created_at=cutoff - dt.timedelta(days=400))
    return plant_behaviour(ids, seed=seed, cutoff=cutoff, horizon_days=horizon_days)


def plant_behaviour(customer_ids: list[int], *, seed: int, cutoff: dt.datetime, horizon_days: int = 90) -> dict:
    """Give existing customers the planted mechanism: activity in the 180 days before `cutoff`,
    complaints and open breaches in the 90 before it, and — for those who do not churn — a contact in
    the `horizon_days` after it. A planted churner's own contacts in that window are removed; one
    with an order or a payment there stays a customer (the label the features will find). Bulk
    writes; returns the labels and drivers by customer id."""
    from django.db import connection

    from guanxi.customers.models import Interaction
    from guanxi.orders.models import Order, Payment
    from guanxi.servicedesk.models import Ticket

    rng = np.random.default_rng(seed)
    n = len(customer_ids)
    m = _mechanism(rng, n)
    ids = np.array(customer_ids, dtype="int64")
    end = cutoff + dt.timedelta(days=horizon_days)
    churners = ids[m["churned"] == 1].tolist()
    buying = set(Order.objects.filter(customer_id__in=churners, order_date__gt=cutoff.date(),
                                      order_date__lte=end.date()).values_list("customer_id", flat=True))
    buying |= set(Payment.objects.filter(customer_id__in=churners, received_on__gt=cutoff.date(),
                                         received_on__lte=end.date()).values_list("customer_id", flat=True))
    churned = np.where(np.isin(ids, list(buying)), 0, m["churned"]).astype("int8")
    Interaction.objects.filter(customer_id__in=ids[churned == 1].tolist(), occurred_at__gt=cutoff,
                               occurred_at__lte=end).delete()
    interactions, tickets = [], []

    def at(days_before: float) -> dt.datetime:
        return cutoff - dt.timedelta(days=float(days_before))

    for i, cid in enumerate(ids.tolist()):
        for _ in range(rng.poisson(m["usage"][i]) + 1):  # active before the cut-off: in the population
            interactions.append(Interaction(customer_id=cid, channel="call", direction="inbound",
                                            occurred_at=at(rng.uniform(91, 179))))
        for _ in range(max(rng.poisson(m["usage"][i] * m["drop"][i]), 0)):
            interactions.append(Interaction(customer_id=cid, channel="call", direction="inbound",
                                            occurred_at=at(rng.uniform(0.5, 89))))
        if not m["churned"][i]:
            after = cutoff + dt.timedelta(days=float(rng.uniform(1, horizon_days - 1)))
            interactions.append(Interaction(customer_id=cid, channel="call", direction="inbound", occurred_at=after))
        for k in range(m["complaints"][i] + m["open_breaches"][i]):
            complaint = k < m["complaints"][i]
            created = at(rng.uniform(20, 85))
            tickets.append(Ticket(
                number=f"CH{seed:03d}-{cid}-{k}", subject="投诉" if complaint else "报修",
                type="complaint" if complaint else "fault", channel="hotline", customer_id=cid,
                status="closed" if complaint else "open", created_at=created,
                breached_at=None if complaint else created + dt.timedelta(days=3),
                resolved_at=created + dt.timedelta(days=1) if complaint else None))
    planted = [(connection.ops.adapt_datetimefield_value(t.created_at), t.number) for t in tickets]
    Interaction.objects.bulk_create(interactions, batch_size=5000)
    Ticket.objects.bulk_create(tickets, batch_size=5000)
    with connection.cursor() as cursor:  # created_at is filled on insert: set it as planted
        cursor.executemany("UPDATE servicedesk_ticket SET created_at = %s WHERE number = %s", planted)
    return {"ids": ids, "churned": churned, "drivers": m["drivers"]}
