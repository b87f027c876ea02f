from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import NotFound

from .enums import Role
from .models import ApiToken, Team, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_list(*, is_active: bool = True) -> QuerySet[User]:
    return User.objects.filter(is_active=is_active).select_related("team").order_by("username")


def team_get(*, team_id: int) -> Team | None:
    """The team of this id, or None."""
    return Team.objects.filter(pk=team_id).first()


def team_choices() -> list[tuple[int, str]]:
    """(id, name) of every team, by name: for pickers."""
    return list(Team.objects.order_by("name").values_list("id", "name"))


def _visible_users(viewer) -> QuerySet[User]:
    """The users `viewer` may name in an input (an owner, an assignee, a quota's representative):
    staff name any colleague; a partner's user only the users of their own team (or themselves)."""
    users = User.objects.select_related("team")
    if getattr(viewer, "role", None) == Role.PARTNER and not getattr(viewer, "is_superuser", False):
        return users.filter(pk=viewer.pk) if viewer.team_id is None else users.filter(team_id=viewer.team_id)
    return users


def user_visible_to(*, viewer, user_id: int | None = None, username: str | None = None,
                    active_only: bool = False) -> User:
    """The user of this id (or user name) as `viewer` may see them; NotFound when there is none or
    they are hidden (handlers turn that into a 422 on the field with `guanxi.core.errors.referenced`)."""
    users = _visible_users(viewer)
    if active_only:
        users = users.filter(is_active=True)
    found = users.filter(**({"pk": user_id} if username is None else {"username": username})).first()
    if found is None:
        raise NotFound(_("No such user."))
    return found


def team_visible_to(*, viewer, team_id: int) -> Team:
    """The team of this id as `viewer` may see it (a partner's user: only their own); NotFound else."""
    teams = Team.objects.all()
    if getattr(viewer, "role", None) == Role.PARTNER and not getattr(viewer, "is_superuser", False):
        teams = teams.filter(pk=viewer.team_id)
    found = teams.filter(pk=team_id).first()
    if found is None:
        raise NotFound(_("No such team."))
    return found


def team_list(*, kinds: tuple[str, ...] = ()) -> list[Team]:
    """Teams by name, of these kinds (all kinds when none): for pickers."""
    teams = Team.objects.order_by("name")
    return list(teams.filter(kind__in=kinds) if kinds else teams)
