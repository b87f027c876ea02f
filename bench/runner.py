"""HTTP load runner (`guanxi bench run`): drives the real API on loopback and reports latencies.

Search terms and ids are sampled from real rows of the database the server uses. Every
request is timed on the client (connection reuse per worker thread); non-2xx answers count as
errors and are reported with their status.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SEARCH_SCENARIOS = ("search_name", "search_pinyin", "search_initials", "search_word", "search_phone")
CUSTOMER_SCENARIOS = (*SEARCH_SCENARIOS, "detail", "create")
# Service-desk scenarios run as a bench agent (bench/cases.py): the API with the agent's token,
# the queue page with the agent's session cookie.
SERVICE_SCENARIOS = ("queue_page", "tickets_api", "create_case")
# Customer 360 (after `bench history`), as a bench agent: the API with a token, the page with a
# session; typical customers and those with the heaviest histories (bench/history.py).
HISTORY_SCENARIOS = ("customer_360", "customer_360_heavy", "customer_page", "customer_page_heavy")
# After `guanxi bench tasks`: "my work today" for a person with 500 open tasks, and the same through the API.
TASK_SCENARIOS = ("my_work", "my_tasks_api")
# Sales scenarios (bench/sales.py, after `guanxi bench sales`): the team board page, a representative's
# board, the team's and the company's funnel.
# The sales analysis: one report over a year for the whole company (bench/sales.py).
SALES_ANALYSIS_SCENARIOS = tuple(f"sales_analysis_{r}" for r in (
    "product", "region", "outlet", "representative", "customer_group", "channel", "partner", "team", "funnel",
    "reasons", "efficiency", "behaviour"))
SALES_SCENARIOS = ("sales_board", "sales_board_rep", "sales_funnel", "sales_funnel_company",
                   *SALES_ANALYSIS_SCENARIOS)
ALL_SCENARIOS = (*CUSTOMER_SCENARIOS, *SERVICE_SCENARIOS, *HISTORY_SCENARIOS, *TASK_SCENARIOS, *SALES_SCENARIOS)
SCENARIO_GROUPS = {"customers": CUSTOMER_SCENARIOS, "search": SEARCH_SCENARIOS, "service": SERVICE_SCENARIOS,
                   "history": HISTORY_SCENARIOS, "tasks": TASK_SCENARIOS, "sales": SALES_SCENARIOS,
                   "sales_analysis": SALES_ANALYSIS_SCENARIOS}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict | None = None
    json: dict | None = None


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default method) of an ascending list; q in 0..100."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    rank = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low))


def summarize(latencies_ms: Iterable[float], statuses: Iterable[int | str], elapsed_s: float) -> dict:
    """Aggregate one scenario: counts, errors (non-2xx or transport failures), throughput and
    latency percentiles in milliseconds over every request, successful or not."""
    values = sorted(latencies_ms)
    status_counts = Counter(statuses)
    errors = sum(n for s, n in status_counts.items() if not (isinstance(s, int) and 200 <= s < 300))
    count = len(values)

    def ms(x: float) -> float | None:
        return None if math.isnan(x) else round(x, 2)

    return {
        "requests": count,
        "errors": errors,
        "error_rate": round(errors / count, 4) if count else 0.0,
        "statuses": {str(k): v for k, v in sorted(status_counts.items(), key=lambda kv: str(kv[0]))},
        "throughput_rps": round(count / elapsed_s, 1) if elapsed_s > 0 else 0.0,
        "mean_ms": ms(sum(values) / count) if count else None,
        "p50_ms": ms(percentile(values, 50)),
        "p95_ms": ms(percentile(values, 95)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(values[-1]) if values else None,
    }


def check_loopback(base_url: str) -> str:
    host = urlsplit(base_url).hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"the benchmark only talks to loopback, not {host!r}")
    return base_url.rstrip("/")


def phone_variants(e164: str, rng: random.Random) -> str:
    """The same mobile written as people type it: bare, spaced, dashed, +86, 0086."""
    digits = e164.removeprefix("+86")
    forms = (digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}",
             f"0086{digits}", f"+86{digits}", f"{digits[:3]}-{digits[3:7]}-{digits[7:]}")
    return rng.choice(forms)


def sample_rows(size: int, seed: int = 7) -> list[dict]:
    """Up to `size` random live customers, by random ids between the smallest and largest."""
    from guanxi.customers.models import Customer

    bounds = Customer.objects.alive().order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        return []
    rng = random.Random(seed)
    ids = {rng.randint(low, high) for _ in range(size * 2)}
    fields = ("id", "name", "name_pinyin", "name_initials", "name_terms", "mobile", "kind")
    return list(Customer.objects.alive().filter(pk__in=ids).values(*fields)[:size])


def build_calls(scenario: str, rows: list[dict], count: int, seed: int = 11) -> list[Call]:
    """`count` requests of one scenario, cycling over the sampled rows."""
    rng = random.Random(seed)
    people = [r for r in rows if r["kind"] == "individual"] or rows
    with_mobile = [r for r in rows if r["mobile"]] or rows
    calls: list[Call] = []
    for i in range(count):
        row = people[i % len(people)] if people else None
        if scenario == "search_name":
            name = row["name"]
            calls.append(Call("GET", "/api/v1/customers", {"q": name[:2] if len(name) >= 3 else name}))
        elif scenario == "search_pinyin":
            calls.append(Call("GET", "/api/v1/customers", {"q": row["name_pinyin"]}))
        elif scenario == "search_initials":
            calls.append(Call("GET", "/api/v1/customers", {"q": row["name_initials"]}))
        elif scenario == "search_word":
            calls.append(Call("GET", "/api/v1/customers", {"q": _inner_word(rows[i % len(rows)], i)}))
        elif scenario == "search_phone":
            mobile = with_mobile[i % len(with_mobile)]["mobile"]
            calls.append(Call("GET", "/api/v1/customers", {"q": phone_variants(mobile, rng)}))
        elif scenario == "detail":
            calls.append(Call("GET", f"/api/v1/customers/{rows[i % len(rows)]['id']}"))
        elif scenario == "create":
            calls.append(Call("POST", "/api/v1/customers", json=_new_customer(row["name"], rng)))
        else:
            raise ValueError(f"unknown scenario {scenario!r}")
    return calls


def _inner_word(row: dict, i: int) -> str:
    """A word of the name other than its first (a given name, a company's trade word), in hanzi,
    pinyin or initials by turns: what only the word index finds."""
    terms = (row.get("name_terms") or "").split()
    words = terms[3::3] or terms[:1] or [row["name"]]  # each hanzi word is followed by its pinyin and initials
    word = words[i % len(words)]
    at = terms.index(word) if word in terms else 0
    return terms[at + i % 3] if at + 2 < len(terms) else word


def _new_customer(name: str, rng: random.Random) -> dict:
    from guanxi.customers.normalize import resident_id_check_digit

    mobile = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    first17 = f"110105{rng.randint(1950, 2000)}0{rng.randint(1, 9)}1{rng.randint(0, 8)}{rng.randint(100, 999)}"
    return {"kind": "individual", "name": name, "mobile": f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
            "email": f"bench{rng.randint(0, 10**9)}@example.cn", "id_type": "resident_id",
            "id_number": first17 + resident_id_check_digit(first17), "lifecycle_stage": "new",
            "source": "web", "arpu": "88.00"}


def run_calls(base_url: str, token: str, calls: list[Call], concurrency: int, timeout: float = 30.0,
              client_factory: Callable[[], httpx.Client] | None = None, cookies: dict | None = None) -> dict:
    """Send `calls` with `concurrency` worker threads; return the summary of latencies and statuses.
    With `cookies` (a UI session) the token is not sent."""
    base_url = check_loopback(base_url)
    headers = {"Accept": "application/json"} if cookies else {"Authorization": f"Bearer {token}",
                                                               "Accept": "application/json"}
    latencies: list[float] = []
    statuses: list[int | str] = []
    lock = threading.Lock()
    feed = iter(calls)

    def worker():
        client = client_factory() if client_factory else httpx.Client(
            base_url=base_url, headers=headers, cookies=cookies, timeout=timeout, trust_env=False)
        local_lat, local_status = [], []
        with client:
            while True:
                with lock:
                    call = next(feed, None)
                if call is None:
                    break
                t0 = time.perf_counter()
                try:
                    response = client.request(call.method, call.path, params=call.params, json=call.json)
                    response.read()
                    status: int | str = response.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                local_lat.append((time.perf_counter() - t0) * 1000.0)
                local_status.append(status)
        with lock:
            latencies.extend(local_lat)
            statuses.extend(local_status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarize(latencies, statuses, time.perf_counter() - started)


def resolve_scenarios(spec: str) -> list[str]:
    names = list(itertools.chain.from_iterable(SCENARIO_GROUPS.get(s.strip(), (s.strip(),)) for s in spec.split(",")))
    unknown = [n for n in names if n not in ALL_SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(ALL_SCENARIOS)}")
    return list(dict.fromkeys(names))


def run(*, base_url: str, token: str, scenarios: list[str], requests: int, concurrency: int,
        warmup: int = 20, sample: int = 2_000) -> dict:
    """Every scenario in turn: a few untimed warm-up requests, then `requests` timed ones."""
    rows = sample_rows(sample)
    if not rows:
        raise RuntimeError("no customers in the database; run `guanxi bench generate` first")
    from .sizes import customer_tables

    report = {"base_url": base_url, "concurrency": concurrency, "requests_per_scenario": requests,
              "sampled_rows": len(rows), "tables_before": customer_tables(),
              "load_average_1m_before": round(os.getloadavg()[0], 2), "scenarios": {}}
    for index, name in enumerate(scenarios):
        if name in SERVICE_SCENARIOS:
            report["scenarios"][name] = _run_service(base_url, name, requests, concurrency, warmup, index)
            continue
        if name in TASK_SCENARIOS:
            report["scenarios"][name] = _run_tasks(base_url, name, requests, concurrency, warmup)
            continue
        if name in SALES_SCENARIOS:
            from bench.sales import run_sales_scenario

            report["scenarios"][name] = run_sales_scenario(base_url, name, requests, concurrency, warmup, index,
                                                           admin_token=token)
            continue
        if name in HISTORY_SCENARIOS:
            from bench.history import run_history_scenario

            report["scenarios"][name] = run_history_scenario(base_url, name, requests, concurrency, warmup, index)
            continue
        if warmup and name != "create":
            run_calls(base_url, token, build_calls(name, rows, warmup, seed=100 + index), concurrency)
        report["scenarios"][name] = run_calls(base_url, token, build_calls(name, rows, requests, seed=index),
                                              concurrency)
        report["scenarios"][name]["load_average_1m"] = round(os.getloadavg()[0], 2)
    report["tables_after"] = customer_tables()
    return report


def _run_service(base_url: str, name: str, requests: int, concurrency: int, warmup: int, index: int) -> dict:
    """A service-desk scenario as the first bench agent (needs `guanxi bench cases` first)."""
    from bench import cases

    agent = cases.ensure_service_setup()["agents"][0]
    auth = {"cookies": cases.login_cookies(base_url, agent.username, cases.AGENT_PASSWORD)} \
        if name == "queue_page" else {"token": cases.agent_token(agent)}
    token = auth.get("token", "")
    cookies = auth.get("cookies")
    if warmup and name != "create_case":
        run_calls(base_url, token, cases.case_calls(name, warmup, seed=100 + index), concurrency, cookies=cookies)
    return run_calls(base_url, token, cases.case_calls(name, requests, seed=index), concurrency, cookies=cookies)


def _run_tasks(base_url: str, name: str, requests: int, concurrency: int, warmup: int) -> dict:
    """A tasks scenario as the person with 500 open tasks (needs `guanxi bench tasks` first)."""
    from bench import cases, tasks

    person = tasks.ensure_people()["person"]
    cookies = cases.login_cookies(base_url, person.username, tasks.PERSON_PASSWORD) if name == "my_work" else None
    token = "" if cookies else cases.agent_token(person)
    if warmup:
        run_calls(base_url, token, tasks.task_calls(name, warmup), concurrency, cookies=cookies)
    return run_calls(base_url, token, tasks.task_calls(name, requests), concurrency, cookies=cookies)


def render_table(report: dict):
    from rich.table import Table

    table = Table(title=f"{report['base_url']}  concurrency={report['concurrency']}")
    for column in ("scenario", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name, s in report["scenarios"].items():
        table.add_row(name, str(s["requests"]), str(s["errors"]), f"{s['throughput_rps']}", str(s["p50_ms"]),
                      str(s["p95_ms"]), str(s["p99_ms"]), str(s["max_ms"]))
    return table
