"""`guanxi bench load`: the Locust load test (bench/locustfile.py) against a real server.

Without `--base-url` it starts what production runs, on loopback: gunicorn (`guanxi serve`) and, with
`--redis` (default redis://127.0.0.1:6379/7), a Celery worker and Celery beat; all use this process's
DATABASE_URL. It then prepares the actors (`prepare`: bench staff, agents with open cases, sales
people with their customers, managers, portal customers with a case each; API tokens and sessions
signed in through the real login forms), and runs Locust headless once per step of simulated users
(each user a request stream without think time). The report gives, per step, the requests/s, the
error count and p50/p95 overall and per endpoint, and the **sustained** figure: the highest
requests/s of a step whose p95 stayed ≤ `--p95-limit` ms with no error. The same again for the
peers' workload (`--mix peers`: create a contact, search, create a case, open cases), and the sizes
of the tables it ran against.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PORTAL_PASSWORD = "Bench-portal-2026!"
OPEN_CASES_PER_AGENT = 20
SEARCH_TERMS = 60
# Sign-ins and access probes before the clock starts: a first page render on a loaded machine is slow.
HTTP_TIMEOUT = 120.0


def add_arguments(parser) -> None:
    parser.add_argument("--base-url", default="", help="a running server (default: start gunicorn, Celery "
                                                       "worker and beat on --port)")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7",
                        help="REDIS_URL of the server and its Celery worker and beat ('' : inline tasks, no Celery)")
    parser.add_argument("--users", default="2,4,8,16,32", help="simulated users per step, comma list")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--mix", default="mixed,peers", help="mixed, peers or both (comma list)")
    parser.add_argument("--p95-limit", type=float, default=200.0, help="ms; steps above it are not sustained")
    parser.add_argument("--agents", type=int, default=8, help="agent accounts (each with open cases)")
    parser.add_argument("--portal-customers", type=int, default=20)
    parser.add_argument("--json", default="", help="also write the report to this file")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every step even after p95 passed the limit or a request failed")


def handle(command, options) -> None:
    from django.core.management.base import CommandError
    from rich.console import Console

    try:
        steps = sorted({int(u) for u in options["users"].split(",") if u.strip()})
        mixes = [m.strip() for m in options["mix"].split(",") if m.strip()]
    except ValueError as exc:
        raise CommandError("--users is a comma list of numbers") from exc
    if not steps or steps[0] < 1 or options["step_seconds"] < 3 or not set(mixes) <= {"mixed", "peers"} or not mixes:
        raise CommandError("--users ≥ 1, --step-seconds ≥ 3 and --mix among mixed, peers")
    workdir = Path(options.get("workdir") or _var_dir() / "bench" / "load")
    workdir.mkdir(parents=True, exist_ok=True)
    servers = None if options["base_url"] else start_servers(port=options["port"], workers=options["workers"],
                                                             threads=options["threads"], redis=options["redis"],
                                                             workdir=workdir)
    base_url = options["base_url"].rstrip("/") or f"http://127.0.0.1:{options['port']}"
    try:
        from bench.runner import check_loopback

        check_loopback(base_url)
        plan = prepare(base_url, agents=options["agents"], portal_customers=options["portal_customers"])
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        report = {"base_url": base_url, "server": servers["describe"] if servers else "given",
                  "health_at_start": servers["health"] if servers else "",
                  "tables": table_sizes(), "p95_limit_ms": options["p95_limit"], "mixes": {}}
        for mix in mixes:
            report["mixes"][mix] = run_steps(base_url=base_url, plan_file=plan_file, mix=mix, steps=steps,
                                             seconds=options["step_seconds"], p95_limit=options["p95_limit"],
                                             workdir=workdir, keep_going=options["keep_going"])
    except (RuntimeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        if servers:
            stop_servers(servers)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if options["json"]:
        Path(options["json"]).parent.mkdir(parents=True, exist_ok=True)
        Path(options["json"]).write_text(text + "\n", encoding="utf-8")
    command.stdout.write(text)
    console = Console(stderr=True)
    for mix, result in report["mixes"].items():
        console.print(render_table(mix, result))
    errors = sum(step["failures"] for r in report["mixes"].values() for step in r["steps"])
    if errors:
        raise CommandError(f"{errors} request(s) failed (see 'failures' of each step)")


def _var_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


# ---------------------------------------------------------------- servers


def start_servers(*, port: int, workers: int, threads: int, redis: str, workdir: Path) -> dict:
    """gunicorn, and with Redis a Celery worker and beat, as production runs them."""
    from django.conf import settings

    env = {**os.environ, "DEBUG": "False", "LOG_LEVEL": "WARNING", "REDIS_URL": redis,
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")}
    guanxi = [sys.executable, "-m", "guanxi.cli"]
    if not Path(settings.STATIC_ROOT).exists():
        subprocess.run([*guanxi, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    logs, processes = [], []

    def spawn(name, argv):
        log = open(workdir / f"{name}.log", "w")  # noqa: SIM115
        logs.append(log)
        processes.append(subprocess.Popen(argv, env=env, stdout=log, stderr=log))

    bind = f"127.0.0.1:{port}"
    spawn("gunicorn", [*guanxi, "serve", "--bind", bind, "--workers", str(workers), "--threads", str(threads)])
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    if redis:
        spawn("celery_worker", [*celery, "worker", "-l", "warning", "--concurrency", "1", "--without-gossip",
                                "--without-mingle", "-n", f"bench-load-{port}@%h"])
        spawn("celery_beat", [*celery, "beat", "-l", "warning", "-s", str(workdir / "celerybeat-schedule"),
                              "--pidfile", ""])
    servers = {"processes": processes, "logs": logs,
               "describe": f"gunicorn {workers} workers × {threads} threads"
                           + (f", Celery worker (1 process) and beat on {redis}" if redis else ", tasks inline")}
    try:
        servers["health"] = _wait_for(f"http://{bind}/healthz", processes[0])
    except RuntimeError:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: dict) -> None:
    for process in servers["processes"]:
        process.terminate()
    for process in servers["processes"]:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in servers["logs"]:
        log.close()


def _wait_for(url: str, process, seconds: float = 600.0) -> str:
    """Until the server answers, then until its health check says everything is up (the Celery
    worker and beat take longer to boot than gunicorn); the last health status, as text."""
    import httpx

    deadline = time.monotonic() + seconds
    answered = False
    status = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}); see its log")
        try:
            response = httpx.get(url, timeout=10.0, trust_env=False)
            answered, status = True, f"{response.status_code} {response.text[:300]}"
            if response.status_code == 200:
                return status
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    if not answered:
        raise RuntimeError(f"the server did not answer at {url}")
    return status


# ---------------------------------------------------------------- actors


def prepare(base_url: str, *, agents: int = 8, portal_customers: int = 20, cases_per_agent: int = OPEN_CASES_PER_AGENT,
            seed: int = 3) -> dict:
    """Everyone the scenario plays, with credentials and the ids they work on (created if missing)."""
    import random

    from django.contrib.auth.hashers import check_password

    from bench import cases
    from bench.generate import ensure_staff
    from guanxi.accounts.access import SYSTEM
    from guanxi.customers.models import Customer
    from guanxi.customers.permissions import customer_condition
    from guanxi.portal.models import PortalAccount
    from guanxi.portal.services import portal_account_create
    from guanxi.servicedesk.models import Ticket
    from guanxi.servicedesk.services.tickets import ticket_create

    rng = random.Random(seed)
    staff = ensure_staff()
    service = cases.ensure_service_setup()
    some_customers = list(Customer.objects.alive().order_by("pk").values_list("pk", flat=True)[:2_000])
    if not some_customers:
        raise RuntimeError("no customers in the database; run `guanxi bench generate` (or `guanxi demo`) first")
    open_statuses = ("new", "open", "pending_customer", "pending_third_party")

    plan = {"agents": [], "sales": [], "managers": [], "portal": [], "peers": []}
    for agent in service["agents"][:max(1, agents)]:
        mine = Ticket.objects.filter(owner=agent, status__in=open_statuses)
        for _ in range(cases_per_agent - mine.count()):
            ticket_create(actor=agent, customer=Customer.objects.get(pk=rng.choice(some_customers)),
                          data={"subject": rng.choice(cases.SUBJECTS), "type": "fault", "channel": "hotline"})
        plan["agents"].append({
            "username": agent.username, "token": cases.agent_token(agent),
            "cookies": cases.login_cookies(base_url, agent.username, cases.AGENT_PASSWORD, timeout=HTTP_TIMEOUT),
            "tickets": list(mine.order_by("-pk").values_list("pk", flat=True)[:50])})

    for rep in staff["reps"]:
        visible = Customer.objects.alive().filter(customer_condition(rep)).order_by("pk")
        rows = list(visible.values("pk", "name", "name_pinyin", "mobile")[:200])
        if not rows:
            continue
        plan["sales"].append({
            "username": rep.username, "token": cases.agent_token(rep),
            "cookies": cases.login_cookies(base_url, rep.username, f"{rep.username}-Bench-2026!",
                                         timeout=HTTP_TIMEOUT),
            "customers": [r["pk"] for r in rows], "search": _search_terms(rows, rng)})
    if not plan["sales"]:
        raise RuntimeError("the bench sales people own no customers; run `guanxi bench generate` first")

    manager = staff["users"]["bench_manager"]
    plan["managers"].append({"username": manager.username,
                             "cookies": cases.login_cookies(base_url, manager.username,
                                                            f"{manager.username}-Bench-2026!", timeout=HTTP_TIMEOUT)})

    accounts = [a for a in PortalAccount.objects.exclude(password="").select_related("customer").order_by("pk")
                [:portal_customers * 2] if check_password(PORTAL_PASSWORD, a.password)][:portal_customers]
    if len(accounts) < portal_customers:
        taken = PortalAccount.objects.values("customer_id")
        for customer in (Customer.objects.alive().filter(kind="individual").exclude(mobile="")
                         .exclude(pk__in=taken).order_by("pk")[:portal_customers - len(accounts)]):
            if PortalAccount.objects.filter(login=customer.mobile).exists():
                continue
            accounts.append(portal_account_create(actor=SYSTEM, customer=customer, password=PORTAL_PASSWORD))
    agent = service["agents"][0]
    for account in accounts:
        tickets = list(Ticket.objects.filter(customer_id=account.customer_id).values_list("pk", flat=True)[:20])
        if not tickets:
            tickets = [ticket_create(actor=agent, customer=account.customer,
                                     data={"subject": rng.choice(cases.SUBJECTS), "type": "fault",
                                           "channel": "web"}).pk]
        plan["portal"].append({"login": account.login, "tickets": tickets,
                               "cookies": portal_login_cookies(base_url, account.login, PORTAL_PASSWORD)})

    everyone = list(Customer.objects.alive().filter(pk__in=some_customers[:500]).values("pk", "name", "name_pinyin",
                                                                                       "mobile"))
    plan["peers"].append({"username": agent.username, "token": cases.agent_token(agent),
                          "customers": [r["pk"] for r in everyone], "search": _search_terms(everyone, rng)})
    _check_access(base_url, plan)
    return plan


def _search_terms(rows: list[dict], rng) -> list[str]:
    """What people type: the start of a name, its pinyin, a mobile number."""
    terms = []
    for row in rng.sample(rows, min(len(rows), SEARCH_TERMS)):
        kind = len(terms) % 3
        if kind == 0 or (kind == 2 and not row["mobile"]):
            terms.append(row["name"][:2] if len(row["name"]) >= 3 else row["name"])
        elif kind == 1 and row["name_pinyin"]:
            terms.append(row["name_pinyin"])
        else:
            terms.append((row["mobile"] or "").removeprefix("+86") or row["name"])
    return terms


def portal_login_cookies(base_url: str, login: str, password: str) -> dict:
    """A portal session through the portal's password sign-in form."""
    import re

    import httpx

    with httpx.Client(base_url=base_url, trust_env=False, follow_redirects=False, timeout=HTTP_TIMEOUT) as client:
        page = client.get("/portal/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post("/portal/login/", data={"action": "password", "pw-login": login,
                                                        "pw-password": password, "csrfmiddlewaretoken": token},
                               headers={"Referer": f"{base_url}/portal/login/"})
        if response.status_code != 302:
            raise RuntimeError(f"portal login as {login} failed ({response.status_code})")
        return dict(client.cookies)


