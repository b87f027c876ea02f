"""Next-best-offer benchmark (`guanxi bench offers`): holdings for every live customer loaded with
COPY on PostgreSQL, one training timed (`offer_model_train`, as the weekly task runs it), then the
scoring of sampled customers timed one by one through the selector the 360 page, the case page and
`/api/v1/offers/customers/{id}` call (its one query included).

The holdings follow bundles, so that there is something to learn: individuals take a mobile plan,
often broadband, IPTV mostly with broadband, 视频彩铃 mostly with 5G; organisations take enterprise
broadband, a private line, cloud mostly with a private line. Each customer's products start on
increasing days (the last one is what the evaluation holds back); 12% also hold a competitor's.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import numpy as np
import pandas as pd
from django.db import connection, transaction

from guanxi.accounts.access import SYSTEM
from guanxi.core.copy import frame_csv_chunks
from guanxi.customers.enums import CustomerKind
from guanxi.customers.models import Customer, Holding

CHUNK = 200_000
START = dt.date(2023, 1, 1)
# (product, category, probability, or (probability when the condition is held, condition, otherwise))
PEOPLE = (("5G畅享套餐", "移动套餐", 0.55), ("4G飞享套餐", "移动套餐", 0.25), ("家庭宽带 500M", "宽带", 0.35),
          ("家庭宽带 千兆", "宽带", 0.10), ("魔百和 IPTV", "增值业务", (0.55, "宽带", 0.05)),
          ("视频彩铃", "增值业务", (0.45, "5G畅享套餐", 0.10)), ("国际漫游包", "增值业务", 0.05),
          ("亲情网", "增值业务", (0.40, "宽带", 0.10)))
ORGANISATIONS = (("企业宽带", "宽带", 0.6), ("集团专线 100M", "专线", 0.25), ("云主机", "云计算", (0.6, "专线", 0.1)),
                 ("集团V网", "集团业务", 0.35), ("400 热线", "集团业务", (0.4, "集团业务", 0.1)),
                 ("物联网卡", "物联网", 0.15))
COMPETITORS = {False: ("联通 冰激凌套餐", "移动套餐"), True: ("电信 天翼云", "云计算")}


def _baskets(rng, organisation: np.ndarray) -> list[tuple[int, str, str, bool]]:
    """(row, product, category, is_competitor) per holding, in the order taken."""
    rows = []
    for catalogue, who in ((PEOPLE, ~organisation), (ORGANISATIONS, organisation)):
        index = np.flatnonzero(who)
        held_categories: dict[str, np.ndarray] = {}
        for product, category, rule in catalogue:
            if isinstance(rule, tuple):
                p_with, condition, p_without = rule
                has = held_categories.get(condition, np.zeros(len(index), bool))
                if condition in {p for p, *_ in catalogue}:
                    has = held_categories.get("product:" + condition, has)
                chance = np.where(has, p_with, p_without)
            else:
                chance = np.full(len(index), rule)
            takes = rng.random(len(index)) < chance
            held_categories[category] = held_categories.get(category, np.zeros(len(index), bool)) | takes
            held_categories["product:" + product] = takes
            rows.extend((int(r), product, category, False) for r in index[takes])
        competitor = rng.random(len(index)) < 0.12
        product, category = COMPETITORS[catalogue is ORGANISATIONS]
        rows.extend((int(r), product, category, True) for r in index[competitor])
    return rows


def load_holdings(*, seed: int = 21) -> dict:
    """Replace every holding with bundle-shaped ones for every live customer (COPY)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the offers benchmark loads with COPY: run it on PostgreSQL")
    customers = pd.DataFrame.from_records(Customer.objects.alive().order_by("pk").values_list("pk", "kind"),
                                          columns=["id", "kind"])
    if customers.empty:
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    table = Holding._meta.db_table
    columns = ["created_at", "updated_at", "customer_id", "product", "category", "started_on", "monthly_fee",
               "status", "is_competitor"]
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
    for start in range(0, len(customers), CHUNK):
        part = customers.iloc[start:start + CHUNK]
        rows = _baskets(rng, (part["kind"] == CustomerKind.ORGANISATION).to_numpy())
        frame = pd.DataFrame(rows, columns=["row", "product", "category", "is_competitor"])
        frame = frame.sort_values("row", kind="stable")
        order = frame.groupby("row").cumcount().to_numpy()
        first = rng.integers(0, 500, len(part))
        frame["started_on"] = [START + dt.timedelta(days=int(first[r]) + 30 * int(n))
                               for r, n in zip(frame["row"], order, strict=True)]
        frame["customer_id"] = part["id"].to_numpy()[frame["row"].to_numpy()]
        frame["created_at"] = frame["updated_at"] = "2026-01-01 00:00:00+00"
        frame["monthly_fee"], frame["status"] = 0, "active"
        frame["is_competitor"] = frame["is_competitor"].map({True: "t", False: "f"})
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
            for chunk in frame_csv_chunks(frame[columns]):
                copy.write(chunk)
        total += len(frame)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {"customers": len(customers), "holdings": total, "seconds": round(time.perf_counter() - started, 1)}


def time_training(*, seed: int = 0) -> dict:
    from guanxi.offers.services import offer_model_train

    started = time.perf_counter()
    model = offer_model_train(actor=SYSTEM, seed=seed)
    return {"version": model.version, "algorithm": model.algorithm, "seconds": round(time.perf_counter() - started, 2),
            "customers": model.customers, "sample_size": model.sample_size, "metrics": model.metrics}


def time_scoring(*, samples: int = 2000, seed: int = 5) -> dict:
    """Score `samples` random customers one at a time (each loaded by id first, as the pages do)."""
    from guanxi.offers.selectors import customer_suggestions

    ids = list(Customer.objects.alive().order_by("pk").values_list("pk", flat=True))
    rng = np.random.default_rng(seed)
    picked = rng.choice(ids, size=min(samples, len(ids)), replace=False)
    customer_suggestions(user=SYSTEM, customer=Customer.objects.get(pk=int(picked[0])))  # loads the model once
    timings, cpu, offered = [], [], 0
    for pk in picked:
        customer = Customer.objects.get(pk=int(pk))
        began, began_cpu = time.perf_counter(), time.process_time()
        result = customer_suggestions(user=SYSTEM, customer=customer, limit=3)
        timings.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        offered += bool(result.suggestions)
    timings.sort()
    figures = {f"p{q}_ms": round(float(np.percentile(timings, q)), 2) for q in (50, 95, 99)}
    # This process's CPU time alone: what the scoring costs here, without the waits for a core that
    # other jobs on a shared machine add to the wall time (the database's share is in the wall time).
    figures |= {f"cpu_p{q}_ms": round(float(np.percentile(cpu, q)), 2) for q in (50, 95)}
    return {"customers_scored": len(timings), "with_offers": offered, **figures, "max_ms": round(timings[-1], 2),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def table_sizes() -> dict:
    with connection.cursor() as cursor:
        sizes = {}
        for table in ("customers_customer", "customers_holding", "customers_transaction"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            sizes[table] = cursor.fetchone()[0]
    return sizes
