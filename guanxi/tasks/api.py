"""`/api/v1/tasks`: tasks and activities, scoped by `permissions.py`."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.models import Team, User
from guanxi.accounts.selectors import team_visible_to, user_visible_to
from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.errors import NotFound, ValidationFailed, referenced
from guanxi.core.masking import mask_free_text
from guanxi.core.routers import Router
from guanxi.customers.permissions import can_see_personal_data
from guanxi.customers.selectors import customer_get_for_user

from . import selectors, services
from .kinds import KINDS
from .models import Task
from .schemas import (
    TaskCancelIn,
    TaskCompleteIn,
    TaskDetailOut,
    TaskFilterIn,
    TaskIn,
    TaskOut,
    TaskPatchIn,
    TaskReassignIn,
)

router = Router(tags=["tasks"], operation_prefix="guanxi_tasks_api")
EARLIEST, LATEST = services.EARLIEST, services.LATEST


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _out(user, task: Task) -> dict:
    """One task; free text masked (phones, ID numbers) unless the user sees the customer's personal data."""
    plain = task.customer is not None and can_see_personal_data(user=user, customer=task.customer)
    text = (lambda value: value) if plain else mask_free_text
    source = None
    if task.source_type_id is not None:
        source = {"type": f"{task.source_type.app_label}.{task.source_type.model}", "id": task.source_id,
                  "label": task.source_label, "url": task.source_url}
    return {
        "id": task.pk, "kind": task.kind, "kind_label": task.get_kind_display(), "subject": text(task.subject),
        "notes": text(task.notes), "status": task.status, "priority": task.priority,
        "customer": _ref(task.customer), "assignee": _ref(task.assignee), "team": _ref(task.team),
        "created_by": _ref(task.created_by), "start_at": task.start_at, "due_at": task.due_at,
        "all_day": task.all_day, "reminders": [r.remind_at for r in task.reminders.all() if r.sent_at is None],
        "closed_at": task.closed_at, "closed_by": _ref(task.closed_by), "outcome": text(task.outcome),
        "source": source, "created_at": task.created_at,
    }


def _detail(user, task_id: int, *, handed_over: bool = False) -> dict:
    """The task as the user sees it; just after handing it over, even when it left their scope."""
    task = selectors.task_get_for_user(user=user, task_id=task_id) if not handed_over else \
        selectors.task_handed_over(task_id=task_id)
    hand_overs = [{"at": h.at, "by": _ref(h.by), "from_assignee": _ref(h.from_assignee),
                   "from_team": _ref(h.from_team), "to_assignee": _ref(h.to_assignee), "to_team": _ref(h.to_team),
                   "note": h.note} for h in selectors.hand_overs_of(task)]
    return {**_out(user, task), "hand_overs": hand_overs}


def _sane(value, field: str):
    if value is not None and not EARLIEST <= value.year <= LATEST:
        raise ValidationFailed(fields={field: _("a year from %(earliest)s to %(latest)s") % {
            "earliest": EARLIEST, "latest": LATEST}})
    return value


def _user(viewer, pk: int | None) -> User | None:
    if pk is None:
        return None
    return referenced(user_visible_to, field="assignee", reason=_("unknown or inactive user"), viewer=viewer,
                      user_id=pk, active_only=True)


def _team(viewer, pk: int | None) -> Team | None:
    if pk is None:
        return None
    return referenced(team_visible_to, field="team", reason=_("unknown team"), viewer=viewer, team_id=pk)


def _customer(user, pk: int | None):
    if pk is None:
        return None
    try:
        return customer_get_for_user(user=user, customer_id=pk)
    except NotFound as exc:
        raise ValidationFailed(fields={"customer": _("unknown customer")}) from exc