def _check_access(base_url: str, plan: dict) -> None:
    """Each role's pages answer it (not a refusal or a sign-in redirect) before the clock starts."""
    import httpx

    probes = [("managers", "/analytics/"), ("managers", "/sales/analysis/"), ("sales", "/sales/"),
              ("agents", "/service/"), ("portal", "/portal/cases/")]
    with httpx.Client(base_url=base_url, trust_env=False, follow_redirects=False, timeout=HTTP_TIMEOUT) as client:
        for role, path in probes:
            response = client.get(path, cookies=plan[role][0]["cookies"])
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} to the {role} account "
                                   f"{plan[role][0].get('username') or plan[role][0].get('login')}")


def table_sizes() -> dict:
    """Rows of the tables the scenario reads and writes."""
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer, Interaction
    from guanxi.portal.models import PortalAccount
    from guanxi.sales.models import Opportunity
    from guanxi.servicedesk.models import Ticket, TicketMessage

    return {"customers": Customer.objects.count(), "interactions": Interaction.objects.count(),
            "cases": Ticket.objects.count(),
            "open_cases": Ticket.objects.filter(status__in=("new", "open", "pending_customer",
                                                            "pending_third_party")).count(),
            "case_messages": TicketMessage.objects.count(), "opportunities": Opportunity.objects.count(),
            "staff_users": User.objects.count(), "portal_accounts": PortalAccount.objects.count()}


