"""History benchmark data (`guanxi bench history`): interactions and transactions for the bench
customers, bulk-loaded with COPY on PostgreSQL.

The skew is that of a real operator: each customer draws a lognormal activity weight, and one
customer in two thousand (key accounts, call-center regulars) weighs a hundred and fifty times
more — at 200,000 customers and ten million contacts most customers have tens of rows and the
heaviest several thousand. Rows are generated in time order, batch by batch, as a live system
appends them, so one customer's rows lie scattered over the table as they would after three
years of use (loading customer by customer would cluster them and flatter every read).

Forked workers build each batch's COPY text while the main process streams the previous one
(bench/generate.py's machinery); the secondary indexes are dropped for big loads and rebuilt
afterwards, two at a time. The customers with the heaviest and with typical histories are kept
in var/bench/history.json for the HTTP scenarios (bench/runner.py).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from guanxi.core.copy import COPY_NULL, copy_form_text
from guanxi.customers.demo.history import INTERACTION_TEMPLATES
from guanxi.customers.enums import InteractionChannel, TransactionKind
from guanxi.customers.models import Customer, Interaction, Transaction

from .generate import (
    INDEX_MEMORY,
    _is_superuser,
    _payloads,
    _progress,
    _rebuild_indexes,
    _timestamps,
    default_processes,
    ensure_staff,
)

YEARS = 3
HEAVY_SHARE = 0.0005  # one customer in two thousand
HEAVY_FACTOR = 150.0
INTERACTION_COLUMNS = [f.column for f in Interaction._meta.concrete_fields]
TRANSACTION_COLUMNS = [f.column for f in Transaction._meta.concrete_fields]
TRANSACTION_KINDS = (TransactionKind.BILL, TransactionKind.PAYMENT, TransactionKind.ORDER, TransactionKind.REFUND)
TRANSACTION_P = (0.42, 0.40, 0.15, 0.03)
ORDER_ITEMS = ("购买手机", "购买光猫", "流量加油包", "国际漫游包", "宽带提速包", "视频会员", "智能家居套装", "专线设备")
PAY_CHANNELS = (InteractionChannel.WEB, InteractionChannel.WECHAT, InteractionChannel.OUTLET)
SAMPLE_FILE = "history.json"


@dataclass
class HistoryLoadResult:
    interactions: int = 0
    transactions: int = 0
    customers: int = 0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        seconds = self.load_seconds + self.index_seconds
        return {"interactions": self.interactions, "transactions": self.transactions, "customers": self.customers,
                "load_seconds": round(self.load_seconds, 2), "index_seconds": round(self.index_seconds, 2),
                "seconds": round(seconds, 2),
                "rows_per_second": round((self.interactions + self.transactions) / seconds) if seconds else 0,
                **self.extra}


def customer_weights(count: int, seed: int) -> np.ndarray:
    """Each customer's share of the history: lognormal, with a few very heavy customers."""
    rng = np.random.default_rng([seed, 0])
    weights = rng.lognormal(0.0, 1.0, count)
    weights[rng.random(count) < HEAVY_SHARE] *= HEAVY_FACTOR
    return weights / weights.sum()


class _Rows:
    """Shared by both tables: customers drawn by weight, times in the batch's slice, in order."""

    columns: list[str]

    def __init__(self, *, seed: int, customer_ids: np.ndarray, weights: np.ndarray, start: int, end: int,
                 batches: int, staff: list[tuple[int, int | None]]):
        self.seed, self.customer_ids, self.batches = seed, customer_ids, batches
        self.cdf = np.cumsum(weights)
        self.cdf[-1] = 1.0
        self.start, self.end = start, end
        self.staff = staff
        self.created = _timestamps(np.array([end]), "postgresql")[0]

    def _draw(self, number: int, size: int, salt: int):
        rng = np.random.default_rng([self.seed, salt, number])
        customers = self.customer_ids[np.searchsorted(self.cdf, rng.random(size), side="right")]
        span = (self.end - self.start) / self.batches
        low = self.start + int(number * span)
        seconds = np.sort(rng.integers(low, max(low + 1, self.start + int((number + 1) * span)), size))
        return rng, customers.tolist(), _timestamps(seconds, "postgresql")

    def copy_payload(self, number: int, first_id: int, size: int) -> bytes:
        return copy_form_text(self.rows(number, first_id, size))


