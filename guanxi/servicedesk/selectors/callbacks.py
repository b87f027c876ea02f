"""Reads of callbacks (回访), scoped like the cases they belong to."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from guanxi.accounts.models import User
from guanxi.core.errors import NotFound

from .. import permissions
from ..models import Callback
from .tickets import ticket_list


def callback_list(*, user: User, pending_only: bool = True, mine: bool = False) -> QuerySet[Callback]:
    """Callbacks on cases the user may read (only those assigned to them with `mine`); pending ones
    first by due time."""
    qs = Callback.objects.filter(ticket__in=ticket_list(user=user)).select_related("ticket", "assignee")
    if pending_only:
        qs = qs.filter(done_at__isnull=True)
    if mine:
        qs = qs.filter(assignee=user)
    return qs.order_by("due_at", "id")


def callback_get_for_user(*, user: User, callback_id: int) -> Callback:
    callback = callback_list(user=user, pending_only=False).filter(pk=callback_id).first()
    if callback is None:
        raise NotFound("Callback not found.")
    permissions.require_callback_record(user, callback)
    return callback


def callback_worklist(*, user: User, pending_only: bool = True) -> QuerySet[Callback]:
    """callback_list with the user's own callbacks first."""
    mine_first = Case(When(assignee=user, then=Value(0)), default=Value(1), output_field=IntegerField())
    return callback_list(user=user, pending_only=pending_only).order_by(mine_first, "done_at", "due_at", "id")
