"""The peers' workload (`guanxi bench peer`): create a contact (a customer), create a case and read the
first page of open cases, one request after another, as an agent with an API token.

This is how issue 14 compares Guanxi with other CRMs (SQLite, gunicorn with 2 workers, sequential
requests): p50/p95 per operation. `--in-process` drives the same requests through Django's test
client inside this process (the whole middleware stack, no HTTP) and counts each operation's SQL
queries, to profile the request path.
"""

from __future__ import annotations

import random
import time

from bench.runner import Call, _new_customer, percentile, summarize

OPERATIONS = ("create_contact", "create_case", "open_cases")
SUBJECTS = ("宽带无法上网", "手机信号差", "话费账单有疑问", "套餐变更咨询", "光猫指示灯红灯", "申请移机")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"


def setup() -> dict:
    """The measured agent (a service team member, as in `bench cases`), a token and some customers."""
    from bench import cases
    from guanxi.customers.models import Customer

    agent = cases.ensure_service_setup()["agents"][0]
    customers = list(Customer.objects.alive().order_by("pk").values_list("pk", flat=True)[:2_000])
    if not customers:
        raise RuntimeError("no customers in the database; run `guanxi bench generate` first")
    return {"agent": agent, "token": cases.agent_token(agent), "customers": customers}


def fresh_seed(seed: int) -> int:
    """A seed no earlier run on this database used: the same seed again would create the same
    people again, and each rerun would score them against more and more copies of themselves."""
    from guanxi.customers.models import Customer

    return seed * 1_000_003 + Customer.objects.count()


def calls(operation: str, count: int, customers: list[int], seed: int = 1) -> list[Call]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if operation == "create_contact":
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            out.append(Call("POST", "/api/v1/customers", json=_new_customer(name, rng)))
        elif operation == "create_case":
            out.append(Call("POST", "/api/v1/tickets", json={
                "subject": rng.choice(SUBJECTS), "type": "fault", "channel": "hotline",
                "customer": rng.choice(customers)}))
        elif operation == "open_cases":
            out.append(Call("GET", "/api/v1/tickets", {"status": "open"}))
        else:
            raise ValueError(f"unknown operation {operation!r}")
    return out


def run_http(*, base_url: str, requests: int, warmup: int = 20, seed: int = 1) -> dict:
    """Each operation in turn, sequentially (one connection, kept alive)."""
    from bench.runner import run_calls

    ctx = setup()
    seed = fresh_seed(seed)
    report = {"base_url": base_url, "mode": "http, sequential", "requests": requests, "operations": {}}
    for index, op in enumerate(OPERATIONS):
        if warmup:
            run_calls(base_url, ctx["token"], calls(op, warmup, ctx["customers"], seed=seed + 100 + index), 1)
        report["operations"][op] = run_calls(base_url, ctx["token"],
                                             calls(op, requests, ctx["customers"], seed=seed + index), 1)
    return report


def run_in_process(*, requests: int, warmup: int = 20, seed: int = 1) -> dict:
    """The same requests through Django's test client in this process, with each operation's
    queries counted (the median count; `sql` lists one request's statements) and the thread's CPU
    time per request (`cpu_p50_ms`, `cpu_p95_ms`: a loaded machine stretches the wall time, not these)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ctx = setup()
    seed = fresh_seed(seed)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {ctx['token']}", HTTP_ACCEPT="application/json",
                    HTTP_HOST="127.0.0.1")
    report = {"mode": "in-process (django test client)", "requests": requests, "operations": {}}
    for index, op in enumerate(OPERATIONS):
        batch = calls(op, warmup + requests, ctx["customers"], seed=seed + index)
        latencies, cpu, statuses, queries, sample_sql = [], [], [], [], []
        started = time.perf_counter()
        for i, call in enumerate(batch):
            with CaptureQueriesContext(connection) as captured:
                t0, c0 = time.perf_counter(), time.thread_time()
                if call.method == "GET":
                    response = client.get(call.path, call.params or {})
                else:
                    response = client.post(call.path, call.json, content_type="application/json")
                elapsed = (time.perf_counter() - t0) * 1000.0
                cpu_ms = (time.thread_time() - c0) * 1000.0
            if i < warmup:
                started = time.perf_counter()
                continue
            latencies.append(elapsed)
            cpu.append(cpu_ms)
            statuses.append(response.status_code)
            queries.append(len(captured.captured_queries))
            if not sample_sql:
                sample_sql = [q["sql"][:200] for q in captured.captured_queries]
        summary = summarize(latencies, statuses, time.perf_counter() - started)
        summary["queries"] = percentile(sorted(queries), 50)
        # The process's own CPU time: what the request costs whatever else holds the cores.
        summary["cpu_p50_ms"] = round(percentile(sorted(cpu), 50), 2)
        summary["cpu_p95_ms"] = round(percentile(sorted(cpu), 95), 2)
        summary["sql"] = sample_sql
        report["operations"][op] = summary
    return report


def table_sizes() -> dict:
    from guanxi.customers.models import Customer
    from guanxi.servicedesk.models import Ticket

    return {"customers": Customer.objects.count(), "cases": Ticket.objects.count(),
            "open_cases": Ticket.objects.exclude(status__in=("closed", "resolved", "merged")).count()}
