"""`/api/v1/tickets/{id}/complaint`: the complaint workflow (投诉处理) of a case."""

from django.http import HttpRequest
from ninja import Status

from guanxi.accounts.selectors import team_get
from guanxi.core.errors import ValidationFailed
from guanxi.core.routers import Router

from ..models import Complaint
from ..schemas.complaints import ComplaintOpenIn, ComplaintOut, ComplaintReopenIn, ComplaintStepIn
from ..schemas.tickets import ref_out
from ..selectors import complaints as complaint_selectors
from ..selectors import tickets as ticket_selectors
from ..services import complaints as complaint_services
from .callbacks import callback_out

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


def _complaint_out(complaint: Complaint) -> dict:
    return {
        "id": complaint.pk, "ticket_id": complaint.ticket_id, "stage": complaint.stage,
        "severity": complaint.severity, "classification": complaint.classification,
        "responsible_team": ref_out(complaint.responsible_team), "repeat_count": complaint.repeat_count,
        "reopen_count": complaint.reopen_count,
        "steps": [{"stage": s.stage, "actor": str(s.actor) if s.actor else None, "note": s.note, "at": s.at}
                  for s in complaint_selectors.complaint_steps(complaint=complaint)],
        "next_stage": complaint_services.NEXT_STAGE.get(complaint.stage),
        "callbacks": [callback_out(c) for c in complaint_selectors.complaint_callbacks(complaint=complaint)],
    }


def _complaint_of(request, ticket_id: int) -> Complaint:
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    return complaint_selectors.complaint_get_for_ticket(ticket=ticket)


@router.get("/tickets/{int:ticket_id}/complaint", response=ComplaintOut)
def get_complaint(request: HttpRequest, ticket_id: int):
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return _complaint_out(complaint_selectors.complaint_get_for_ticket(ticket=ticket))


@router.post("/tickets/{int:ticket_id}/complaint", response={201: ComplaintOut})
def open_complaint(request: HttpRequest, ticket_id: int, payload: ComplaintOpenIn):
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    complaint = complaint_services.complaint_open(actor=request.user, ticket=ticket, severity=payload.severity,
                                                  note=payload.note)
    return Status(201, _complaint_out(complaint))


@router.post("/tickets/{int:ticket_id}/complaint/steps", response=ComplaintOut)
def advance_complaint(request: HttpRequest, ticket_id: int, payload: ComplaintStepIn):
    complaint = _complaint_of(request, ticket_id)
    team = None
    if payload.responsible_team is not None:
        team = team_get(team_id=payload.responsible_team)
        if team is None:
            raise ValidationFailed(fields={"responsible_team": "unknown team"})
    complaint = complaint_services.complaint_advance(
        actor=request.user, complaint=complaint, stage=payload.stage, note=payload.note,
        classification=payload.classification, responsible_team=team, severity=payload.severity,
        outcome=payload.outcome,
    )
    return _complaint_out(complaint)


@router.post("/tickets/{int:ticket_id}/complaint/reopen", response=ComplaintOut)
def reopen_complaint(request: HttpRequest, ticket_id: int, payload: ComplaintReopenIn):
    complaint = complaint_services.complaint_reopen(actor=request.user, complaint=_complaint_of(request, ticket_id),
                                                    note=payload.note)
    return _complaint_out(complaint)
