"""Service-desk benchmark: bulk cases with running clocks, the escalation sweep, due-time rate,
and HTTP scenarios for the agent queue page, the case list API and creating a case.

Cases are loaded with COPY on PostgreSQL (the figures that count) for existing customers; open
cases get running clocks whose due times come from the real clock engine, closed ones a finished
resolution clock, so attainment reports have history.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import time
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import Team, User
from guanxi.accounts.services import team_create, user_create
from guanxi.customers.models import Customer
from guanxi.servicedesk.clock import WorkingCalendar, due_at
from guanxi.servicedesk.models import BusinessCalendar, ServiceStandard, Ticket, TicketClock
from guanxi.servicedesk.selectors.calendars import working_calendar
from guanxi.servicedesk.services.calendars import calendar_save
from guanxi.servicedesk.services.standards import standard_save
from guanxi.servicedesk.services.sweep import clocks_sweep

AGENTS = 50
AGENT_PASSWORD = "Bench-agent-2026!"
SERVICE_TEAM = "Bench Service Desk"
TYPES = ("consultation", "query", "complaint", "fault", "suggestion", "installation", "moving", "activation")
TYPE_P = (0.25, 0.2, 0.08, 0.27, 0.03, 0.07, 0.05, 0.05)
CHANNELS = ("hotline", "outlet", "key_accounts", "web", "email", "sms", "wechat")
CHANNEL_P = (0.45, 0.15, 0.03, 0.15, 0.07, 0.05, 0.10)
OPEN_STATUSES = ("new", "open", "pending_customer", "pending_third_party")
OPEN_P = (0.15, 0.6, 0.15, 0.1)
SUBJECTS = ("宽带无法上网", "手机信号差", "话费账单有疑问", "套餐变更咨询", "光猫指示灯红灯",
            "申请移机", "新装宽带预约", "国际漫游开通", "投诉营业厅服务态度", "手机无法开机",
            "积分查询", "发票开具", "携号转网咨询")
# `version` takes its database default (1).
# The order of the rows' values (named: a model's field order is not a contract).
TICKET_COLUMNS = ["id", "created_at", "updated_at", "number", "subject", "description", "type", "channel",
                  "category_id", "priority", "status", "customer_id", "customer_tier", "owner_id", "team_id",
                  "created_by_id", "merged_into_id", "next_due_at", "first_responded_at", "resolved_at", "closed_at",
                  "reopen_count", "breached_at"]
CLOCK_COLUMNS = ["id", "created_at", "updated_at", "ticket_id", "standard_id", "metric", "target_minutes", "started_at",
                 "state", "due_at", "warn_at", "warned_at", "breached_at", "stopped_at"]


@dataclass
class CaseLoadResult:
    cases: int
    open_cases: int
    clocks: int
    seconds: float
    due_times_computed: int
    due_seconds: float

    def as_dict(self) -> dict:
        return {"cases": self.cases, "open_cases": self.open_cases, "clocks": self.clocks,
                "seconds": round(self.seconds, 2), "cases_per_second": round(self.cases / self.seconds),
                "due_times_per_second": round(self.due_times_computed / self.due_seconds)}


def ensure_service_setup() -> dict:
    """A service team of agents (known password, for the queue-page scenario), an office calendar
    and resolution / first-response standards."""
    team = Team.objects.filter(name=SERVICE_TEAM).first() or team_create(actor=SYSTEM, name=SERVICE_TEAM,
                                                                         kind=TeamKind.SERVICE)
    agents = list(User.objects.filter(team=team, role=Role.AGENT).order_by("id"))
    admin = User.objects.filter(role=Role.ADMIN).order_by("id").first()
    for i in range(len(agents), AGENTS):
        agents.append(user_create(actor=SYSTEM, username=f"bench_agent{i:02d}", password=AGENT_PASSWORD,
                                  role=Role.AGENT, team=team, display_name=f"坐席{i:02d}", validate=False))
    calendar = BusinessCalendar.objects.filter(name="Bench office").first() or calendar_save(
        actor=admin, name="Bench office", periods={d: [(540, 720), (810, 1080)] for d in range(5)})
    standards = {}
    for metric, minutes in (("first_response", 60), ("resolution", 24 * 60)):
        standards[metric] = ServiceStandard.objects.filter(code=f"bench-{metric}").first() or standard_save(
            actor=admin, data={"code": f"bench-{metric}", "name": f"Bench {metric}", "metric": metric,
                               "target_minutes": minutes, "calendar": calendar.pk,
                               "breach_actions": ["raise_priority", "escalate"]})
    return {"team": team, "agents": agents, "standards": standards, "calendar": working_calendar(calendar)}


def _copy(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def generate_cases(*, cases: int, open_cases: int, seed: int = 5, now: dt.datetime | None = None) -> CaseLoadResult:
    """Load `cases` cases (the newest `open_cases` of them open) for existing customers."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the case benchmark loads with COPY: run it on PostgreSQL")
    setup = ensure_service_setup()
    now = now or timezone.now()
    rng = np.random.default_rng(seed)
    customer_ids = list(Customer.objects.alive().values_list("pk", flat=True)[:200_000])
    if not customer_ids:
        raise RuntimeError("no customers: run `guanxi bench generate` first")
    started = time.perf_counter()
    first_ticket, first_clock = _next_id(Ticket), _next_id(TicketClock)
    tickets, clocks, due = _rows(rng, setup, cases, open_cases, customer_ids, now, first_ticket, first_clock)
    with transaction.atomic():
        _copy(Ticket._meta.db_table, TICKET_COLUMNS, tickets)
        _copy(TicketClock._meta.db_table, CLOCK_COLUMNS, clocks)
        with connection.cursor() as cursor:
            for model in (Ticket, TicketClock):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE servicedesk_ticket")
        cursor.execute("ANALYZE servicedesk_ticketclock")
    return CaseLoadResult(cases, open_cases, len(clocks), time.perf_counter() - started, due[0], due[1])


