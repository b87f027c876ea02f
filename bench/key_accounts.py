"""Key-account benchmark (`guanxi bench key_accounts`, PostgreSQL): designate the 5,000 customers with the
longest ledgers as key accounts (50 managers; the measured one holds 100) with this year's plans and a
red-channel rule, time what routing a red-channel case adds to case creation (in-process, with and without
the router), then — when a server is given — the portfolio dashboard and one account's page over HTTP."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import Team, User
from guanxi.accounts.services import team_create, user_create
from guanxi.customers.models import Customer
from guanxi.key_accounts.models import KeyAccount, KeyAccountPlan, KeyAccountTier, RedChannelRule
from guanxi.servicedesk.models import ServiceStandard

PASSWORD = "Bench-ka-2026!"
MANAGERS = 50
RED_TEAM = "Bench red channel"


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def prepare(*, accounts: int = 5_000, seed: int = 5) -> dict:
    """Managers, key accounts (the customers with the most ledger rows), plans and the red-channel rule."""
    from bench.cases import ensure_service_setup
    from guanxi.key_accounts.services import red_channel_rule_save
    from guanxi.servicedesk.services.standards import standard_save

    if connection.vendor != "postgresql":
        raise RuntimeError("the key-account benchmark runs on PostgreSQL")
    started = time.perf_counter()
    team = Team.objects.filter(name="Bench key accounts").first() or team_create(
        actor=SYSTEM, name="Bench key accounts", kind=TeamKind.KEY_ACCOUNTS)
    managers = list(User.objects.filter(username__startswith="bench_kam").order_by("username"))
    for i in range(len(managers), MANAGERS):
        managers.append(user_create(actor=SYSTEM, username=f"bench_kam{i:02d}", password=PASSWORD,
                                    role=Role.KEY_ACCOUNT_MANAGER, team=team, display_name=f"客户经理{i:02d}",
                                    validate=False))
    boss = User.objects.filter(username="bench_ka_boss").first() or user_create(
        actor=SYSTEM, username="bench_ka_boss", password=PASSWORD, role=Role.SALES_MANAGER, team=team,
        display_name="大客户部经理", validate=False)
    have = KeyAccount.objects.filter(is_active=True).count()
    if have < accounts:
        rng = random.Random(seed)
        pool = list(Customer.objects.filter(deleted_at__isnull=True, key_account__isnull=True)
                    .order_by("id").values_list("pk", flat=True)[:200_000])
        customers = sorted(rng.sample(pool, accounts - have))
        tier = KeyAccountTier.objects.get(code="key")
        now = timezone.now()
        rows = []
        for i, customer_id in enumerate(customers):
            # the measured manager (bench_kam00) holds the first 100; the rest are spread over the others
            manager = managers[0] if i < 100 else managers[1 + i % (MANAGERS - 1)]
            rows.append(KeyAccount(customer_id=customer_id, tier=tier, manager=manager, designated_at=now,
                                   wallet_estimate=Decimal(rng.randrange(200_000, 5_000_000))))
        with transaction.atomic():
            created = KeyAccount.objects.bulk_create(rows, batch_size=2_000)
            year = timezone.localdate().year
            KeyAccountPlan.objects.bulk_create(
                [KeyAccountPlan(account=a, year=year, revenue_target=Decimal(rng.randrange(100_000, 2_000_000)))
                 for a in created], batch_size=2_000, ignore_conflicts=True)
        history = _history(created, rng, now)
    else:
        history = {}
    setup = ensure_service_setup()
    if not RedChannelRule.objects.filter(is_active=True).exists():
        red_team = Team.objects.filter(name=RED_TEAM).first() or team_create(actor=SYSTEM, name=RED_TEAM,
                                                                             kind=TeamKind.SERVICE)
        standards = []
        for metric, minutes in (("first_response", 15), ("resolution", 240), ("fault_repair", 180)):
            standards.append(ServiceStandard.objects.filter(code=f"bench-red-{metric}").first() or standard_save(
                actor=SYSTEM, data={"code": f"bench-red-{metric}", "name": f"Red {metric}", "metric": metric,
                                    "target_minutes": minutes,
                                    "calendar": setup["standards"]["resolution"].calendar_id,
                                    "warning_percent": 50, "breach_actions": ["escalate"]}))
        red_channel_rule_save(actor=SYSTEM, name="Bench red channel", team=red_team, standards=standards)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE key_accounts_keyaccount; ANALYZE key_accounts_keyaccountplan")
    return {"key_accounts": KeyAccount.objects.filter(is_active=True).count(), "managers": len(managers),
            "history": history,
            "boss": boss.username, "seconds": round(time.perf_counter() - started, 1)}


def _history(accounts: list[KeyAccount], rng: random.Random, now) -> dict:
    """Their full history: 36 months of bills (a refund now and then), six opportunities (two open)
    and eight service cases (one open, some breached) each, bulk-inserted."""
    from guanxi.customers.models import Transaction
    from guanxi.sales.models import Opportunity, OpportunityStage
    from guanxi.servicedesk.models import Ticket

    stages = list(OpportunityStage.objects.filter(is_active=True).order_by("order"))
    open_stages = [s for s in stages if not s.is_won and not s.is_lost]
    won = next(s for s in stages if s.is_won)
    transactions, opportunities, tickets = [], [], []
    counts = {"transactions": 0, "opportunities": 0, "tickets": 0}

    def flush(force=False):
        for model, rows, key in ((Transaction, transactions, "transactions"), (Opportunity, opportunities,
                                 "opportunities"), (Ticket, tickets, "tickets")):
            if rows and (force or len(rows) >= 20_000):
                model.objects.bulk_create(rows, batch_size=5_000)
                counts[key] += len(rows)
                rows.clear()

    for a in accounts:
        base = rng.randrange(5_000, 80_000)
        for month in range(36):
            when = now - dt.timedelta(days=30 * month + rng.randrange(0, 28))
            transactions.append(Transaction(customer_id=a.customer_id, kind="bill", occurred_at=when,
                                            amount=Decimal(base + rng.randrange(-2_000, 2_000))))
            if rng.random() < 0.05:
                transactions.append(Transaction(customer_id=a.customer_id, kind="refund", occurred_at=when,
                                                amount=Decimal(rng.randrange(100, 2_000))))
        for i in range(6):
            is_open = i < 2
            stage = rng.choice(open_stages) if is_open else won
            created = now - dt.timedelta(days=rng.randrange(10, 700))
            opportunities.append(Opportunity(
                customer_id=a.customer_id, name=f"大客户项目{i}", owner_id=a.manager_id,
                amount=Decimal(rng.randrange(50_000, 2_000_000)), expected_close_date=(now + dt.timedelta(
                    days=rng.randrange(10, 200))).date(), probability=stage.probability, stage=stage,
                stage_entered_at=created, status="open" if is_open else "won",
                closed_at=None if is_open else created + dt.timedelta(days=30)))
        for i in range(8):
            created = now - dt.timedelta(days=rng.randrange(1, 700))
            is_open = i == 0
            tickets.append(Ticket(
                number=f"KB{a.pk:06d}{i}", subject="大客户故障", type="fault", channel="key_accounts",
                customer_id=a.customer_id, status="open" if is_open else "closed", priority=3,
                next_due_at=created + dt.timedelta(hours=4) if is_open else None,
                breached_at=created + dt.timedelta(hours=4) if rng.random() < 0.2 else None,
                resolved_at=None if is_open else created + dt.timedelta(hours=3),
                closed_at=None if is_open else created + dt.timedelta(hours=5)))
        flush()
    flush(force=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_transaction; ANALYZE sales_opportunity; ANALYZE servicedesk_ticket")
    return counts


def table_sizes() -> dict:
    out = {}
    with connection.cursor() as cursor:
        for table in ("customers_customer", "customers_transaction", "sales_opportunity", "servicedesk_ticket",
                      "key_accounts_keyaccount", "key_accounts_redchannelcase"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM customers_transaction t JOIN key_accounts_keyaccount k "
                       "ON k.customer_id = t.customer_id")
        out["key_accounts_transactions"] = cursor.fetchone()[0]
    return out


def time_routing(*, cases: int = 200, seed: int = 7) -> dict:
    """Case creation for key accounts' faults with the red-channel router and without it (the same kind of
    customers, the same actor), and the router's own time per case; milliseconds."""
    from bench.cases import ensure_service_setup
    from guanxi.key_accounts.routing import router
    from guanxi.servicedesk import routing
    from guanxi.servicedesk.models import Ticket
    from guanxi.servicedesk.services.tickets import ticket_create

    agent = ensure_service_setup()["agents"][0]
    rng = random.Random(seed)
    ids = list(KeyAccount.objects.filter(is_active=True).values_list("customer_id", flat=True))
    customers = Customer.objects.in_bulk(rng.sample(ids, min(len(ids), cases * 2)))
    picked = list(customers.values())

    def create(customer):
        started = time.perf_counter()
        ticket_create(actor=agent, customer=customer,
                      data={"subject": "Bench 专线中断", "type": "fault", "channel": "key_accounts"})
        return (time.perf_counter() - started) * 1000

    for customer in picked[:10]:  # warm-up
        create(customer)
    with_router, without = [], []
    for i, customer in enumerate(picked[10:10 + 2 * cases]):
        if i % 2:
            routing.CASE_ROUTERS.remove(router)
            try:
                without.append(create(customer))
            finally:
                routing.register_case_router(router)
        else:
            with_router.append(create(customer))
    own = []
    for customer in picked[:cases]:
        ticket = Ticket(customer=customer, type="fault", priority=2)
        started = time.perf_counter()
        router.route(ticket)
        own.append((time.perf_counter() - started) * 1000)

    def stats(values):
        return {"n": len(values), "p50_ms": round(statistics.median(values), 2),
                "p95_ms": round(_percentile(values, 0.95), 2), "mean_ms": round(statistics.fmean(values), 2)}

    return {"create_with_red_channel": stats(with_router), "create_without_router": stats(without),
            "router_alone": stats(own),
            "added_p50_ms": round(statistics.median(with_router) - statistics.median(without), 2)}


