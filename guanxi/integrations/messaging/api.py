"""`/api/v1/sms/inbound`: a provider's signed webhook delivering a customer's SMS reply (上行短信)."""

from django.http import HttpRequest
from ninja import Schema
from ninja.security import APIKeyHeader
from pydantic import Field

from guanxi.core.routers import Router

from . import inbound

router = Router(tags=["messaging"], operation_prefix="guanxi_messaging_api")


class SmsInboundIn(Schema):
    phone: str = Field(..., min_length=1, max_length=40, description="the sender's number")
    text: str = Field("", max_length=500, description="the reply as typed")


class SmsInboundOut(Schema):
    accepted: bool
    outcome: str = Field(..., description="recorded, duplicate, invalid, opted_out, no_survey, ignored")
    reply: str


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
    result = inbound.sms_inbound_receive(phone=payload.phone, text=payload.text)
    return {"accepted": True, "outcome": result.outcome, "reply": result.reply}
