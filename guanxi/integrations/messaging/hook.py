"""The inbound-SMS webhook's lean path: `POST /api/v1/sms/inbound` answered by a middleware placed
before sessions, CSRF, authentication, messages, history, login throttling and the API router, none of
which a provider's signed call needs. It checks the signature on the raw body, reads three fields,
stores the reply in the inbox with one INSERT and answers; the reply is applied afterwards
(`inbound.sms_inbox_apply`). The API router keeps the operation (same contract) for the OpenAPI
document and for a deployment without the middleware."""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError, ValidationFailed

from . import inbound

PATH = "/api/v1/sms/inbound"
MAX_MESSAGE_ID = 100


def message_key(message_id: str | None, signature: str) -> str:
    """The inbox's de-duplication key: the provider's message id, else the request's signature (the same
    signed request delivered again is the same reply)."""
    if message_id:
        return "id:" + message_id
    signature = (signature or "").removeprefix("sha256=")
    return "sig:" + signature if signature else ""


def accepted_body(accepted: inbound.Accepted) -> dict:
    return {"accepted": True, "outcome": "duplicate" if accepted.duplicate else "queued", "reply": ""}


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"code": exc.code, "message": exc.message, "fields": exc.fields}, status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )


def _fields(body: bytes) -> tuple[str, str, str]:
    """phone, text and message_id from the JSON body, or ValidationFailed naming the bad fields."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(fields={"body": _("Cannot parse request body")}) from exc
    if not isinstance(data, dict):
        raise ValidationFailed(fields={"body": _("a JSON object")})
    phone, text, message_id = data.get("phone"), data.get("text", ""), data.get("message_id")
    errors = {}
    if not isinstance(phone, str) or not 1 <= len(phone) <= 40:
        errors["phone"] = "required, at most 40 characters"
    if not isinstance(text, str) or len(text) > inbound.MAX_TEXT:
        errors["text"] = f"at most {inbound.MAX_TEXT} characters"
    if message_id is not None and (not isinstance(message_id, str) or not 1 <= len(message_id) <= MAX_MESSAGE_ID):
        errors["message_id"] = f"at most {MAX_MESSAGE_ID} characters"
    if errors:
        raise ValidationFailed(fields=errors)
    return phone, text, message_id or ""


def sms_hook(request) -> JsonResponse:
    signature = request.headers.get("X-Guanxi-Signature", "")
    try:
        inbound.sms_inbound_verify(
            timestamp=request.headers.get("X-Guanxi-Timestamp", ""), signature=signature, body=request.body
        )
        phone, text, message_id = _fields(request.body)
        accepted = inbound.sms_inbound_accept(phone=phone, text=text, message_key=message_key(message_id, signature))
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(accepted_body(accepted))


class SmsInboundHookMiddleware:
    """Answers the inbound-SMS webhook itself (see the module); every other request goes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info == PATH:
            return sms_hook(request)
        return self.get_response(request)
