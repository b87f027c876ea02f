from django.db.models import QuerySet

from .models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_list(*, is_active: bool = True) -> QuerySet[User]:
    return User.objects.filter(is_active=is_active).select_related("team").order_by("username")