@router.get("/tasks", response=PageOut[TaskOut])
def list_tasks(request: HttpRequest, filters: Query[TaskFilterIn], page: Query[PageParams]):
    """Tasks the caller may read, soonest due first: `mine`, `team`, by status, kind, customer,
    assignee and due range. Walk it with `next_cursor`."""
    unknown = set(filters.status) - set(Task.Status.values)
    if unknown or (filters.kind and filters.kind not in KINDS):
        raise ValidationFailed(fields={"status" if unknown else "kind": _("unknown value")})
    if page.ordering not in (None, "", "due_at"):
        raise ValidationFailed(fields={"ordering": _("one of: %(values)s") % {"values": "due_at"}})
    query = selectors.TaskFilter(
        mine=filters.mine, team=filters.team, statuses=tuple(filters.status), kind=filters.kind,
        customer_id=filters.customer, assignee_id=filters.assignee,
        due_after=_sane(filters.due_after, "due_after"), due_before=_sane(filters.due_before, "due_before"))
    qs = selectors.task_search(user=request.user, filters=query).prefetch_related("reminders")
    return paginate(qs, page, lambda task: _out(request.user, task))


@router.post("/tasks", response={201: TaskDetailOut})
def create_task(request: HttpRequest, payload: TaskIn):
    """A new task for me (or the assignee / team given), with appointment reminders."""
    user = request.user
    task = services.task_create(
        actor=user, kind=payload.kind, subject=payload.subject, notes=payload.notes,
        customer=_customer(user, payload.customer), assignee=_user(user, payload.assignee),
        team=_team(user, payload.team),
        start_at=_sane(payload.start_at, "start_at"), due_at=_sane(payload.due_at, "due_at"),
        all_day=payload.all_day, priority=payload.priority,
        reminders=[_sane(at, "reminders") for at in payload.reminders])
    return Status(201, _detail(user, task.pk))


@router.get("/tasks/{int:task_id}", response=TaskDetailOut)
def get_task(request: HttpRequest, task_id: int):
    return _detail(request.user, task_id)


@router.patch("/tasks/{int:task_id}", response=TaskDetailOut)
def update_task(request: HttpRequest, task_id: int, payload: TaskPatchIn):
    """Change an open task: only the fields sent (null leaves a field as it is)."""
    user = request.user
    task = selectors.task_get_for_user(user=user, task_id=task_id, action="write")
    changes = {name: getattr(payload, name) for name in
               ("kind", "subject", "notes", "start_at", "due_at", "all_day", "priority", "reminders")
               if getattr(payload, name) is not None}
    for name in ("start_at", "due_at"):
        if name in changes:
            _sane(changes[name], name)
    if "reminders" in changes:
        changes["reminders"] = [_sane(at, "reminders") for at in changes["reminders"]]
    if payload.customer is not None:
        changes["customer"] = None if payload.customer == 0 else _customer(user, payload.customer)
    services.task_update(actor=user, task=task, **changes)
    return _detail(user, task_id)


@router.post("/tasks/{int:task_id}/complete", response=TaskDetailOut)
def complete_task(request: HttpRequest, task_id: int, payload: TaskCompleteIn):
    """Done, with what came of it (409 if it is already done or cancelled)."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id, action="write")
    services.task_complete(actor=request.user, task=task, outcome=payload.outcome)
    return _detail(request.user, task_id)


@router.post("/tasks/{int:task_id}/cancel", response=TaskDetailOut)
def cancel_task(request: HttpRequest, task_id: int, payload: TaskCancelIn):
    """No longer needed; a reason is required (409 if it is already done or cancelled)."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id, action="write")
    services.task_cancel(actor=request.user, task=task, reason=payload.reason)
    return _detail(request.user, task_id)


@router.post("/tasks/{int:task_id}/reassign", response=TaskDetailOut)
def reassign_task(request: HttpRequest, task_id: int, payload: TaskReassignIn):
    """Hand the task over (交接) to another person and/or team, with a note."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id, action="write")
    services.task_reassign(actor=request.user, task=task, assignee=_user(request.user, payload.assignee),
                           team=_team(request.user, payload.team), note=payload.note)
    return _detail(request.user, task_id, handed_over=True)
