"""Call-center (CTI) events: signed, idempotent, and turned into calls and interactions."""

import datetime as dt
import hashlib
import hmac
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.accounts.models import User
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers import normalize
from guanxi.customers.selectors import customer_match_phone
from guanxi.customers.services.history import interaction_record

from .. import permissions
from ..enums import CallStatus, CtiEventType
from ..models import Call, CtiEvent

MAX_CLOCK_SKEW = 300  # seconds a signed event may be old (or early) before it counts as a replay


def cti_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def cti_verify(*, timestamp: str, signature: str, body: bytes, now: float | None = None) -> None:
    """Refuse unsigned, badly signed or stale events (HMAC-SHA256 over "timestamp.body")."""
    secret = settings.CTI_SHARED_SECRET
    if not secret:
        raise PermissionDenied("CTI is not configured (CTI_SHARED_SECRET).", code="cti_disabled")
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (TypeError, ValueError) as exc:
        raise PermissionDenied("Missing or bad timestamp.", code="bad_signature") from exc
    expected = cti_signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, signature.removeprefix("sha256=")):
        raise PermissionDenied("Bad signature.", code="bad_signature")
    if age > MAX_CLOCK_SKEW:
        raise PermissionDenied("The event is too old; it looks replayed.", code="stale_event")


def _agent(username: str | None) -> User | None:
    return User.objects.filter(username=username, is_active=True).first() if username else None


@transaction.atomic
def cti_event_receive(*, actor, event_id: str, type: str, call_id: str, at: dt.datetime | None = None,
                      caller: str = "", agent: str | None = None, key: str = "", payload: dict) -> bool:
    """Apply one CTI event, as the call-center system (a signed webhook: `SYSTEM`). Returns False for
    an event id already seen (nothing happens again)."""
    permissions.require(actor, "call", "write")
    if type not in CtiEventType.values:
        raise ValidationFailed(fields={"type": gettext("one of: %(values)s") % {
            "values": ', '.join(CtiEventType.values)}})
    try:
        with transaction.atomic():
            CtiEvent.objects.create(event_id=event_id, type=type, call_id=call_id, payload=payload)
    except IntegrityError:
        return False
    at = at or timezone.now()
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is None:
        call = Call(call_id=call_id, started_at=at)
    if caller and not call.caller:
        call.caller = caller[:40]
        call.caller_normalized = normalize.phone_normalize(caller) or ""
        call.customer = customer_match_phone(phone=caller)
    if agent:
        call.agent = _agent(agent) or call.agent
    if type == CtiEventType.CALL_ANSWERED:
        call.status, call.answered_at = CallStatus.ANSWERED, at
    elif type == CtiEventType.IVR_KEY and key:
        call.ivr_keys = (call.ivr_keys + key[:5])[-100:]
    elif type == CtiEventType.CALL_ENDED:
        call.status, call.ended_at = CallStatus.ENDED, at
        if call.customer is not None:
            call.interaction = _interaction_for(call, actor=actor)
    call.save()
    return True


def _interaction_for(call: Call, *, actor):
    duration = int((call.ended_at - (call.answered_at or call.started_at)).total_seconds())
    # No English text: the timeline titles the call by its channel, in the reader's language; the call
    # id is kept as the external id.
    return interaction_record(
        actor=actor, customer=call.customer, channel="call", staff=call.agent, occurred_at=call.started_at,
        subject="", content=f"IVR: {call.ivr_keys}" if call.ivr_keys else "",
        duration_seconds=max(0, min(duration, 86_400)), external_id=f"cti:{call.call_id}",
    )