def _login(base_url: str, username: str) -> dict:
    """A session through the real login form (a slow password hash on a loaded machine: a long timeout)."""
    import re

    import httpx

    with httpx.Client(base_url=base_url, trust_env=False, follow_redirects=False, timeout=120) as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post("/accounts/login/", data={"username": username, "password": PASSWORD,
                                                         "csrfmiddlewaretoken": token},
                               headers={"Referer": f"{base_url}/accounts/login/"})
        if response.status_code != 302:
            raise RuntimeError(f"login as {username} failed ({response.status_code})")
        return dict(client.cookies)


def time_pages(*, base_url: str, requests: int = 50, warmup: int = 5, seed: int = 3) -> dict:
    """Over HTTP (a running `guanxi serve`/gunicorn on loopback): the portfolio dashboard as the department
    manager (every key account) and as the measured manager (100), and one account's dashboard page."""
    from bench.runner import Call, run_calls

    rng = random.Random(seed)
    mine = list(KeyAccount.objects.filter(manager__username="bench_kam00").values_list("pk", flat=True))
    everyone = list(KeyAccount.objects.filter(is_active=True).values_list("pk", flat=True))
    out = {}
    boss = _login(base_url, "bench_ka_boss")
    kam = _login(base_url, "bench_kam00")
    plans = {
        "ka_portfolio_all": (boss, lambda: Call("GET", "/key-accounts/dashboard/", {})),
        "ka_portfolio_manager": (kam, lambda: Call("GET", "/key-accounts/dashboard/", {})),
        "ka_account_page": (boss, lambda: Call("GET", f"/key-accounts/{rng.choice(everyone)}/dashboard/", {})),
        "ka_account_page_manager": (kam, lambda: Call("GET", f"/key-accounts/{rng.choice(mine)}/dashboard/", {})),
    }
    for name, (cookies, make) in plans.items():
        run_calls(base_url, "", [make() for _ in range(warmup)], 1, timeout=120, cookies=cookies)
        out[name] = run_calls(base_url, "", [make() for _ in range(requests)], 1, timeout=120, cookies=cookies)
    return out
