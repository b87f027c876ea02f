"""Inbound SMS (上行短信): a provider's webhook (or the local backend's simulated reply) hands a reply
to the handlers that higher apps register in `ready()`; the first handler that claims it answers it,
and its reply text goes back to the sender through the SMS backend."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from guanxi.core.errors import PermissionDenied, ValidationFailed

from .enums import MessageChannel
from .services import message_queue_many

MAX_CLOCK_SKEW = 300  # seconds a signed reply may be old (or early) before it counts as a replay
MAX_TEXT = 500


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


def _reply(phone: str, text: str) -> None:
    """Queue the reply in the hook's transaction and hand its delivery to the messaging task after commit:
    with a worker (REDIS_URL) the hook's request does no delivery work, and the worker marks the replies
    of many requests sent in one UPDATE (replies at 200 a second)."""
    from .tasks import deliver_queued

    message_queue_many(messages=[{"channel": MessageChannel.SMS, "recipient": phone, "body": text}])
    transaction.on_commit(deliver_queued.delay)


@transaction.atomic
def sms_inbound_receive(*, phone: str, text: str, now: dt.datetime | None = None) -> InboundResult:
    """One reply from `phone`: offered to each registered handler in turn; the first result wins and
    its reply is queued and delivered after commit. Unclaimed replies are ignored (`ignored`)."""
    phone, text = (phone or "").strip(), (text or "").strip()
    errors = {}
    if not phone or len(phone) > 40:
        errors["phone"] = "required, at most 40 characters"
    if len(text) > MAX_TEXT or "\x00" in text:
        errors["text"] = f"at most {MAX_TEXT} characters"
    if errors:
        raise ValidationFailed(fields=errors)
    now = now or timezone.now()
    for _name, handler in list(_handlers):
        result = handler(phone=phone, text=text, now=now)
        if result is not None:
            if result.reply:
                _reply(phone, result.reply)
            return result
    return InboundResult(outcome="ignored")
