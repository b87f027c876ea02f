"""Inbound SMS (上行短信): a provider's webhook (or the local backend's simulated reply) hands a reply
to the handlers that higher apps register in `ready()`; the first handler that claims it answers it,
and its reply text goes back to the sender through the SMS backend.

The webhook only accepts: it checks the signature and stores the reply in the inbox (`InboundSms`, one
INSERT, unique on the provider's message id so that a re-delivered reply is stored once) and answers.
`sms_inbox_apply` then applies pending rows in batches (rows locked with SKIP LOCKED on PostgreSQL, so
that concurrent appliers never take the same row; each batch in one transaction with a savepoint per
reply): a row is marked applied in the transaction that recorded its answer, so a crash before or
during the apply leaves it pending for the next run. The apply is started after the accepting commit:
with a worker (REDIS_URL) as the Celery task `messaging.inbox_apply`; under `guanxi serve` without one
by a background thread of the worker process (`start_inbox_applier`); otherwise inline. The beat entry
`messaging-inbox-apply` sweeps anything left every minute."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from guanxi.core.errors import DomainError, PermissionDenied, ValidationFailed

from .enums import InboundStatus, MessageChannel
from .models import InboundSms
from .services import message_queue_many

log = logging.getLogger("guanxi.messaging")

MAX_CLOCK_SKEW = 300  # seconds a signed reply may be old (or early) before it counts as a replay
MAX_TEXT = 500
MAX_KEY = 120
APPLY_BATCH = 200  # inbox rows applied per transaction
MAX_ATTEMPTS = 5  # a row whose own transaction keeps failing is marked failed after this many tries
APPLIER_SWEEP_SECONDS = 10.0  # the background applier also looks for pending rows this often


@dataclass(frozen=True)
class InboundResult:
    """What a handler made of a reply: `outcome` a short code (recorded, invalid, opted_out, …),
    `reply` the text sent back (empty: nothing is sent)."""

    outcome: str
    reply: str = ""


InboundHandler = Callable[..., InboundResult | None]
_handlers: list[tuple[str, InboundHandler]] = []


def register_sms_reply_handler(name: str, handler: InboundHandler) -> None:
    """A higher app's handler(*, phone, text, now) -> InboundResult | None (None: not mine)."""
    if name not in {n for n, _h in _handlers}:
        _handlers.append((name, handler))


def sms_inbound_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sms_inbound_verify(*, timestamp: str, signature: str, body: bytes, now: float | None = None) -> None:
    """Refuse unsigned, badly signed or stale replies (HMAC-SHA256 over "timestamp.body", the scheme
    of the CTI events)."""
    secret = settings.SMS_INBOUND_SECRET
    if not secret:
        raise PermissionDenied("Inbound SMS is not configured (SMS_INBOUND_SECRET).", code="sms_inbound_disabled")
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (TypeError, ValueError) as exc:
        raise PermissionDenied("Missing or bad timestamp.", code="bad_signature") from exc
    expected = sms_inbound_signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, (signature or "").removeprefix("sha256=")):
        raise PermissionDenied("Bad signature.", code="bad_signature")
    if age > MAX_CLOCK_SKEW:
        raise PermissionDenied("The reply is too old; it looks replayed.", code="stale_event")


def _validated(phone: str, text: str) -> tuple[str, str]:
    phone, text = (phone or "").strip(), (text or "").strip()
    errors = {}
    if not phone or len(phone) > 40:
        errors["phone"] = "required, at most 40 characters"
    if len(text) > MAX_TEXT or "\x00" in text or "\x00" in phone:
        errors["text"] = f"at most {MAX_TEXT} characters"
    if errors:
        raise ValidationFailed(fields=errors)
    return phone, text


@dataclass(frozen=True)
class Accepted:
    """An accepted reply: its inbox row, or `duplicate` when its message id was stored before."""

    id: int | None
    duplicate: bool


def sms_inbound_accept(
    *, phone: str, text: str, message_key: str = "", now: dt.datetime | None = None, apply: bool = True
) -> Accepted:
    """Store one reply in the inbox: a single INSERT … ON CONFLICT (message_key) DO NOTHING (no key: no
    de-duplication here; the handlers still count a survey once). With `apply`, the inbox is applied
    after the surrounding transaction commits (at once in autocommit)."""
    phone, text = _validated(phone, text)
    key = (message_key or "").strip()[:MAX_KEY] or None
    received_at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    table = connection.ops.quote_name(InboundSms._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (message_key, phone, text, received_at, status, outcome, reply, attempts, error) "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
            "VALUES (%s, %s, %s, %s, %s, '', '', 0, '') ON CONFLICT (message_key) DO NOTHING RETURNING id",
            [key, phone, text, received_at, InboundStatus.PENDING],
        )
        row = cursor.fetchone()
    if row is None:
        return Accepted(None, True)
    if apply:
        transaction.on_commit(inbox_apply_soon)
    return Accepted(row[0], False)


def _dispatch(*, phone: str, text: str, now: dt.datetime) -> InboundResult:
    for _name, handler in list(_handlers):
        result = handler(phone=phone, text=text, now=now)
        if result is not None:
            return result
    return InboundResult(outcome="ignored")


