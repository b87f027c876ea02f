"""Sales benchmark (`guanxi bench sales`): bench sales teams and a million opportunities loaded with
COPY on PostgreSQL for the existing customers, and the HTTP scenarios of the team's board (the page,
as the team's sales manager), a representative's board, the team's funnel and the whole company's
funnel (API).

Deals spread over two years: a fifth still open (over the open stages, closing in the coming
months), the rest won or lost. Loaded deals have no stage-change or audit rows (a migration from an
older system would have none either); the board and the funnel read neither.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import Team, User
from guanxi.accounts.services import team_create, user_create
from guanxi.customers.models import Customer
from guanxi.sales.models import DealReason, Opportunity, OpportunityStage, SalesChannel

TEAMS = 20
REPS_PER_TEAM = 10
PASSWORD = "Bench-sales-2026!"
COLUMNS = [f.column for f in Opportunity._meta.concrete_fields]
NAMES = ("企业专线", "千兆宽带", "IPTV 套餐", "云电脑", "物联网卡", "5G 专网", "政企融合套餐", "视频监控")


def ensure_sales_setup() -> dict:
    """Bench sales teams, each with a manager and representatives (known password)."""
    teams, managers, reps = [], [], []
    for t in range(TEAMS):
        name = f"Bench Sales {t:02d}"
        team = Team.objects.filter(name=name).first() or team_create(actor=SYSTEM, name=name, kind=TeamKind.SALES)
        teams.append(team)
        members = {u.username: u for u in User.objects.filter(team=team)}
        username = f"bench_sm{t:02d}"
        managers.append(members.get(username) or user_create(
            actor=SYSTEM, username=username, password=PASSWORD, role=Role.SALES_MANAGER, team=team,
            display_name=f"经理{t:02d}", validate=False))
        for r in range(REPS_PER_TEAM):
            username = f"bench_rep{t:02d}_{r}"
            reps.append(members.get(username) or user_create(
                actor=SYSTEM, username=username, password=PASSWORD, role=Role.SALES_REP, team=team,
                display_name=f"销售{t:02d}{r}", validate=False))
    return {"teams": teams, "managers": managers, "reps": reps}


def _lookups() -> dict:
    """What the rows refer to, read before the COPY starts (no other query may run on its connection)."""
    stages = list(OpportunityStage.objects.filter(is_active=True).order_by("order"))
    return {"open": [s for s in stages if not s.is_terminal], "won": next(s for s in stages if s.is_won),
            "lost": next(s for s in stages if s.is_lost),
            "channels": list(SalesChannel.objects.values_list("pk", flat=True)),
            "won_reasons": list(DealReason.objects.filter(kind="won").values_list("pk", flat=True)),
            "lost_reasons": list(DealReason.objects.filter(kind="lost").values_list("pk", flat=True))}


def _rows(rng, count: int, first_id: int, setup: dict, customers: list[int], now: dt.datetime, refs: dict):
    open_stages, won, lost, channels = refs["open"], refs["won"], refs["lost"], refs["channels"]
    won_reasons, lost_reasons = refs["won_reasons"], refs["lost_reasons"]
    reps = setup["reps"]
    owner_index = rng.integers(0, len(reps), count)
    customer_ids = rng.choice(customers, count)
    created_ago = rng.uniform(0, 730, count)
    status_draw = rng.random(count)
    amounts = np.round(rng.lognormal(10, 1.0, count), 2)
    stage_draw = rng.integers(0, len(open_stages), count)
    durations = rng.gamma(2.0, 20.0, count)
    names = rng.integers(0, len(NAMES), count)
    channel_draw = rng.integers(0, len(channels), count)
    reason_draw = rng.integers(0, 100, count)
    today = timezone.localdate(now)
    for i in range(count):
        rep = reps[owner_index[i]]
        created = now - dt.timedelta(days=float(created_ago[i]))
        if status_draw[i] < 0.2:
            stage, status, closed, reason = open_stages[stage_draw[i]], "open", None, None
            close = today + dt.timedelta(days=int(durations[i]) % 200)
            entered = created + (now - created) * 0.5
        else:
            closed = min(now, created + dt.timedelta(days=float(durations[i])))
            is_won = status_draw[i] < 0.55
            stage, status = (won, "won") if is_won else (lost, "lost")
            reasons = won_reasons if is_won else lost_reasons
            reason = reasons[reason_draw[i] % len(reasons)] if reasons else None
            close, entered = timezone.localdate(closed), closed
        yield (first_id + i, created, closed or entered, int(customer_ids[i]), NAMES[names[i]], rep.pk, rep.team_id,
               float(amounts[i]), close, stage.probability, False, stage.pk, entered, channels[channel_draw[i]], "",
               status, reason, "", closed, rep.pk)


def generate_opportunities(*, count: int, seed: int = 13, now: dt.datetime | None = None) -> dict:
    """Load `count` opportunities for existing customers (COPY, PostgreSQL)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the sales benchmark loads with COPY: run it on PostgreSQL")
    setup = ensure_sales_setup()
    customers = list(Customer.objects.alive().values_list("pk", flat=True)[:1_000_000])
    if not customers:
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    rng = np.random.default_rng(seed)
    now = now or timezone.now()
    first = (Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.perf_counter()
    table = Opportunity._meta.db_table
    refs = _lookups()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in _rows(rng, count, first, setup, customers, now, refs):
                copy.write_row(row)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    return {"opportunities": count, "seconds": round(time.perf_counter() - started, 1), **table_sizes()}


def table_sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('sales_opportunity')), "
                       "pg_size_pretty(pg_relation_size('sales_opportunity')) FROM sales_opportunity")
        rows, total, heap = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM customers_customer")
        customers = cursor.fetchone()[0]
        cursor.execute("SELECT team_id, COUNT(*) FROM sales_opportunity GROUP BY team_id ORDER BY 2 DESC LIMIT 1")
        biggest = cursor.fetchone()
    return {"table_rows": rows, "table_size_with_indexes": total, "table_heap": heap, "customers": customers,
            "largest_team_rows": biggest[1] if biggest else 0}


