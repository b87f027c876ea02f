"""Writes of the outbox: store a message, then deliver it through the channel's backend."""

import logging

from django.db import transaction
from django.utils import timezone

from guanxi.core.errors import ValidationFailed

from .attachments import Attachment, attachments_problem, attachments_store
from .backends import backend_for, backend_path_for
from .enums import MessageChannel, MessageStatus
from .models import OutboundMessage

logger = logging.getLogger("guanxi.messaging")


@transaction.atomic
def message_send(*, channel: str, recipient: str, subject: str = "", body: str,
                 attachments: list[Attachment] | tuple = ()) -> OutboundMessage:
    """Store a queued message and deliver it after the surrounding transaction commits (a rolled
    back request sends nothing). `attachments` (e-mail only) are kept with it privately and sent as
    MIME parts by the e-mail backend."""
    errors = {}
    if channel not in MessageChannel.values:
        errors["channel"] = f"one of: {', '.join(MessageChannel.values)}"
    recipient = (recipient or "").strip()
    if not recipient or len(recipient) > 254:
        errors["recipient"] = "required"
    elif channel == MessageChannel.EMAIL and "@" not in recipient:
        errors["recipient"] = "not a valid e-mail address"
    if not (body or "").strip():
        errors["body"] = "required"
    if problem := attachments_problem(channel, list(attachments)):
        errors["attachments"] = problem
    if errors:
        raise ValidationFailed(fields=errors)
    message = OutboundMessage.objects.create(channel=channel, recipient=recipient, subject=(subject or "")[:200],
                                             body=body, backend=backend_path_for(channel))
    attachments_store(message.pk, list(attachments))
    transaction.on_commit(lambda: message_deliver(message_id=message.pk))
    return message


def message_deliver(*, message_id: int) -> OutboundMessage:
    """Hand a queued message to its backend and record the outcome; a failure is stored, not raised,
    so that one bad provider call cannot break the request that sent it."""
    message = OutboundMessage.objects.get(pk=message_id)
    if message.status == MessageStatus.SENT:
        return message
    if _handed_over(backend_for(message.channel), message):
        message.status, message.sent_at, message.error = MessageStatus.SENT, timezone.now(), ""
        OutboundMessage.objects.filter(pk=message.pk).update(status=message.status, sent_at=message.sent_at, error="",
                                                             updated_at=timezone.now())
    return message


def _handed_over(backend, message: OutboundMessage) -> bool:
    """Send through the backend; on failure record it on the message (status failed) and say so."""
    try:
        backend.send(message)
    except Exception as exc:  # noqa: BLE001 - any provider error is recorded on the message
        logger.warning("message %s to %s failed: %s", message.pk, message.recipient, exc)
        message.status, message.error = MessageStatus.FAILED, str(exc)[:2000]
        OutboundMessage.objects.filter(pk=message.pk).update(status=message.status, error=message.error,
                                                             updated_at=timezone.now())
        return False
    return True


def message_queue_many(*, messages: list[dict]) -> list[int]:
    """Store many queued messages at once (dicts of channel, recipient, subject, body), in the
    caller's transaction, for `messages_deliver_queued` to hand over: bulk senders (care greetings)
    queue tens of thousands without one delivery call each. Returns the ids in input order."""
    rows = []
    for data in messages:
        channel, recipient, body = data["channel"], (data["recipient"] or "").strip(), data["body"]
        if channel not in MessageChannel.values or not recipient or len(recipient) > 254 or not body.strip():
            raise ValidationFailed(fields={"messages": "each needs a channel, a recipient and a text"})
        rows.append(OutboundMessage(channel=channel, recipient=recipient, subject=(data.get("subject") or "")[:200],
                                    body=body, backend=backend_path_for(channel)))
    return [row.pk for row in OutboundMessage.objects.bulk_create(rows, batch_size=2_000)]


DELIVERY_BATCH = 200


def messages_deliver_queued(*, limit: int = 10_000) -> int:
    """Deliver up to `limit` queued messages, oldest first, a batch at a time: the batch's rows are
    locked (rows another run holds are skipped, so two runs never hand a message over twice), each
    message goes to its backend, and the sent ones are marked in one UPDATE per batch instead of a read
    and a write per message (10,000 wave invitations took minutes). Returns how many were handled."""
    handled, backends = 0, {}
    while handled < limit:
        with transaction.atomic():
            batch = list(OutboundMessage.objects.filter(status=MessageStatus.QUEUED).order_by("created_at", "id")
                         .select_for_update(skip_locked=True)[:min(DELIVERY_BATCH, limit - handled)])
            if not batch:
                break
            sent = []
            for message in batch:
                if message.channel not in backends:
                    backends[message.channel] = backend_for(message.channel)
                if _handed_over(backends[message.channel], message):
                    sent.append(message.pk)
            now = timezone.now()
            OutboundMessage.objects.filter(pk__in=sent).update(status=MessageStatus.SENT, sent_at=now, error="",
                                                               updated_at=now)
        handled += len(batch)
    return handled


def message_id_sql() -> str:
    """PostgreSQL: the SQL expression that reserves the next message id, for a bulk sender that
    records the id on its own rows before `message_queue_sql` inserts the messages."""
    return f"nextval(pg_get_serial_sequence('{OutboundMessage._meta.db_table}', 'id'))"


def message_queue_sql(*, channel: str, subject: str, template: str, source: str) -> tuple[str, list]:
    """PostgreSQL: an INSERT … SELECT queueing one message per row of `source` (a CTE name with
    columns id, name, recipient); the text is `template` with `{name}` replaced by the row's name.
    Returns the SQL and its parameters, for the caller to run inside its own statement."""
    if channel not in MessageChannel.values or not template.strip():
        raise ValidationFailed(fields={"messages": "each needs a channel and a text"})
    now = timezone.now()
    table = OutboundMessage._meta.db_table
    sql = (f"INSERT INTO {table} (id, channel, recipient, subject, body, status, backend, error, created_at, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
           f"updated_at) SELECT {source}.id, %s, {source}.recipient, %s, replace(%s, '{{name}}', {source}.name), "
           f"%s, %s, '', %s, %s FROM {source}")
    return sql, [channel, subject[:200], template, MessageStatus.QUEUED, backend_path_for(channel), now, now]
