"""Task pages: "my work today" (我的今日工作), the calendar, the list, the detail page with its edit,
complete, cancel and hand-over forms, and the home-page panel; thin views over selectors and services."""

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.core.pagination import capped_page
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.customers.permissions import can_see_personal_data
from guanxi.customers.selectors import customer_get_for_user

from . import permissions, selectors, services
from .forms import (
    CalendarForm,
    TaskCancelForm,
    TaskCompleteForm,
    TaskCreateForm,
    TaskFilterForm,
    TaskForm,
    TaskReassignForm,
)
from .kinds import ICONS
from .models import Task

PAGE_SIZE = 25
CELL_TASKS = 4


def _text(user, task: Task, value: str) -> str:
    """Free text masked (phones, ID numbers) unless the user sees the customer's personal data."""
    if task.customer is not None and can_see_personal_data(user=user, customer=task.customer):
        return value
    return mask_free_text(value)


def _row(user, task: Task, now: dt.datetime) -> dict:
    return {"t": task, "subject": _text(user, task, task.subject), "icon": ICONS.get(task.kind, "check2-square"),
            "is_late": task.is_open and task.due_at < now}


def home_panel(user) -> dict:
    """The home page's count of today's work."""
    return selectors.today_count(user=user)


@login_required
def my_work(request):
    """Overdue, due today and due in the next week: the user's open tasks from every module."""
    now = timezone.now()
    groups = [{"key": g.key, "rows": [_row(request.user, t, now) for t in g.rows], "count": g.count,
               "exact": g.count_is_exact, "more": g.count > len(g.rows)}
              for g in selectors.my_work(user=request.user, now=now)]
    titles = {"overdue": _("Overdue"), "today": _("Due today"), "upcoming": _("Next 7 days")}
    for group in groups:
        group["title"] = titles[group["key"]]
    return render(request, "tasks/my_work.html", {"groups": groups, "today": timezone.localdate(now)})


