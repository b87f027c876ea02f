import datetime as dt

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.models import Team, User
from guanxi.core.errors import Conflict, ValidationFailed

from ..enums import Direction, InteractionChannel
from ..models import Customer, Interaction
from .transactions import clean_occurred_at


@transaction.atomic
def interaction_record(
    *, customer: Customer, channel: str, staff: User | None = None, team: Team | None = None,
    occurred_at: dt.datetime | None = None, direction: str = Direction.INBOUND, subject: str = "",
    content: str = "", duration_seconds: int | None = None, external_id: str | None = None,
) -> Interaction:
    """Record a contact with the customer (now, or at a past `occurred_at`: not in the future beyond
    HISTORY_FUTURE_SKEW_SECONDS). With an `external_id` it is idempotent: the same id returns the row
    recorded first; used for another customer it is a Conflict."""
    now = timezone.now()
    errors = {}
    if occurred_at is not None:
        occurred_at = clean_occurred_at(occurred_at, errors, now=now)
    if channel not in InteractionChannel.values:
        errors["channel"] = f"one of: {', '.join(InteractionChannel.values)}"
    if direction not in Direction.values:
        errors["direction"] = "inbound or outbound"
    if len(subject) > 200:
        errors["subject"] = "at most 200 characters"
    if duration_seconds is not None and not 0 <= duration_seconds <= 86_400:
        errors["duration_seconds"] = "0 to 86400"
    if errors:
        raise ValidationFailed(fields=errors)
    defaults = {"customer": customer, "channel": channel, "direction": direction, "staff": staff,
                "team": team if team is not None else getattr(staff, "team", None),
                "occurred_at": occurred_at or now, "subject": subject, "content": content[:20_000],
                "duration_seconds": duration_seconds}
    if external_id:
        interaction, _ = Interaction.objects.get_or_create(external_id=external_id[:100], defaults=defaults)
        if interaction.customer_id != customer.pk:
            raise Conflict("This external id was already recorded for another customer.",
                           code="external_id_conflict", fields={"external_id": "already used for another customer"})
        return interaction
    return Interaction.objects.create(**defaults)
