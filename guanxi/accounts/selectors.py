from django.db.models import QuerySet

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
