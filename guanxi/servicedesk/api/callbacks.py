"""`/api/v1/callbacks`: callbacks (回访) after repairs and complaints."""

from django.http import HttpRequest
from ninja import Query

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.routers import Router

from ..schemas.callbacks import CallbackIn, CallbackOut
from ..schemas.tickets import ref_out
from ..selectors import callbacks as callback_selectors
from ..services import callbacks as callback_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


def callback_out(callback) -> dict:
    return {"id": callback.pk, "ticket_id": callback.ticket_id, "ticket_number": callback.ticket.number,
            "assignee": ref_out(callback.assignee), "due_at": callback.due_at, "outcome": callback.outcome,
            "note": callback.note, "done_at": callback.done_at}


@router.get("/callbacks", response=PageOut[CallbackOut])
def list_callbacks(request: HttpRequest, page: Query[PageParams], pending: bool = True, mine: bool = False):
    return paginate(callback_selectors.callback_list(user=request.user, pending_only=pending, mine=mine), page,
                    callback_out)


@router.post("/callbacks/{int:callback_id}", response=CallbackOut)
def record_callback(request: HttpRequest, callback_id: int, payload: CallbackIn):
    callback = callback_selectors.callback_get_for_user(user=request.user, callback_id=callback_id)
    callback = callback_services.callback_record(actor=request.user, callback=callback, outcome=payload.outcome,
                                                 note=payload.note)
    return callback_out(callback)
