"""Login lockout (django-axes): per username and address, and per address alone.

Axes counts one limit over its lockout parameters; an address that tries many usernames a few times
each never reaches the per-username limit. This handler also locks the address once its failures
over all usernames, within the cool-off time, reach AXES_IP_FAILURE_LIMIT (higher, so that an
office behind one address is not locked out by a few people's typos).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LoginLockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_failures(request) >= (
            settings.AXES_IP_FAILURE_LIMIT)

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