class InteractionRows(_Rows):
    columns = INTERACTION_COLUMNS

    def rows(self, number: int, first_id: int, size: int) -> list[tuple]:
        rng, customers, times = self._draw(number, size, 1)
        channels = list(INTERACTION_TEMPLATES)
        weights = np.array([INTERACTION_TEMPLATES[c][1] for c in channels], dtype=float)
        picked = rng.choice(len(channels), size, p=weights / weights.sum()).tolist()
        template = rng.integers(0, 1_000, size).tolist()
        person = rng.integers(0, len(self.staff), size).tolist()
        duration = rng.integers(60, 900, size).tolist()
        rows = []
        for i in range(size):
            channel = channels[picked[i]]
            direction, _, templates = INTERACTION_TEMPLATES[channel]
            subject, content = templates[template[i] % len(templates)]
            staff_id, team_id = self.staff[person[i]] if channel in ("call", "visit", "outlet") else (COPY_NULL,
                                                                                                      COPY_NULL)
            iid = first_id + i
            values = {"id": iid, "customer_id": customers[i], "channel": channel, "direction": direction,
                      "occurred_at": times[i], "staff_id": staff_id, "team_id": team_id if team_id else COPY_NULL,
                      "subject": subject, "content": content,
                      "duration_seconds": duration[i] if channel == "call" else COPY_NULL,
                      "external_id": f"cti:bench-{iid}" if channel == "call" else COPY_NULL,
                      "created_at": times[i]}
            rows.append(tuple(values[c] for c in self.columns))
        return rows