@login_required
@domain_errors_as_http
@require_POST
def task_complete(request, task_id: int):
    """Mark a task done; from "my work today" (htmx) the row is swapped for its done state."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id, action="write")
    form = TaskCompleteForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    else:
        try:
            task = services.task_complete(actor=request.user, task=task, outcome=form.cleaned_data["outcome"])
        except Conflict:
            error = _("This task is already done or cancelled; nothing changed.")
    if request.htmx:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        return render(request, "tasks/partials/_work_row.html",
                      {"row": _row(request.user, task, timezone.now()), "error": error},
                      status=409 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Task done."))
    return redirect("tasks:detail", task_id)


def _back_to_detail(request, task_id: int, ok: str, exc: Exception | None):
    if isinstance(exc, ValidationFailed):
        messages.error(request, " ".join(_(str(r)) for r in exc.fields.values()) or exc.message)
    elif isinstance(exc, Conflict):
        messages.error(request, _("This task is already done or cancelled; nothing changed."))
    else:
        messages.success(request, ok)
    return redirect("tasks:detail", task_id)


@login_required
@domain_errors_as_http
@require_POST
def task_cancel(request, task_id: int):
    task = selectors.task_get_for_user(user=request.user, task_id=task_id, action="write")
    form = TaskCancelForm(request.POST)
    error = None
    try:
        services.task_cancel(actor=request.user, task=task,
                             reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except (ValidationFailed, Conflict) as exc:
        error = exc
    return _back_to_detail(request, task_id, _("Task cancelled."), error)


@login_required
@domain_errors_as_http
@require_POST
def task_reassign(request, task_id: int):
    task = selectors.task_get_for_user(user=request.user, task_id=task_id, action="write")
    form = TaskReassignForm(request.POST)
    if not form.is_valid():
        return _back_to_detail(request, task_id, "", ValidationFailed(fields={"assignee": _("unknown user")}))
    data, error = form.cleaned_data, None
    try:
        services.task_reassign(actor=request.user, task=task, assignee=data["assignee"], team=data["team"],
                               note=data["note"])
    except (ValidationFailed, Conflict) as exc:
        error = exc
    if error is None and not selectors.task_list(user=request.user).filter(pk=task_id).exists():
        messages.success(request, _("Task handed over."))
        return redirect("tasks:today")
    return _back_to_detail(request, task_id, _("Task handed over."), error)


def _reminders(data) -> list[dt.datetime]:
    minutes = data.get("remind")
    anchor = data.get("start_at") or data.get("due_at")
    return [anchor - dt.timedelta(minutes=int(minutes))] if minutes and anchor else []


@login_required
@domain_errors_as_http
def task_create(request):
    """A new task (for me, or someone I hand it to); `?customer=` prefills the customer."""
    initial = {"kind": "follow_up", "customer": request.GET.get("customer") or None}
    form = TaskCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_get_for_user(user=request.user, customer_id=data["customer"]) \
                if data.get("customer") else None
            task = services.task_create(
                actor=request.user, kind=data["kind"], subject=data["subject"], notes=data["notes"],
                customer=customer, assignee=data["assignee"], start_at=data["start_at"], due_at=data["due_at"],
                all_day=data["all_day"], priority=data["priority"], reminders=_reminders(data))
        except NotFound:
            form.add_error(None, _("unknown customer"))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Task created."))
            return redirect("tasks:detail", task.pk)
    return render(request, "tasks/task_form.html", {"form": form})


@login_required
@domain_errors_as_http
def task_detail(request, task_id: int):
    """One task; its owner edits it here while it is open."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id)
    can_write = task.is_open and permissions.can_write(request.user, task)
    pending = [r for r in selectors.reminders_of(task) if r.sent_at is None]
    initial = {"kind": task.kind, "subject": task.subject, "notes": task.notes, "start_at": task.start_at,
               "due_at": task.due_at, "all_day": task.all_day, "priority": task.priority,
               "customer": task.customer_id}
    if pending:
        anchor = task.start_at or task.due_at
        initial["remind"] = str(int((anchor - pending[0].remind_at).total_seconds() // 60))
    form = TaskForm(request.POST or None, initial=initial) if can_write else None
    if request.method == "POST" and can_write and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_update(actor=request.user, task=task, kind=data["kind"], subject=data["subject"],
                                 notes=data["notes"], start_at=data["start_at"], due_at=data["due_at"],
                                 all_day=data["all_day"], priority=data["priority"], reminders=_reminders(data))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return redirect("tasks:detail", task.pk)
    return render(request, "tasks/task_detail.html", {
        "task": task, "subject": _text(request.user, task, task.subject),
        "notes": _text(request.user, task, task.notes), "outcome": _text(request.user, task, task.outcome),
        "form": form, "can_write": can_write, "reminders": selectors.reminders_of(task),
        "hand_overs": selectors.hand_overs_of(task), "complete_form": TaskCompleteForm(),
        "cancel_form": TaskCancelForm(), "reassign_form": TaskReassignForm() if can_write else None,
        "is_late": task.is_open and task.due_at < timezone.now(),
    })


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


@login_required
def task_list(request):
    """Every task the user may read, filtered (mine, my team, status, kind, subject, due dates)."""
    form = TaskFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "mine"
    after, before = data.get("due_after"), data.get("due_before")
    filters = selectors.TaskFilter(
        mine=view == "mine", team=view == "team", statuses=(data["status"],) if data.get("status") else (),
        kind=data.get("kind") or "", search=data.get("q") or "",
        due_after=_local_start(after) if after else None,
        due_before=_local_start(before + dt.timedelta(days=1)) if before else None)
    page = capped_page(selectors.task_search(user=request.user, filters=filters), page=data.get("page") or 1,
                       per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    now = timezone.now()
    return render(request, "tasks/task_list.html", {
        "form": form, "view": view, "page": page, "rows": [_row(request.user, t, now) for t in page.rows],
        "base_query": query.urlencode()})


def _calendar_days(view: str, day: dt.date) -> list[dt.date]:
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return [monday + dt.timedelta(days=i) for i in range(7)]
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(day.year, day.month)
    return [d for week in weeks for d in week]


@login_required
def task_calendar(request):
    """A person's (default) or their team's tasks on a month or week grid (rendered here)."""
    form = CalendarForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "month"
    today = timezone.localdate()
    day = data.get("date") or today
    if not 1900 < day.year < 2999:
        day = today
    team = bool(data.get("team")) and request.user.team_id is not None
    days = _calendar_days(view, day)
    tasks = selectors.calendar_tasks(user=request.user, since=_local_start(days[0]),
                                     until=_local_start(days[-1] + dt.timedelta(days=1)),
                                     team_id=request.user.team_id if team else None)
    now = timezone.now()
    by_day: dict[dt.date, list] = {d: [] for d in days}
    for task in tasks:
        by_day.setdefault(timezone.localdate(task.due_at), []).append(_row(request.user, task, now))
    limit = CELL_TASKS if view == "month" else None
    cells = [{"day": d, "rows": by_day[d][:limit], "more": len(by_day[d]) - len(by_day[d][:limit]),
              "in_month": view == "week" or d.month == day.month, "is_today": d == today} for d in days]
    step = dt.timedelta(days=7) if view == "week" else None
    if step:
        previous, following = day - step, day + step
    else:
        previous = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return render(request, "tasks/calendar.html", {
        "view": view, "day": day, "weeks": [cells[i:i + 7] for i in range(0, len(cells), 7)], "team": team,
        "previous": previous, "following": following, "today": today,
        "list_url": reverse("tasks:list")})