# ---------------------------------------------------------------- locust


def run_locust(*, base_url: str, plan_file: Path, mix: str, users: int, seconds: int, prefix: Path) -> dict:
    """One headless Locust run; its per-endpoint and overall figures from the CSV it writes."""
    env = {**os.environ, "GUANXI_LOAD_PLAN": str(plan_file), "GUANXI_LOAD_MIX": mix}
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base_url,
            "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary",
            "--loglevel", "WARNING", "--stop-timeout", "10", "--exit-code-on-error", "0"]
    load_before = os.getloadavg()[0]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 180)
    stats = Path(f"{prefix}_stats.csv")
    if done.returncode != 0 or not stats.exists():
        raise RuntimeError(f"locust failed ({done.returncode}): {done.stderr[-2000:]}")
    endpoints, total = {}, None
    with stats.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            figures = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                       "rps": round(float(row["Requests/s"]), 1), "p50_ms": _ms(row["50%"]),
                       "p95_ms": _ms(row["95%"]), "p99_ms": _ms(row["99%"]), "max_ms": _ms(row["Max Response Time"])}
            if row["Name"] == "Aggregated":
                total = figures
            else:
                endpoints[row["Name"]] = figures
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(encoding="utf-8") as handle:
            failures = [{"endpoint": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])}
                        for r in csv.DictReader(handle)]
    total = total or {"requests": 0, "failures": 0, "rps": 0.0, "p50_ms": None, "p95_ms": None, "p99_ms": None,
                      "max_ms": None}
    return {"users": users, "seconds": seconds, **total, "failure_list": failures, "endpoints": endpoints,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def _ms(value: str) -> float | None:
    try:
        return round(float(value), 1)
    except ValueError:
        return None


def run_steps(*, base_url: str, plan_file: Path, mix: str, steps: list[int], seconds: int, p95_limit: float,
              workdir: Path, keep_going: bool = False) -> dict:
    """Step the users up; stop after the first step over the p95 limit or with a failure."""
    results = []
    for users in steps:
        step = run_locust(base_url=base_url, plan_file=plan_file, mix=mix, users=users, seconds=seconds,
                          prefix=workdir / f"{mix}_{users}")
        results.append(step)
        over = step["p95_ms"] is None or step["p95_ms"] > p95_limit or step["failures"]
        if over and not keep_going:
            break
    return {"steps": results, "sustained": sustained(results, p95_limit)}


def sustained(steps: list[dict], p95_limit: float) -> dict | None:
    """The step with the most requests/s whose p95 stayed within the limit without a failure."""
    good = [s for s in steps if s["requests"] and not s["failures"] and s["p95_ms"] is not None
            and s["p95_ms"] <= p95_limit]
    if not good:
        return None
    best = max(good, key=lambda s: s["rps"])
    return {"users": best["users"], "rps": best["rps"], "p50_ms": best["p50_ms"], "p95_ms": best["p95_ms"],
            "error_rate": 0.0, "load_average": best["load_average"]}


def render_table(mix: str, result: dict):
    from rich.table import Table

    best = result["sustained"]
    title = f"{mix}: sustained {best['rps']} req/s at {best['users']} users (p95 {best['p95_ms']} ms)" if best \
        else f"{mix}: no step within the p95 limit"
    table = Table(title=title)
    for column in ("users", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "load"):
        table.add_column(column, justify="right")
    for s in result["steps"]:
        table.add_row(str(s["users"]), str(s["requests"]), str(s["failures"]), str(s["rps"]), str(s["p50_ms"]),
                      str(s["p95_ms"]), str(s["p99_ms"]), f"{s['load_average'][1]:.1f}")
    return table