class TransactionRows(_Rows):
    columns = TRANSACTION_COLUMNS

    def rows(self, number: int, first_id: int, size: int) -> list[tuple]:
        rng, customers, times = self._draw(number, size, 2)
        kinds = rng.choice(len(TRANSACTION_KINDS), size, p=TRANSACTION_P).tolist()
        amounts = np.round(np.clip(rng.lognormal(np.log(80.0), 0.9, size), 1, 500_000), 2).tolist()
        item = rng.integers(0, len(ORDER_ITEMS), size).tolist()
        pay = rng.integers(0, len(PAY_CHANNELS), size).tolist()
        rows = []
        for i in range(size):
            kind = TRANSACTION_KINDS[kinds[i]]
            tid = first_id + i
            if kind == TransactionKind.BILL:
                description, channel, external = f"{times[i][:7]} 月账单", "", f"BILL-bench-{tid}"
            elif kind == TransactionKind.PAYMENT:
                description, channel, external = "缴费", PAY_CHANNELS[pay[i]], f"PAY-bench-{tid}"
            elif kind == TransactionKind.ORDER:
                description, channel, external = ORDER_ITEMS[item[i]], InteractionChannel.OUTLET, COPY_NULL
            else:
                description, channel, external = "退货退款", "", COPY_NULL
            values = {"id": tid, "customer_id": customers[i], "kind": kind, "occurred_at": times[i],
                      "amount": f"{amounts[i]:.2f}", "channel": channel, "staff_id": COPY_NULL, "team_id": COPY_NULL,
                      "description": description, "external_id": external, "created_at": times[i]}
            rows.append(tuple(values[c] for c in self.columns))
        return rows


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """Indexes of `table` that no constraint needs (the primary key stays)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table])
        return cursor.fetchall()


def _next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _load(maker: _Rows, table: str, total: int, batch: int, processes: int, skip_triggers: bool, bar,
          label: str) -> None:
    first = _next_id(Interaction if table == Interaction._meta.db_table else Transaction)
    specs = []
    for number, offset in enumerate(range(0, total, batch)):
        specs.append((number, first + offset, min(batch, total - offset)))
    task = bar.add_task(label, total=total) if bar else None
    with _payloads(maker, specs, processes) as payloads:
        for _, _, size in specs:
            payload = next(payloads)
            with transaction.atomic(), connection.cursor() as cursor:
                if skip_triggers:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                with cursor.cursor.copy(f"COPY {table} ({', '.join(maker.columns)}) FROM STDIN") as copy:
                    copy.write(payload)
            if bar:
                bar.advance(task, size)


def generate_history(*, interactions: int, transactions: int, batch: int = 100_000, seed: int = 3,
                     processes: int | None = None, progress: bool = True, rebuild_indexes: bool | None = None,
                     now: dt.datetime | None = None) -> HistoryLoadResult:
    """Load `interactions` contacts and `transactions` ledger rows over the last three years for the
    live customers already in the database (run `guanxi bench generate` first)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the history load uses COPY: run it on PostgreSQL")
    customer_ids = np.array(Customer.objects.alive().order_by("pk").values_list("pk", flat=True))
    if not len(customer_ids):
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    processes = default_processes() if processes is None else processes
    if rebuild_indexes is None:
        rebuild_indexes = interactions + transactions >= 500_000
    staff = [(u.pk, u.team_id) for u in ensure_staff()["users"].values()]
    end = int((now or timezone.now()).timestamp()) - 60
    start = end - YEARS * 365 * 86_400
    weights = customer_weights(len(customer_ids), seed)
    common = {"seed": seed, "customer_ids": customer_ids, "weights": weights, "start": start, "end": end,
              "staff": staff}
    result = HistoryLoadResult(customers=len(customer_ids), extra={"batch": batch, "seed": seed,
                                                                   "processes": processes})
    dropped: dict[str, list[tuple[str, str]]] = {}
    tables = ((Interaction._meta.db_table, interactions), (Transaction._meta.db_table, transactions))
    if rebuild_indexes:
        with connection.cursor() as cursor:
            for table, rows in tables:
                if rows:
                    dropped[table] = _secondary_indexes(table)
                    for name, _ in dropped[table]:
                        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    skip_triggers = rebuild_indexes and _is_superuser()
    started = time.perf_counter()
    try:
        with _progress(progress, interactions + transactions) as bar:
            if interactions:
                maker = InteractionRows(batches=max(1, -(-interactions // batch)), **common)
                _load(maker, tables[0][0], interactions, batch, processes, skip_triggers, bar, "interactions")
                result.interactions = interactions
            if transactions:
                maker = TransactionRows(batches=max(1, -(-transactions // batch)), **common)
                _load(maker, tables[1][0], transactions, batch, processes, skip_triggers, bar, "transactions")
                result.transactions = transactions
    finally:
        result.load_seconds = time.perf_counter() - started
        if dropped:
            t0 = time.perf_counter()
            result.extra["index_build_seconds"] = _rebuild_indexes(
                [d for defs in dropped.values() for d in defs], memory=INDEX_MEMORY)
            result.index_seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        for table, _ in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
            t0 = time.perf_counter()
            # What autovacuum does soon after: statistics, and the visibility map that lets the
            # billing summary read the covering index alone.
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            result.extra[f"vacuum_{table}_seconds"] = round(time.perf_counter() - t0, 2)
    samples = history_samples(refresh=True)
    result.extra["heaviest"] = samples["heavy"][:5]
    return result


def history_samples(*, refresh: bool = False, size: int = 200) -> dict:
    """Customers with the heaviest histories (by interactions) and typical ones (random live
    customers), cached in var/bench/history.json after a load; computed when missing."""
    path = Path(settings.VAR_DIR) / "bench" / SAMPLE_FILE
    database = connection.settings_dict.get("NAME")
    if not refresh and path.exists():
        cached = json.loads(path.read_text())
        if cached.get("database") == database:
            return cached
    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_id, COUNT(*) FROM customers_interaction GROUP BY customer_id "
                       "ORDER BY 2 DESC LIMIT %s", [size // 4])
        heavy = cursor.fetchall()
    rng = np.random.default_rng(17)
    ids = list(Customer.objects.alive().values_list("pk", flat=True).order_by("pk"))
    typical = sorted(int(i) for i in rng.choice(ids, min(size, len(ids)), replace=False)) if ids else []
    samples = {"database": database, "heavy": [row[0] for row in heavy], "heavy_rows": [row[1] for row in heavy],
               "typical": typical}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(samples))
    return samples


BENCH_AGENT = "bench_agent"  # bench/generate.py's agent: reads every customer, personal data masked


def history_calls(scenario: str, count: int, seed: int = 3) -> list:
    """`count` requests of a customer-360 scenario, cycling over typical or the heaviest customers:
    customer_360[_heavy] is the API, customer_page[_heavy] the HTML page."""
    from bench.runner import Call

    samples = history_samples()
    ids = samples["heavy"] if scenario.endswith("_heavy") else samples["typical"]
    if not ids:
        raise RuntimeError("no customers with a history: run `guanxi bench history` first")
    ids = list(ids)
    random_ = np.random.default_rng(seed)
    random_.shuffle(ids)
    page = scenario.startswith("customer_page")
    return [Call("GET", f"/customers/{cid}/" if page else f"/api/v1/customers/{cid}/360")
            for cid in (ids[i % len(ids)] for i in range(count))]


def run_history_scenario(base_url: str, name: str, requests: int, concurrency: int, warmup: int,
                         index: int) -> dict:
    """One customer-360 scenario as the bench agent: a session cookie for the page (through the real
    login form), an API token for the API."""
    from bench import cases
    from bench.runner import run_calls

    agent = ensure_staff()["users"][BENCH_AGENT]
    if name.startswith("customer_page"):
        auth = {"token": "", "cookies": cases.login_cookies(base_url, agent.username, f"{agent.username}-Bench-2026!")}
    else:
        auth = {"token": cases.agent_token(agent), "cookies": None}
    if warmup:
        run_calls(base_url, auth["token"], history_calls(name, warmup, seed=100 + index), concurrency,
                  cookies=auth["cookies"])
    report = run_calls(base_url, auth["token"], history_calls(name, requests, seed=index), concurrency,
                       cookies=auth["cookies"])
    samples = history_samples()
    if name.endswith("_heavy") and samples.get("heavy_rows"):
        report["interactions_per_customer"] = {"min": min(samples["heavy_rows"]), "max": max(samples["heavy_rows"])}
    return report