def _rows(rng, setup, cases, open_cases, customer_ids, now, first_ticket, first_clock):
    calendar: WorkingCalendar = setup["calendar"]
    agents, team_id = setup["agents"], setup["team"].pk
    standards = setup["standards"]
    types = rng.choice(len(TYPES), cases, p=TYPE_P).tolist()
    channels = rng.choice(len(CHANNELS), cases, p=CHANNEL_P).tolist()
    owners = rng.integers(0, len(agents), cases).tolist()
    customers = rng.choice(customer_ids, cases).tolist()
    subjects = rng.integers(0, len(SUBJECTS), cases).tolist()
    priorities = rng.choice(4, cases, p=(0.1, 0.6, 0.2, 0.1)).tolist()
    # Closed cases spread over two years; open ones over the last ten working days.
    ages = np.sort(rng.integers(0, 730 * 86_400, cases - open_cases))[::-1].tolist()
    open_ages = rng.integers(0, 14 * 86_400, open_cases).tolist()
    open_status = rng.choice(len(OPEN_STATUSES), open_cases, p=OPEN_P).tolist()
    tickets, clocks, due_count, due_seconds = [], [], 0, 0.0
    clock_id = first_clock
    for i in range(cases):
        tid = first_ticket + i
        is_open = i >= cases - open_cases
        age = open_ages[i - (cases - open_cases)] if is_open else ages[i]
        created = now - dt.timedelta(seconds=age)
        owner = agents[owners[i]].pk
        status = OPEN_STATUSES[open_status[i - (cases - open_cases)]] if is_open else "closed"
        metrics = (("first_response", "resolution") if is_open and status == "new" else ("resolution",))
        next_due = None
        for metric in metrics:
            standard = standards[metric]
            t0 = time.perf_counter()
            target = dt.timedelta(minutes=standard.target_minutes)
            due = due_at(calendar, created, target)
            warn = due_at(calendar, created, target * 0.8)
            due_seconds += time.perf_counter() - t0
            due_count += 2
            if is_open and status == "pending_customer":
                state, due_value, warn_value, stopped = "paused", None, None, None
            elif is_open:
                state, due_value, warn_value, stopped = "running", due, warn, None
                next_due = min(next_due or due, due)
            else:
                stopped = created + dt.timedelta(hours=float(rng.gamma(2.0, 8.0)))
                state = "met" if stopped <= due else "breached"
                due_value, warn_value = due, warn
            breached = stopped if state == "breached" else None
            clocks.append((clock_id, created, stopped or created, tid, standard.pk, metric, standard.target_minutes,
                           created, state, due_value, warn_value, None, breached, stopped))
            clock_id += 1
        resolved = None if is_open else clocks[-1][-1]
        first_breach = None if is_open else clocks[-1][-2]
        tickets.append((tid, created, resolved or created, f"T{created:%y%m%d}{tid:08d}", SUBJECTS[subjects[i]], "",
                        TYPES[types[i]], CHANNELS[channels[i]], None, priorities[i] + 1, status, customers[i], "",
                        owner, team_id, owner, None, next_due, None if status == "new" else created, resolved,
                        resolved, 0, first_breach))
    return tickets, clocks, (due_count, due_seconds)