def sales_calls(name: str, count: int, setup: dict, seed: int = 3):
    from bench.runner import Call

    rng = np.random.default_rng(seed)
    team = setup["teams"][0].pk
    reps = [r.pk for r in setup["reps"] if r.team_id == team]
    calls = []
    for i in range(count):
        if name == "sales_board":
            calls.append(Call("GET", "/sales/", {"team": team}))
        elif name == "sales_board_rep":
            calls.append(Call("GET", "/sales/", {"owner": reps[int(rng.integers(0, len(reps)))]}))
        elif name == "sales_funnel":
            calls.append(Call("GET", "/api/v1/sales/funnel", {"team": team}))
        elif name == "sales_funnel_company":
            calls.append(Call("GET", "/api/v1/sales/funnel", {}))
        else:
            raise ValueError(f"unknown scenario {name!r} ({i})")
    return calls


def run_sales_scenario(base_url: str, name: str, requests: int, concurrency: int, warmup: int, index: int,
                       admin_token: str) -> dict:
    """One sales scenario: the board pages as the first team's manager (session through the real
    login form), the team's funnel with the manager's token, the company's funnel as the bench admin."""
    from bench import cases
    from bench.runner import run_calls

    setup = ensure_sales_setup()
    manager = setup["managers"][0]
    if name.startswith("sales_board"):
        token, cookies = "", cases.login_cookies(base_url, manager.username, PASSWORD)
    else:
        token, cookies = (admin_token if name == "sales_funnel_company" else cases.agent_token(manager)), None
    if warmup:
        run_calls(base_url, token, sales_calls(name, warmup, setup, seed=100 + index), concurrency, cookies=cookies)
    report = run_calls(base_url, token, sales_calls(name, requests, setup, seed=index), concurrency, cookies=cookies)
    report["table"] = table_sizes()
    return report
