"""Callbacks (回访) after repairs."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.accounts.access import user_of
from guanxi.core.errors import Conflict, ValidationFailed

from .. import events, permissions
from ..enums import CallbackOutcome, TicketStatus
from ..models import Callback, TicketMessage
from ..signals import callback_recorded
from . import complaints, tickets


@transaction.atomic
def callback_record(*, actor, callback: Callback, outcome: str, note: str = "", at=None) -> Callback:
    """Record what the customer said. Dissatisfied: the case reopens for follow-up. On a replied
    complaint the callback verifies the result or reopens the complaint (complaints service)."""
    callback = Callback.objects.select_for_update().select_related("ticket").get(pk=callback.pk)
    permissions.require_callback_record(actor, callback)
    actor = user_of(actor)  # recorded as who did it from here on (None for the system)
    if callback.is_done:
        raise Conflict("This callback is already recorded.", code="already_done")
    if outcome not in CallbackOutcome.values:
        raise ValidationFailed(fields={"outcome": gettext("one of: %(values)s") % {
            "values": ', '.join(CallbackOutcome.values)}})
    callback.outcome, callback.note = outcome, note[:5000]
    callback.done_at, callback.done_by = at or timezone.now(), actor
    callback._history_user = actor
    callback.save()
    ticket = callback.ticket
    callback_recorded.send(sender=Callback, callback=callback, actor=actor, at=callback.done_at)
    complaints.complaint_callback_recorded(actor=actor, ticket=ticket, outcome=outcome, note=note,
                                           at=callback.done_at)
    if outcome == CallbackOutcome.DISSATISFIED and ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        tickets._transition(actor=actor, ticket=tickets._locked(ticket), status=TicketStatus.OPEN,
                                  reason=events.CALLBACK_REOPENED, at=callback.done_at)
        TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.Kind.NOTE, author=actor,
                                     event=events.CALLBACK_DISSATISFIED, event_params={"note": note})
    return callback