def sweep(*, now: dt.datetime | None = None) -> dict:
    """Time one escalation sweep over every open case's running clocks."""
    running = TicketClock.objects.filter(state="running").count()
    started = time.perf_counter()
    totals = clocks_sweep(actor=SYSTEM, now=now or timezone.now())
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does a minute later (migration 0007), before the next measurements.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE servicedesk_ticket")
            cursor.execute("ANALYZE servicedesk_ticketclock")
    from guanxi.servicedesk.models import TicketAssignment

    from .sizes import table_sizes

    return {"running_clocks": running, **totals, "seconds": round(seconds, 2),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "tables": table_sizes(Ticket._meta.db_table, TicketClock._meta.db_table,
                                  TicketAssignment._meta.db_table, Customer._meta.db_table)}


def login_cookies(base_url: str, username: str, password: str, timeout: float = 5.0) -> dict:
    """A UI session for the queue-page scenario, through the real login form."""
    import httpx

    with httpx.Client(base_url=base_url, trust_env=False, follow_redirects=False, timeout=timeout) as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post("/accounts/login/", data={"username": username, "password": password,
                                                         "csrfmiddlewaretoken": token},
                               headers={"Referer": f"{base_url}/accounts/login/"})
        if response.status_code != 302:
            raise RuntimeError(f"login as {username} failed ({response.status_code})")
        return dict(client.cookies)


def agent_token(agent: User) -> str:
    from guanxi.accounts.services import api_token_create

    _, raw = api_token_create(user=agent, name=f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}")
    return raw


def case_calls(scenario: str, count: int, seed: int = 3):
    """Calls for queue_page (UI, session), tickets_api (filtered first page) and create_case."""
    from bench.runner import Call

    rng = random.Random(seed)
    customers = list(Customer.objects.alive().values_list("pk", flat=True)[:5_000])
    views = ("mine", "team", "new", "breached", "all")
    calls = []
    for i in range(count):
        if scenario == "queue_page":
            calls.append(Call("GET", "/service/", {"view": views[i % len(views)]}))
        elif scenario == "tickets_api":
            params = {"status": "open", "mine": "true"}
            if rng.random() < 0.5:
                params["priority"] = "3"
            calls.append(Call("GET", "/api/v1/tickets", params))
        elif scenario == "create_case":
            calls.append(Call("POST", "/api/v1/tickets", json={
                "subject": rng.choice(SUBJECTS), "type": rng.choice(TYPES), "channel": rng.choice(CHANNELS),
                "customer": rng.choice(customers)}))
        else:
            raise ValueError(f"unknown scenario {scenario!r}")
    return calls
