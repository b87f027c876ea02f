"""The service desk's business gauges on /metrics: the open-case queue and its breached part, counted
through the partial indexes of open cases at each scrape."""

from .models import Ticket
from .models.tickets import IS_OPEN


def open_cases() -> int:
    return Ticket.objects.filter(IS_OPEN).count()


def breached_open_cases() -> int:
    return Ticket.objects.filter(IS_OPEN, breached_at__isnull=False).count()
