"""Sales benchmark (`guanxi bench sales`): bench sales teams and a million opportunities loaded with
COPY on PostgreSQL for the existing customers, and the HTTP scenarios of the team's board (the page,
as the team's sales manager), a representative's board, the team's funnel and the whole company's
funnel (API).

Deals spread over two years: a fifth still open (over the open stages, closing in the coming
months), the rest won or lost. Each deal has a main product, an outlet (so a region), a channel and,
for one in ten, a channel partner; its stage changes (entering the first stage, each move, the
close) are loaded too, for the sales analysis's funnel and behaviour reports. No audit rows (a
migration from an older system would have none either).

The sales analysis scenarios (`sales_analysis_<report>`) ask the API for one report over the last
full year for the whole company (the largest scope) as the bench administrator.
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
from guanxi.sales.models import DealReason, Opportunity, OpportunityStage, Outlet, SalesChannel, StageChange

TEAMS = 20
REPS_PER_TEAM = 10
PARTNERS = 5
REGIONS = 8
OUTLETS_PER_REGION = 5
PRODUCTS = 24
PASSWORD = "Bench-sales-2026!"
COLUMNS = ["id", "created_at", "updated_at", "customer_id", "name", "owner_id", "team_id", "amount",
           "expected_close_date", "probability", "probability_overridden", "stage_id", "stage_entered_at",
           "channel_id", "source", "status", "reason_id", "reason_note", "closed_at", "created_by_id", "partner_id",
           "product_id", "outlet_id"]
MOVE_COLUMNS = ["opportunity_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id",
                "seconds_in_previous"]
ANALYSIS_REPORTS = ("product", "region", "outlet", "representative", "customer_group", "channel", "partner",
                    "team", "funnel", "reasons", "efficiency", "behaviour")
ANALYSIS_SCENARIOS = tuple(f"sales_analysis_{r}" for r in ANALYSIS_REPORTS)
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
    return {"teams": teams, "managers": managers, "reps": reps, **_analysis_setup()}


def _analysis_setup() -> dict:
    """Bench partner organisations, regions with outlets, and products: what the analysis groups by."""
    from guanxi.catalog import services as catalog_services
    from guanxi.catalog.models import Product
    from guanxi.sales.services.configuration import outlet_save, region_save

    partners = []
    for p in range(PARTNERS):
        name = f"Bench Partner {p}"
        partners.append(Team.objects.filter(name=name).first()
                        or team_create(actor=SYSTEM, name=name, kind=TeamKind.PARTNER))
    outlets = list(Outlet.objects.filter(name__startswith="Bench 营业厅").order_by("id"))
    if not outlets:
        for r in range(REGIONS):
            region = region_save(actor=SYSTEM, name=f"Bench 区域 {r}")
            outlets += [outlet_save(actor=SYSTEM, name=f"Bench 营业厅 {r}-{o}", region=region)
                        for o in range(OUTLETS_PER_REGION)]
    products = list(Product.objects.filter(model_code__startswith="BENCH-").order_by("id"))
    if not products:
        products = [catalog_services.product_create(actor=SYSTEM, model_code=f"BENCH-{i:02d}", name=f"产品 {i:02d}",
                                                    kind="service", brand="", category=None)
                    for i in range(PRODUCTS)]
    return {"partners": [t.pk for t in partners], "outlets": [o.pk for o in outlets],
            "products": [p.pk for p in products]}


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
    partner_draw = rng.integers(0, 10 * len(setup["partners"]), count)
    product_draw = rng.integers(0, len(setup["products"]), count)
    outlet_draw = rng.integers(0, len(setup["outlets"]), count)
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
               status, reason, "", closed, rep.pk,
               setup["partners"][partner_draw[i]] if partner_draw[i] < len(setup["partners"]) else None,
               setup["products"][product_draw[i]], setup["outlets"][outlet_draw[i]])


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
    moves = _load_moves(first, refs)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"VACUUM ANALYZE {StageChange._meta.db_table}")
    return {"opportunities": count, "stage_changes": moves, "seconds": round(time.perf_counter() - started, 1),
            **table_sizes()}


def _load_moves(first_id: int, refs: dict) -> int:
    """The loaded deals' stage changes, built in SQL from each deal: entering the first open stage
    at creation, a move into each further open stage up to the one it reached (open deals) or to a
    random depth (closed ones), and the won or lost stage at the close."""
    open_ids = [s.pk for s in refs["open"]]
    table, moves = Opportunity._meta.db_table, StageChange._meta.db_table
    steps = len(open_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""
            WITH d AS (
              SELECT id, owner_id, created_at, closed_at, stage_id, status,
                     CASE WHEN status = 'open' THEN array_position(%s::bigint[], stage_id::bigint)
                          ELSE 1 + (id %% {steps}) END AS depth
              FROM {table} WHERE id >= %s),
            s AS (
              SELECT d.*, g AS step, COALESCE(d.closed_at, d.created_at + interval '60 days') AS until FROM d,
                     generate_series(1, d.depth) AS g)
            INSERT INTO {moves} ({', '.join(MOVE_COLUMNS)})
            SELECT id, CASE WHEN step = 1 THEN NULL ELSE (%s::bigint[])[step - 1] END, (%s::bigint[])[step],
                   created_at + (until - created_at) * (step - 1) / (depth + 1), owner_id,
                   CASE WHEN step = 1 THEN NULL
                        ELSE EXTRACT(EPOCH FROM (until - created_at) / (depth + 1))::bigint END
            FROM s""", [open_ids, first_id, open_ids, open_ids])
        count = cursor.rowcount
        cursor.execute(f"""
            INSERT INTO {moves} ({', '.join(MOVE_COLUMNS)})
            SELECT id, (%s::bigint[])[1 + (id %% {steps})], stage_id, closed_at, owner_id,
                   EXTRACT(EPOCH FROM (closed_at - created_at) / (2 + (id %% {steps})))::bigint
            FROM {table} WHERE id >= %s AND status <> 'open'""", [open_ids, first_id])
        return count + cursor.rowcount


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
        elif name in ANALYSIS_SCENARIOS:
            last_year = timezone.localdate().year - 1
            calls.append(Call("GET", f"/api/v1/sales/analysis/{name.removeprefix('sales_analysis_')}",
                              {"period": "year", "start": f"{last_year}-06-01"}))
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
        company = name == "sales_funnel_company" or name in ANALYSIS_SCENARIOS
        token, cookies = (admin_token if company else cases.agent_token(manager)), None
    if warmup:
        run_calls(base_url, token, sales_calls(name, warmup, setup, seed=100 + index), concurrency, cookies=cookies)
    report = run_calls(base_url, token, sales_calls(name, requests, setup, seed=index), concurrency, cookies=cookies)
    report["table"] = table_sizes()
    return report


def time_analysis(*, runs: int = 3) -> dict:
    """Each analysis report over last year for the whole company, called in-process as the bench
    administrator (as the API calls it): milliseconds of each run after a warm-up, and the median."""
    import statistics

    from guanxi.sales.selectors.analysis import analysis_report

    admin = User.objects.filter(username="bench_admin").first() or User.objects.filter(
        role=Role.ADMIN, is_active=True).first()
    if admin is None:
        raise RuntimeError("no administrator: run `guanxi bench generate` first")
    day = dt.date(timezone.localdate().year - 1, 6, 1)
    out = {}
    for report in ANALYSIS_REPORTS:
        analysis_report(user=admin, report=report, period="year", day=day, team_id=None)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            analysis_report(user=admin, report=report, period="year", day=day, team_id=None)
            times.append(round((time.perf_counter() - started) * 1000))
        out[report] = {"median_ms": round(statistics.median(times)), "runs_ms": times}
    return out
