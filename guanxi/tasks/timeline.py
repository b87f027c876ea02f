"""Tasks on the customer's timeline: a task planned (when it was created) and done or cancelled."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .models import Task

CLOSED_KINDS = {Task.Status.DONE: "task_done", Task.Status.CANCELLED: "task_cancelled"}


TASK_EVENTS_IN = ((Task, "customer"),)


def task_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    """The customer's newest task events at or before `before` (all when None), at most `limit`:
    two index range scans (created, closed)."""
    made = Task.objects.filter(customer=customer)
    closed = Task.objects.filter(customer=customer, closed_at__isnull=False)
    if before is not None:
        made, closed = made.filter(created_at__lte=before), closed.filter(closed_at__lte=before)
    events = []
    for task in made.select_related("assignee", "team").order_by("-created_at", "-id")[:limit]:
        title = _("Planned: %(kind)s by %(due)s") % {"kind": task.get_kind_display(), "due": _local(task.due_at)}
        events.append(TimelineEvent(task.created_at, "task_planned", title, task.subject,
                                    reverse("tasks:detail", args=[task.pk]),
                                    {"status": task.status, "assignee": str(task.assignee or task.team)}))
    for task in closed.select_related("closed_by").order_by("-closed_at", "-id")[:limit]:
        title = _("%(kind)s %(status)s") % {"kind": task.get_kind_display(), "status": task.get_status_display()}
        detail = f"{task.subject} — {task.outcome}" if task.outcome else task.subject
        events.append(TimelineEvent(task.closed_at, CLOSED_KINDS[task.status], title, detail,
                                    reverse("tasks:detail", args=[task.pk]), {"status": task.status}))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
