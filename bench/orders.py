"""Orders benchmark (`guanxi bench orders`): order lines (three an order) generated inside PostgreSQL
for the existing customers, owned by the bench sales teams (bench/sales.py), over two years; then the
reports timed in-process, as the pages and the API call them: the ageing report by customer and by team
(company-wide), a year's revenue by product, and one customer's orders on the 360 (panel and timeline).

Of every 20 orders one is a draft and one cancelled; of the sales, 8 in 10 are paid, 1 in 10 half paid
and 1 in 10 not at all, so the receivables are about an eighth of the orders. Loaded rows have no audit
history and no ledger rows (the reports read neither); the tables are vacuumed after the load, as
autovacuum would, so that the reports' index-only scans skip the heap.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from django.db import connection, transaction

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.models import User
from guanxi.catalog import services as catalog_services
from guanxi.catalog.models import Product
from guanxi.customers.models import Customer
from guanxi.orders import selectors
from guanxi.orders.models import Order, OrderLine
from guanxi.orders.timeline import sales_events

PRODUCTS = 60
START = dt.date(2024, 12, 1)
DAYS = 730
# line g of order i (g = 3i-2 .. 3i): its total in yuan, a deterministic spread from 100 to 5,099
LINE_TOTAL = "((({g}) * 7919) % 5000 + 100)"


def _products() -> list[int]:
    ids = list(Product.objects.filter(model_code__startswith="BENCH-").values_list("pk", flat=True))
    for n in range(len(ids), PRODUCTS):
        ids.append(catalog_services.product_create(actor=SYSTEM, model_code=f"BENCH-{n:03d}",
                                                   name=f"基准产品{n:03d}").pk)
    return ids


def generate_orders(*, lines: int, seed: int) -> dict:
    """Load `lines` order lines (and a third as many orders) in SQL; returns counts and seconds."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the orders benchmark loads with PostgreSQL")
    from bench.sales import ensure_sales_setup

    setup = ensure_sales_setup()
    reps = [(u.pk, u.team_id) for u in setup["reps"]]
    products = _products()
    low, high = Customer.objects.order_by("pk").values_list("pk", flat=True).first(), \
        Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    if low is None:
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    orders = lines // 3
    started = time.perf_counter()
    first = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rep_ids = "ARRAY[" + ",".join(str(r) for r, _t in reps) + "]"
    team_ids = "ARRAY[" + ",".join(str(t or "NULL") for _r, t in reps) + "]"
    product_ids = "ARRAY[" + ",".join(map(str, products)) + "]"
    order_total = "+".join(LINE_TOTAL.format(g=f"3*i-{k}") for k in (2, 1, 0))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO orders_order (id, number, customer_id, owner_id, team_id, status, order_date, due_on,
                total, received, outstanding, note, cancel_reason, created_at, updated_at)
            SELECT {first} + i - 1, 'BSO' || ({first} + i - 1), {low} + (i * 7477) % ({high} - {low} + 1),
                ({rep_ids})[1 + i % {len(reps)}], ({team_ids})[1 + i % {len(reps)}],
                CASE WHEN i % 20 = 0 THEN 'draft' WHEN i % 20 = 1 THEN 'cancelled'
                     WHEN i % 3 = 0 THEN 'confirmed' ELSE 'delivered' END,
                DATE '{START}' + (i % {DAYS})::int, DATE '{START}' + (i % {DAYS})::int + 30,
                ({order_total}),
                CASE WHEN i % 20 IN (0, 1) OR i % 10 = 2 THEN 0 WHEN i % 10 = 3 THEN ({order_total}) / 2
                     ELSE ({order_total}) END,
                CASE WHEN i % 20 IN (0, 1) THEN 0 WHEN i % 10 = 2 THEN ({order_total})
                     WHEN i % 10 = 3 THEN ({order_total}) - ({order_total}) / 2 ELSE 0 END,
                '', '', now(), now()
            FROM generate_series(1::bigint, {orders}) AS i""")
        cursor.execute(f"""
            INSERT INTO orders_orderline (order_id, product_id, quantity, list_price, unit_price, line_total, serial,
                order_date, is_sale)
            SELECT {first} + (g - 1) / 3, ({product_ids})[1 + (g * 31) % {len(products)}], 1,
                {LINE_TOTAL.format(g="g")}, {LINE_TOTAL.format(g="g")}, {LINE_TOTAL.format(g="g")}, '',
                DATE '{START}' + (((g - 1) / 3 + 1) % {DAYS})::int, ((g - 1) / 3 + 1) % 20 NOT IN (0, 1)
            FROM generate_series(1::bigint, {orders * 3}) AS g""")
        cursor.execute("SELECT setval(pg_get_serial_sequence('orders_order', 'id'), "
                       "(SELECT max(id) FROM orders_order))")
    with connection.cursor() as cursor:  # outside the transaction: the visibility map for index-only scans
        cursor.execute("VACUUM ANALYZE orders_order")
        cursor.execute("VACUUM ANALYZE orders_orderline")
    return {"orders": orders, "lines": orders * 3, "seconds": round(time.perf_counter() - started, 1),
            **table_sizes()}


def table_sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid))
                          FROM pg_class WHERE relkind = 'r' AND relname IN
                          ('customers_customer', 'orders_order', 'orders_orderline') ORDER BY relname""")
        return {name: {"rows": rows, "size": size} for name, rows, size in cursor.fetchall()}


def _timed(call, runs: int) -> dict:
    call()  # warm the caches once, as a running server would be
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[max(0, int(runs * 0.95) - 1)], 1),
            "max_ms": round(times[-1], 1), "runs": runs}


def time_reports(*, runs: int = 20, seed: int = 3) -> dict:
    """The reports' latencies over the loaded data (a superuser-like analyst reads them company-wide)."""
    analyst = User.objects.filter(role="analyst", is_active=True).first() or User.objects.filter(
        role="admin", is_active=True).first()
    rng = random.Random(seed)
    last = OrderLine.objects.order_by("-order_date").values_list("order_date", flat=True).first()
    year = (last - dt.timedelta(days=364), last)
    customers = list(Order.objects.order_by("?").values_list("customer_id", flat=True)[:200]) if runs else []

    def customer_orders():
        customer = Customer.objects.get(pk=rng.choice(customers))
        selectors.orders_of_customer(user=analyst, customer_id=customer.pk)
        sales_events(customer, 20)

    return {
        "ageing_by_customer": _timed(lambda: selectors.ageing_report(user=analyst, by="customer"), runs),
        "ageing_by_team": _timed(lambda: selectors.ageing_report(user=analyst, by="team"), runs),
        "revenue_by_product_year": _timed(lambda: selectors.revenue_by_product(user=analyst, start=year[0],
                                                                              end=year[1]), runs),
        "customer_orders_360": _timed(customer_orders, runs * 5),
        **table_sizes(),
    }
