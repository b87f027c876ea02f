"""Reads of the outbox."""

from django.db.models import QuerySet

from .models import OutboundMessage


def message_list(*, recipient: str | None = None, channel: str | None = None) -> QuerySet[OutboundMessage]:
    """Newest first, optionally for one recipient or channel."""
    qs = OutboundMessage.objects.all()
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    if channel is not None:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-id")
