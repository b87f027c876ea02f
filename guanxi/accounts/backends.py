"""Sign-in backend: Django's model backend, reading the signed-in user together with their team."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class UserWithTeamBackend(ModelBackend):
    """Every page's header names the user's team: read it with the user instead of in a query of its own."""

    def get_user(self, user_id):
        user = User._default_manager.select_related("team").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
