"""Reads of CTI calls: the agent's screen pop."""

import datetime as dt

from django.utils import timezone

from guanxi.accounts.models import User

from ..enums import CallStatus
from ..models import Call

POP_WINDOW = dt.timedelta(minutes=15)


def call_pop_for_agent(*, user: User) -> Call | None:
    """The agent's current call (ringing or answered, recent), for the screen pop."""
    return (
        Call.objects.filter(agent=user, status__in=[CallStatus.RINGING, CallStatus.ANSWERED],
                            started_at__gte=timezone.now() - POP_WINDOW)
        .select_related("customer").order_by("-started_at").first()
    )
