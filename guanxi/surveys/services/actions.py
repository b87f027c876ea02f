"""Writes of improvement actions (改进措施): create, change, move along their status, delete."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import is_system, user_of
from guanxi.accounts.models import User
from guanxi.core.errors import ValidationFailed

from .. import permissions
from ..enums import ActionStatus, Dimension
from ..models import ImprovementAction

FIELDS = ("title", "dimension", "owner", "due_date", "status", "notes", "closure")


def _clean(data: dict, errors: dict) -> dict:
    cleaned = {}
    if "title" in data:
        cleaned["title"] = (data["title"] or "").strip()
        if not cleaned["title"] or len(cleaned["title"]) > 200:
            errors["title"] = _("required, at most 200 characters")
    if "dimension" in data and data["dimension"] not in Dimension.values:
        errors["dimension"] = _("one of: %(values)s") % {"values": ", ".join(Dimension.values)}
    if "status" in data and data["status"] not in ActionStatus.values:
        errors["status"] = _("one of: %(values)s") % {"values": ", ".join(ActionStatus.values)}
    if "due_date" in data and not isinstance(data["due_date"], dt.date):
        errors["due_date"] = _("a date")
    if "owner" in data and not (isinstance(data["owner"], User) and data["owner"].is_active):
        errors["owner"] = _("an active member of staff")
    for name in ("notes", "closure"):
        if name in data and len(data[name] or "") > 5000:
            errors[name] = _("at most 5000 characters")
    return {**{k: v for k, v in data.items() if k in FIELDS}, **cleaned}


def _apply(action: ImprovementAction, fields: dict, actor) -> ImprovementAction:
    was_closed = action.is_closed
    for name, value in fields.items():
        setattr(action, name, value.strip() if isinstance(value, str) else value)
    if action.is_closed and not action.closure:
        raise ValidationFailed(fields={"closure": _("say what was done, or why it was dropped")})
    if action.is_closed and not was_closed:
        action.closed_at = timezone.now()
    elif not action.is_closed:
        action.closed_at = None
    action._history_user = user_of(actor)
    action.save()
    return action


@transaction.atomic
def action_create(*, actor, data: dict) -> ImprovementAction:
    """A new improvement action (owner: the actor unless given)."""
    permissions.require(actor, "action", "write")
    data = {"status": ActionStatus.OPEN, **data}
    if "owner" not in data and not is_system(actor):
        data["owner"] = actor
    errors: dict = {}
    missing = [name for name in ("title", "dimension", "owner", "due_date") if data.get(name) in (None, "")]
    errors.update({name: _("required") for name in missing})
    fields = _clean({k: v for k, v in data.items() if k not in missing}, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    action = ImprovementAction()
    if not permissions.may_write_action(actor, ImprovementAction(owner=fields["owner"])):
        permissions.require(actor, "action", "write", allowed=False)
    return _apply(action, fields, actor)


@transaction.atomic
def action_update(*, actor, action: ImprovementAction, data: dict) -> ImprovementAction:
    """Change an action; closing (done, cancelled) needs a closure note. Locks the action."""
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    permissions.require(actor, "action", "write", allowed=permissions.may_write_action(actor, action))
    errors: dict = {}
    fields = _clean(data, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if "owner" in fields and not permissions.may_write_action(actor, ImprovementAction(owner=fields["owner"])):
        permissions.require(actor, "action", "write", allowed=False)
    return _apply(action, fields, actor)


@transaction.atomic
def action_delete(*, actor, action: ImprovementAction) -> None:
    permissions.require(actor, "action", "delete")
    action._history_user = user_of(actor)
    action.delete()


