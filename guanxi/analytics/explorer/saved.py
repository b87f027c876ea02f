"""Saved explorer views (保存的分析视图): reads scoped by owner and sharing, writes through services
that check the analytics permission table, validate the query as the saver and keep a history."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import is_system, user_of
from guanxi.accounts.roles import Scope
from guanxi.core.errors import DomainError, NotFound, ValidationFailed

from ..models import ExplorerView
from ..permissions import permissions
from .query import ExplorerQuery, validate

DENIED = _("Only its owner or an administrator can change this saved view.")


class ViewDeleted(DomainError):
    status = 410
    code = "view_deleted"
    default_message = _("This saved view was deleted.")


def _visible(user) -> Q:
    if permissions.scope(user, "explorer_view", "read") is Scope.ALL:
        return Q()
    if not permissions.can(user, "explorer_view", "read") or is_system(user):
        return Q(pk__in=[])
    shared = Q(sharing=ExplorerView.Sharing.EVERYONE)
    if user.team_id:
        shared |= Q(sharing=ExplorerView.Sharing.TEAM, team_id=user.team_id)
    return Q(owner_id=user.pk) | shared


def explorer_view_list(*, user) -> QuerySet[ExplorerView]:
    """The saved views `user` may open (their own and those shared with them), oldest first."""
    permissions.require(user, "explorer", "read")
    return (ExplorerView.objects.filter(_visible(user), deleted_at__isnull=True)
            .select_related("owner").order_by("id"))


def explorer_view_get_for_user(*, user, view_id: int, action: str = "read") -> ExplorerView:
    """One saved view: 404 when absent or not shared with `user`, 410 when deleted, 403 when `action`
    (write, delete) is not theirs to take."""
    permissions.require(user, "explorer", "read")
    view = ExplorerView.objects.filter(_visible(user), pk=view_id).select_related("owner").first()
    if view is None:
        raise NotFound(_("No such saved view, or it is not shared with you."))
    if view.deleted_at is not None:
        raise ViewDeleted()
    if action != "read":
        permissions.require(user, "explorer_view", action, allowed=permissions.may_own(
            user, "explorer_view", action, view.owner_id), message=DENIED)
    return view


def _clean(name: str, sharing: str) -> str:
    name = (name or "").strip()
    fields = {}
    if not name:
        fields["name"] = _("a name is required")
    elif len(name) > 100:
        fields["name"] = _("at most 100 characters")
    if sharing not in ExplorerView.Sharing.values:
        fields["sharing"] = _("not a valid choice")
    if fields:
        raise ValidationFailed(fields=fields)
    return name


@transaction.atomic
def explorer_view_save(*, actor, name: str, query: ExplorerQuery, sharing: str = "private") -> ExplorerView:
    """Save a view owned by `actor` (shared with their team: the team they are in now)."""
    permissions.require(actor, "explorer_view", "write")
    name = _clean(name, sharing)
    validate(actor, query)
    view = ExplorerView(name=name, owner=actor, team_id=actor.team_id, sharing=sharing,
                        definition=query.as_dict())
    view._history_user = user_of(actor)
    view.save()
    return view


@transaction.atomic
def explorer_view_update(*, actor, view: ExplorerView, name: str, query: ExplorerQuery,
                         sharing: str) -> ExplorerView:
    """Change a view's name, query or sharing (its owner, or an administrator)."""
    permissions.require(actor, "explorer_view", "write",
                        allowed=permissions.may_own(actor, "explorer_view", "write", view.owner_id), message=DENIED)
    view = ExplorerView.objects.select_for_update().get(pk=view.pk)
    if view.deleted_at is not None:
        raise ViewDeleted()
    view.name, view.sharing, view.definition = _clean(name, sharing), sharing, query.as_dict()
    validate(actor, query)
    view._history_user = user_of(actor)
    view.save()
    return view


@transaction.atomic
def explorer_view_delete(*, actor, view: ExplorerView) -> None:
    """Delete a view (kept as deleted: links and schedules to it are told so)."""
    permissions.require(actor, "explorer_view", "delete",
                        allowed=permissions.may_own(actor, "explorer_view", "delete", view.owner_id), message=DENIED)
    view = ExplorerView.objects.select_for_update().get(pk=view.pk)
    if view.deleted_at is not None:
        raise ViewDeleted()
    view.deleted_at = timezone.now()
    view._history_user = user_of(actor)
    view.save(update_fields=["deleted_at", "updated_at"])