def _apply_rows(rows: list[InboundSms], *, strict: bool = False) -> None:
    """Apply locked pending rows inside the caller's transaction, each in a savepoint, in the order of
    their phones (concurrent appliers take the survey locks in one order: no deadlock) and, per phone, of
    arrival; the replies are queued together and delivered after commit. A handler's refusal (a domain
    error) or a bug fails that row only (`failed`, with the error; `strict`: raised); a database error
    (lock, deadlock) is raised and rolls the whole batch back, its rows stay pending."""
    replies, applied_at = [], timezone.now()
    for row in sorted(rows, key=lambda r: (r.phone, r.pk)):
        row.attempts += 1
        row.applied_at = applied_at
        try:
            with transaction.atomic():
                result = _dispatch(phone=row.phone, text=row.text, now=row.received_at)
        except DatabaseError:
            raise
        except Exception as exc:
            if strict:
                raise
            if not isinstance(exc, DomainError):
                log.exception("inbound SMS %s could not be applied", row.pk)
            row.status, row.outcome, row.error = InboundStatus.FAILED, "error", str(exc)[:2000]
            continue
        row.status, row.outcome, row.reply = InboundStatus.APPLIED, result.outcome[:20], result.reply
        if result.reply:
            replies.append({"channel": MessageChannel.SMS, "recipient": row.phone, "body": result.reply})
    InboundSms.objects.bulk_update(rows, ["status", "outcome", "reply", "error", "attempts", "applied_at"])
    if replies:
        _queue_replies(replies)


def _queue_replies(replies: list[dict]) -> None:
    """Queue the replies in the applying transaction and hand their delivery to the messaging task after
    commit: with a worker (REDIS_URL) the delivery is the worker's, which marks many replies sent in one
    UPDATE."""
    from .tasks import deliver_queued

    message_queue_many(messages=replies)
    transaction.on_commit(deliver_queued.delay)


def _apply_batch(limit: int, ids: list[int] | None = None) -> int:
    """One transaction: up to `limit` pending rows (oldest first) locked, skipping rows another applier
    holds, and applied. The number of rows taken."""
    with transaction.atomic():
        rows = InboundSms.objects.filter(status=InboundStatus.PENDING)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        rows = list(rows.select_for_update(skip_locked=True).order_by("id")[:limit])
        if rows:
            _apply_rows(rows)
    return len(rows)


def _apply_singly(limit: int) -> int:
    """After a batch failed: its rows one transaction each, so that one row that keeps failing (counted
    in `attempts`, `failed` at MAX_ATTEMPTS) cannot hold the others back."""
    pending = InboundSms.objects.filter(status=InboundStatus.PENDING).order_by("id")
    ids = list(pending.values_list("id", flat=True)[:limit])
    taken = 0
    for pk in ids:
        try:
            taken += _apply_batch(1, [pk])
        except DatabaseError as exc:
            log.warning("inbound SMS %s: %s", pk, exc)
            try:
                with transaction.atomic():
                    row = InboundSms.objects.select_for_update().filter(pk=pk, status=InboundStatus.PENDING).first()
                    if row is not None:
                        row.attempts += 1
                        if row.attempts >= MAX_ATTEMPTS:
                            row.status, row.outcome = InboundStatus.FAILED, "error"
                        row.error = str(exc)[:2000]
                        row.save(update_fields=["attempts", "status", "outcome", "error"])
                        taken += 1
            except DatabaseError:
                log.warning("inbound SMS %s: attempt not recorded", pk)
    return taken


def sms_inbox_apply(*, batch_size: int = APPLY_BATCH, max_batches: int | None = None) -> int:
    """Apply the pending inbox in batches until none is left (or `max_batches`); the rows applied or
    failed. Safe to run from many processes at once: each row is applied once."""
    done, batches = 0, 0
    while max_batches is None or batches < max_batches:
        batches += 1
        try:
            taken = _apply_batch(batch_size)
        except DatabaseError as exc:
            log.warning("inbound SMS batch rolled back (%s); applying its rows one by one", exc)
            taken = _apply_singly(batch_size)
        done += taken
        if taken < batch_size:
            break
    return done


@transaction.atomic
def sms_inbound_receive(
    *, phone: str, text: str, now: dt.datetime | None = None, message_key: str = ""
) -> InboundResult:
    """One reply from `phone`, accepted and applied at once (the local backend's simulated reply, tests):
    stored in the inbox, offered to each registered handler in turn; the first result wins and its reply
    is queued and delivered after commit. Unclaimed replies are `ignored`; a message id seen before is a
    `duplicate`. A handler's refusal is raised (nothing stored)."""
    accepted = sms_inbound_accept(phone=phone, text=text, message_key=message_key, now=now, apply=False)
    if accepted.duplicate:
        return InboundResult(outcome="duplicate")
    row = InboundSms.objects.select_for_update().get(pk=accepted.id)
    _apply_rows([row], strict=True)
    return InboundResult(outcome=row.outcome, reply=row.reply)


# ---------------------------------------------------------------- starting the apply

_wake = threading.Event()
_applier: threading.Thread | None = None


def inbox_apply_soon() -> None:
    """After an accepting commit: wake this process's background applier, else hand the apply to
    Celery (the worker with REDIS_URL; inline, in this request, without one)."""
    if _applier is not None and _applier.is_alive():
        _wake.set()
        return
    from .tasks import inbox_apply

    inbox_apply.delay()


def start_inbox_applier() -> threading.Thread | None:
    """Under `guanxi serve` without a worker (no REDIS_URL): a daemon thread of the worker process that
    applies the inbox whenever a reply was accepted (and every APPLIER_SWEEP_SECONDS), so the hook's
    request only stores it. None with a worker: the task does it there."""
    global _applier
    if settings.REDIS_URL:
        return None
    if _applier is None or not _applier.is_alive():
        _applier = threading.Thread(target=_applier_loop, name="guanxi-sms-inbox", daemon=True)
        _applier.start()
    return _applier


def _applier_loop() -> None:
    while True:
        _wake.wait(APPLIER_SWEEP_SECONDS)
        _wake.clear()
        try:
            sms_inbox_apply()
        except Exception:  # the thread must outlive a failing run; the rows stay pending
            log.exception("the inbound SMS applier failed")
        finally:
            close_old_connections()
