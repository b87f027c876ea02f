from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import DomainError


class LoginFailed(DomainError):
    """One answer for every failed sign-in (unknown login, wrong secret, locked, inactive) so that
    the portal never tells an outsider which logins exist."""

    status = 400
    code = "login_failed"
    default_message = _("The sign-in details are not correct, or there were too many attempts. "
                        "Please check and try again later.")
