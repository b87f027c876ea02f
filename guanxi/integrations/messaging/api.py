"""`/api/v1/sms/inbound`: a provider's signed webhook delivering a customer's SMS reply (上行短信)."""

from django.http import HttpRequest
from ninja.security import APIKeyHeader
from pydantic import Field

from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from . import inbound
from .hook import accepted_body, message_key

router = Router(tags=["messaging"], operation_prefix="guanxi_messaging_api")


class SmsInboundIn(Schema):
    phone: str = Field(..., min_length=1, max_length=40, description="the sender's number")
    text: str = Field("", max_length=500, description="the reply as typed")
    message_id: str | None = Field(
        None, min_length=1, max_length=100, description="the provider's id of the message: a re-delivery is stored once"
    )


class SmsInboundOut(Schema):
    accepted: bool
    outcome: str = Field(
        ..., description="queued (stored, applied shortly after), duplicate (this message id was stored before)"
    )
    reply: str = Field(..., description="empty: the reply to the customer, if any, is sent by SMS once applied")


class SmsSignature(APIKeyHeader):
    """`X-Guanxi-Signature: sha256=<hmac>` over "timestamp.body" and `X-Guanxi-Timestamp`, with
    SMS_INBOUND_SECRET; checked before the body is read."""

    param_name = "X-Guanxi-Signature"

    def authenticate(self, request, key):
        inbound.sms_inbound_verify(
            timestamp=request.headers.get("X-Guanxi-Timestamp", ""), signature=key or "", body=request.body
        )
        return "sms-provider"


@router.post("/sms/inbound", response=SmsInboundOut, auth=SmsSignature())
def receive_sms_reply(request: HttpRequest, payload: SmsInboundIn):
    """Stores the reply in the inbox and answers; it is applied (survey answered, reply SMS sent) just
    after. Served by `hook.SmsInboundHookMiddleware` ahead of the router; this operation is its contract."""
    key = message_key(payload.message_id, request.headers.get("X-Guanxi-Signature", ""))
    return accepted_body(inbound.sms_inbound_accept(phone=payload.phone, text=payload.text, message_key=key))
