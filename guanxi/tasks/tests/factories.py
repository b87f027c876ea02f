import datetime as dt

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.tasks.services import task_create


def make_task(*, actor=SYSTEM, assignee=None, team=None, due_in=dt.timedelta(days=1), **data):
    """An open task created through the service (by the system unless an actor is given)."""
    data.setdefault("kind", "call")
    data.setdefault("subject", "回访客户")
    return task_create(actor=actor, assignee=assignee, team=team, due_at=timezone.now() + due_in, **data)
