"""`/api/v1/cti`: signed call-center events and the agent's screen pop (来电弹屏)."""

from django.http import HttpRequest
from ninja import Status
from ninja.security import APIKeyHeader

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.roles import Scope
from guanxi.core.masking import mask_phone
from guanxi.core.routers import Router
from guanxi.customers.permissions import can_see_personal_data, personal_data_scope
from guanxi.customers.schemas import customer_row

from ..schemas.calls import CallPopOut, CtiAckOut, CtiEventIn
from ..selectors import calls as call_selectors
from ..services import cti as cti_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


class CtiSignature(APIKeyHeader):
    """Call-center events carry `X-Guanxi-Signature: sha256=<hmac>` over "timestamp.body" and
    `X-Guanxi-Timestamp`; checked before the body is read."""

    param_name = "X-Guanxi-Signature"

    def authenticate(self, request, key):
        cti_services.cti_verify(timestamp=request.headers.get("X-Guanxi-Timestamp", ""), signature=key or "",
                                body=request.body)
        return "cti"


@router.post("/cti/events", response=CtiAckOut, auth=CtiSignature())
def receive_cti_event(request: HttpRequest, payload: CtiEventIn):
    # The signature authenticated the call-center system: it acts as the system.
    applied = cti_services.cti_event_receive(actor=SYSTEM, **payload.dict(), payload=payload.dict(mode="json"))
    return {"accepted": True, "duplicate": not applied}


@router.get("/cti/pop", response={200: CallPopOut, 204: None})
def get_call_pop(request: HttpRequest):
    call = call_selectors.call_pop_for_agent(user=request.user)
    if call is None:
        return Status(204, None)
    user = request.user
    if call.customer_id:
        unmasked = can_see_personal_data(user=user, customer=call.customer)
    else:
        unmasked = personal_data_scope(user) is Scope.ALL
    return {"call_id": call.call_id, "caller": call.caller if unmasked else mask_phone(call.caller),
            "status": call.status, "started_at": call.started_at,
            "customer": customer_row(call.customer, unmasked=unmasked) if call.customer_id else None}
