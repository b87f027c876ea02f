"""Reads of tasks, scoped by `permissions.py`: lists with filters, one task, "my work today" and
the calendar."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound
from guanxi.core.pagination import capped_count

from . import permissions
from .models import Task

Status = Task.Status
RELATED = ("customer", "assignee", "team", "created_by", "closed_by")
GROUP_ROWS = 20  # per group on "my work today"; the list has the rest
UPCOMING_DAYS = 7


def task_list(*, user, action: str = "read") -> QuerySet[Task]:
    condition = permissions.task_condition(user, action)
    return Task.objects.all() if condition is None else Task.objects.filter(condition)


def task_get_for_user(*, user, task_id: int, action: str = "read") -> Task:
    """One task; 404 outside the user's read scope, 403 when they may read but not change it."""
    task = task_list(user=user).select_related(*RELATED, "source_type").filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Task not found."))
    if action == "write":
        permissions.require_write(user, task)
    return task


def task_handed_over(*, task_id: int) -> Task:
    """A task its former holder has just handed over (they may no longer read it afterwards)."""
    return Task.objects.select_related(*RELATED, "source_type").get(pk=task_id)


def mine(user) -> Q:
    """Tasks that are the user's to do: assigned to them, or their team's that nobody has taken."""
    condition = Q(assignee_id=user.pk)
    if user.team_id:
        condition |= Q(assignee__isnull=True, team_id=user.team_id)
    return condition


@dataclass(frozen=True)
class TaskFilter:
    mine: bool = False
    team: bool = False
    statuses: tuple[str, ...] = ()
    kind: str = ""
    customer_id: int | None = None
    assignee_id: int | None = None
    due_after: dt.datetime | None = None
    due_before: dt.datetime | None = None
    search: str = ""


def task_search(*, user, filters: TaskFilter) -> QuerySet[Task]:
    """The tasks the user may read that match, soonest due first."""
    qs = task_list(user=user)
    if filters.mine:
        qs = qs.filter(mine(user))
    if filters.team:
        qs = qs.filter(team_id=user.team_id) if user.team_id else qs.none()
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    simple = {"kind": filters.kind, "customer_id": filters.customer_id, "assignee_id": filters.assignee_id}
    qs = qs.filter(**{k: v for k, v in simple.items() if v not in (None, "")})
    if filters.due_after is not None:
        qs = qs.filter(due_at__gte=filters.due_after)
    if filters.due_before is not None:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.search:
        qs = qs.filter(subject__icontains=filters.search)
    return qs.select_related(*RELATED).order_by("due_at", "id")


@dataclass(frozen=True)
class WorkGroup:
    key: str
    rows: list[Task]
    count: int
    count_is_exact: bool


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def my_work(*, user, now: dt.datetime | None = None) -> list[WorkGroup]:
    """"My work today" (我的今日工作): the user's open tasks overdue, due today and due in the next
    week, each group the first `GROUP_ROWS` by due time and a capped count; two index range scans
    per group (the open-task indexes of assignee and team), then the customers, teams and people of
    the rows shown in one query each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, tomorrow = _day_start(today), _day_start(today + dt.timedelta(days=1))
    later = _day_start(today + dt.timedelta(days=UPCOMING_DAYS + 1))
    open_mine = Task.objects.filter(mine(user), status=Status.OPEN)
    ranges = (("overdue", Q(due_at__lt=start)), ("today", Q(due_at__gte=start, due_at__lt=tomorrow)),
              ("upcoming", Q(due_at__gte=tomorrow, due_at__lt=later)))
    groups = []
    for key, condition in ranges:
        qs = open_mine.filter(condition)
        rows = list(qs.order_by("due_at", "id")[:GROUP_ROWS])
        count, exact = (len(rows), True) if len(rows) < GROUP_ROWS else capped_count(qs)
        groups.append(WorkGroup(key, rows, count, exact))
    prefetch_related_objects([t for g in groups for t in g.rows], "customer", "team", "assignee")
    return groups


def today_count(*, user, now: dt.datetime | None = None) -> dict[str, int]:
    """How many of the user's open tasks are overdue and due today (the home-page panel)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, tomorrow = _day_start(today), _day_start(today + dt.timedelta(days=1))
    open_mine = Task.objects.filter(mine(user), status=Status.OPEN)
    return {"overdue": capped_count(open_mine.filter(due_at__lt=start))[0],
            "today": capped_count(open_mine.filter(due_at__gte=start, due_at__lt=tomorrow))[0]}


MAX_CALENDAR_TASKS = 2_000


def calendar_tasks(*, user, since: dt.datetime, until: dt.datetime, team_id: int | None = None,
                   assignee_id: int | None = None) -> list[Task]:
    """The tasks (any status) due in [since, until) of one person (default: the user) or one team,
    among those the user may read."""
    qs = task_list(user=user).filter(due_at__gte=since, due_at__lt=until)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    else:
        qs = qs.filter(mine(user) if assignee_id in (None, user.pk) else Q(assignee_id=assignee_id))
    return list(qs.select_related("customer", "assignee").order_by("due_at", "id")[:MAX_CALENDAR_TASKS])


def hand_overs_of(task: Task) -> list:
    return list(task.hand_overs.select_related("by", "from_assignee", "from_team", "to_assignee", "to_team"))


def reminders_of(task: Task) -> list:
    return list(task.reminders.order_by("remind_at", "id"))


def done_by_assignee(*, user_ids: list[int], since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    """How many tasks (visits, calls, follow-ups…) each of these people completed in [since, until):
    for reports on people's activity (the sales analysis), which check their own reach."""
    if not user_ids:
        return {}
    return dict(Task.objects.filter(assignee_id__in=user_ids, status=Status.DONE, closed_at__gte=since,
                                    closed_at__lt=until)
                .values("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n").order_by())
