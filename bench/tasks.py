"""Tasks benchmark: a million tasks spread over a thousand people (COPY, PostgreSQL), one person
(`bench_tasks`) with 500 open tasks — overdue, due today and upcoming — and the HTTP scenarios
"my work today" (the page, through a UI session) and the open-task list API for that person."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import Team, User
from guanxi.accounts.services import team_create, user_create
from guanxi.customers.models import Customer
from guanxi.tasks.models import Task

PEOPLE = 1_000
TEAMS = 20
PERSON = "bench_tasks"
PERSON_PASSWORD = "Bench-tasks-2026!"
KINDS = ("visit", "call", "meeting", "follow_up", "hand_over", "care", "other")
KIND_P = (0.2, 0.35, 0.05, 0.25, 0.05, 0.05, 0.05)
SUBJECTS = ("电话回访：新装宽带满意度", "上门拜访：了解续约意向", "跟进报价反馈", "提醒客户缴费",
            "推荐融合套餐升级", "移交装维部门：光猫更换", "生日关怀：致电问候", "与客户IT部门沟通专线方案")
TASK_COLUMNS = [f.column for f in Task._meta.concrete_fields]


def ensure_people() -> dict:
    """Bench teams, a thousand people (one password hash, bulk) and the measured person."""
    teams = []
    for i in range(TEAMS):
        name = f"Bench tasks team {i:02d}"
        teams.append(Team.objects.filter(name=name).first()
                     or team_create(actor=SYSTEM, name=name, kind=TeamKind.SALES))
    existing = User.objects.filter(username__startswith="bench_worker").count()
    if existing < PEOPLE:
        password = make_password(PERSON_PASSWORD)
        User.objects.bulk_create([
            User(username=f"bench_worker{i:04d}", password=password, role=Role.SALES_REP, team=teams[i % TEAMS],
                 display_name=f"员工{i:04d}") for i in range(existing, PEOPLE)])
    person = User.objects.filter(username=PERSON).first() or user_create(
        actor=SYSTEM, username=PERSON, password=PERSON_PASSWORD, role=Role.SALES_REP, team=teams[0],
        display_name="任务测试员", validate=False)
    workers = list(User.objects.filter(username__startswith="bench_worker").values_list("pk", "team_id"))
    return {"teams": teams, "person": person, "workers": workers}


def _copy(rows) -> None:
    with connection.cursor() as cursor, \
            cursor.copy(f"COPY {Task._meta.db_table} ({', '.join(TASK_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _rows(rng, n, first_id, assignees, teams, customers, now, *, open_share, spread_days, centre_days=0.0):
    """`n` task rows; due times within ±spread_days of now (shifted by centre_days)."""
    kinds = rng.choice(len(KINDS), n, p=KIND_P).tolist()
    subjects = rng.integers(0, len(SUBJECTS), n).tolist()
    offsets = (rng.uniform(-spread_days, spread_days, n) + centre_days).tolist()
    is_open = (rng.random(n) < open_share).tolist()
    with_customer = (rng.random(n) < 0.7).tolist()
    picked = rng.choice(customers, n).tolist() if customers else [None] * n
    priorities = rng.choice(4, n, p=(0.1, 0.6, 0.2, 0.1)).tolist()
    for i in range(n):
        due = now + dt.timedelta(days=offsets[i])
        status = "open" if is_open[i] else ("done" if i % 10 else "cancelled")
        closed = None if is_open[i] else due
        yield (first_id + i, due - dt.timedelta(days=3), closed or due - dt.timedelta(days=3), KINDS[kinds[i]],
               SUBJECTS[subjects[i]], "", picked[i] if with_customer[i] else None, assignees[i], teams[i], None,
               None, due, False, priorities[i] + 1, status, closed, None, "已完成" if status == "done" else "",
               None, None, "", "")


def generate_tasks(*, tasks: int, person_open: int, seed: int = 9, now: dt.datetime | None = None) -> dict:
    """Load `tasks` tasks: `person_open` open ones (and twice as many closed) for the measured person,
    the rest over the bench workers (15% open); ANALYZE after."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the task benchmark loads with COPY: run it on PostgreSQL")
    setup = ensure_people()
    now = now or timezone.now()
    rng = np.random.default_rng(seed)
    customers = list(Customer.objects.values_list("pk", flat=True)[:200_000])
    started = time.perf_counter()
    first = (Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    person = setup["person"]
    mine = 3 * person_open
    others = max(0, tasks - mine)
    workers = setup["workers"]
    pick = rng.integers(0, len(workers), others)
    assignees = [workers[j][0] for j in pick.tolist()]
    teams = [workers[j][1] for j in pick.tolist()]
    with transaction.atomic():
        # The person's open tasks: from three weeks overdue to three weeks ahead.
        _copy(_rows(rng, person_open, first, [person.pk] * person_open, [person.team_id] * person_open, customers,
                    now, open_share=1.0, spread_days=21))
        _copy(_rows(rng, 2 * person_open, first + person_open, [person.pk] * mine, [person.team_id] * mine,
                    customers, now, open_share=0.0, spread_days=60, centre_days=-60))
        _copy(_rows(rng, others, first + mine, assignees, teams, customers, now, open_share=0.15,
                    spread_days=180, centre_days=-90))
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('tasks_task', 'id'), "
                           "(SELECT MAX(id) FROM tasks_task))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_task")
        cursor.execute("ANALYZE accounts_user")
    seconds = time.perf_counter() - started
    return {"tasks_loaded": tasks, "person": person.username, "person_open": person_open,
            "seconds": round(seconds, 1), "table": table_sizes()}


def table_sizes() -> dict:
    """Rows and on-disk size of the task table and its indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), pg_size_pretty(pg_table_size('tasks_task')), "
                       "pg_size_pretty(pg_indexes_size('tasks_task')) FROM tasks_task")
        rows, table, indexes = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM tasks_task WHERE status = 'open'")
        open_rows = cursor.fetchone()[0]
    return {"rows": rows, "open": open_rows, "table_size": table, "indexes_size": indexes}


def task_calls(scenario: str, count: int):
    """Calls for my_work (the page, UI session) and my_tasks_api (open tasks due soonest, first page)."""
    from bench.runner import Call

    if scenario == "my_work":
        return [Call("GET", "/tasks/") for _ in range(count)]
    if scenario == "my_tasks_api":
        return [Call("GET", "/api/v1/tasks", {"mine": "true", "status": "open"}) for _ in range(count)]
    raise ValueError(f"unknown scenario {scenario!r}")
