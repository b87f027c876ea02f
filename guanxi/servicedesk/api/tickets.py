"""`/api/v1/tickets`: cases, their messages, attachments, status, assignments and merges."""

import datetime as dt

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Status, UploadedFile

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.errors import referenced
from guanxi.core.routers import Router
from guanxi.core.versioning import expected_version, if_match, set_etag
from guanxi.customers.selectors import customer_get_for_user

from ..events import system_text
from ..models import Ticket
from ..schemas.tickets import (
    AssignIn,
    AssignmentOut,
    MessageIn,
    MessageOut,
    TicketFilterIn,
    TicketIn,
    TicketMergeIn,
    TicketOut,
    TicketRowOut,
    TransitionIn,
    ref_out,
)
from ..selectors import tickets as ticket_selectors
from ..services import tickets as ticket_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


# What a list row reads: the joined customer, owner and team need only what their names show.
# The customer's owner and team decide whether the case's text is masked for the caller.
ROW_FIELDS = ("number", "subject", "type", "channel", "priority", "status", "next_due_at", "created_at", "updated_at",
              "customer__name", "customer__code", "customer__owner", "customer__team", "owner__username",
              "owner__display_name", "team__name")


def _row(ticket: Ticket, user) -> dict:
    """A case as listed; its subject masked as `ticket_selectors.case_text_unmasked` says for `user`."""
    unmasked = ticket_selectors.case_text_unmasked(user=user, ticket=ticket)
    return {
        "id": ticket.pk, "number": ticket.number,
        "subject": ticket_selectors.case_text(ticket.subject, unmasked=unmasked), "type": ticket.type,
        "channel": ticket.channel, "priority": ticket.priority, "status": ticket.status,
        "customer": ref_out(ticket.customer), "owner": ref_out(ticket.owner), "team": ref_out(ticket.team),
        "next_due_at": ticket.next_due_at, "created_at": ticket.created_at, "updated_at": ticket.updated_at,
    }


def _detail(ticket: Ticket, user, parts: dict | None = None) -> dict:
    parts = parts or ticket_selectors.ticket_detail(ticket=ticket)
    unmasked = ticket_selectors.case_text_unmasked(user=user, ticket=ticket)
    return {
        **_row(ticket, user), "description": ticket_selectors.case_text(ticket.description, unmasked=unmasked),
        "category": ref_out(ticket.category),
        "customer_tier": ticket.customer_tier, "merged_into": ticket.merged_into_id,
        "first_responded_at": ticket.first_responded_at, "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at, "reopen_count": ticket.reopen_count, "version": ticket.version,
        "clocks": [{**{f: getattr(c, f) for f in ("metric", "state", "target_minutes", "started_at", "due_at",
                                                    "warn_at", "breached_at", "stopped_at")},
                    "standard": c.standard.name} for c in parts["clocks"]],
        "pauses": parts["pauses"],
        "messages": [_message(m, unmasked=unmasked) for m in parts["messages"]],
        "assignments": [_assignment(a, unmasked=unmasked) for a in parts["assignments"]],
    }


def _message(message, *, unmasked: bool) -> dict:
    return {"id": message.pk, "kind": message.kind, "author": str(message.author) if message.author else None,
            "body": ticket_selectors.case_text(message.text, unmasked=unmasked), "created_at": message.created_at,
            "attachment": f"/api/v1/messages/{message.pk}/attachment" if message.attachment else None}


def _assignment(assignment, *, unmasked: bool) -> dict:
    return {"id": assignment.pk, "assignee": ref_out(assignment.assignee),
            "handover_note": ticket_selectors.case_text(system_text(assignment.handover_note), unmasked=unmasked),
            "is_active": assignment.is_active, "created_at": assignment.created_at}


def _unmasked(request, ticket: Ticket) -> bool:
    return ticket_selectors.case_text_unmasked(user=request.user, ticket=ticket)


def _reload(request, ticket_id: int, response: HttpResponse | None = None) -> dict:
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    if response is not None:
        set_etag(response, ticket)
    return _detail(ticket, request.user)


@router.get("/tickets", response=PageOut[TicketRowOut])
def list_tickets(request: HttpRequest, filters: Query[TicketFilterIn], page: Query[PageParams]):
    query = ticket_selectors.TicketFilter(
        statuses=tuple(filters.status), owner_id=request.user.pk if filters.mine else filters.owner,
        team_id=filters.team, type=filters.type, priority=filters.priority, customer_id=filters.customer,
        breached=filters.breached, query=filters.q,
    )
    rows = ticket_selectors.ticket_queue(user=request.user, filters=query, ordering=page.ordering).only(*ROW_FIELDS)
    return paginate(rows, page, lambda ticket: _row(ticket, request.user))


@router.post("/tickets", response={201: TicketOut})
def create_ticket(request: HttpRequest, payload: TicketIn):
    customer = None
    if payload.customer is not None:
        customer = referenced(customer_get_for_user, field="customer", reason="unknown customer", user=request.user,
                              customer_id=payload.customer)
    ticket = ticket_services.ticket_create(actor=request.user, customer=customer,
                                           data=payload.dict(exclude={"customer", "occurred_at"}),
                                           at=payload.occurred_at)
    # A new case has the clocks just started but no pauses, messages or assignments yet.
    # Their times in UTC, as they read back from the database (the calendar computes them in local time).
    for clock in ticket.started_clocks:
        for field in ("started_at", "due_at", "warn_at"):
            if getattr(clock, field) is not None:
                setattr(clock, field, getattr(clock, field).astimezone(dt.UTC))
    parts = {"clocks": ticket.started_clocks, "pauses": [], "messages": [], "assignments": []}
    return Status(201, _detail(ticket, request.user, parts))


@router.get("/tickets/{int:ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, response: HttpResponse, ticket_id: int):
    """The case; its ETag is its version (send it back as If-Match when moving or assigning it)."""
    return _reload(request, ticket_id, response)


@router.post("/tickets/{int:ticket_id}/messages", response={201: MessageOut})
def add_ticket_message(request: HttpRequest, ticket_id: int, payload: MessageIn):
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    message = ticket_services.ticket_message_add(actor=request.user, ticket=ticket, kind=payload.kind,
                                                 body=payload.body)
    return Status(201, _message(message, unmasked=_unmasked(request, ticket)))


@router.post("/tickets/{int:ticket_id}/attachments", response={201: MessageOut})
def add_ticket_attachment(request: HttpRequest, ticket_id: int, file: File[UploadedFile], body: Form[str],
                          kind: Form[str] = "reply"):
    """A message with a file (multipart/form-data): images, PDF, office documents, recordings; 10 MB."""
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    message = ticket_services.ticket_message_add(actor=request.user, ticket=ticket, kind=kind, body=body,
                                                 attachment=file)
    return Status(201, _message(message, unmasked=_unmasked(request, ticket)))


@router.get("/messages/{int:message_id}/attachment", response={200: None})
def download_attachment(request: HttpRequest, message_id: int):
    message = ticket_selectors.attachment_get_for_user(user=request.user, message_id=message_id)
    return FileResponse(message.attachment.open("rb"), as_attachment=True, filename=message.attachment_filename)


@router.post("/tickets/{int:ticket_id}/transition", response=TicketOut, openapi_extra=if_match())
def transition_ticket(request: HttpRequest, response: HttpResponse, ticket_id: int, payload: TransitionIn):
    """Move the case (If-Match or `version` from an older read: 409 with what changed since)."""
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    ticket_services.ticket_transition(actor=request.user, ticket=ticket, status=payload.status, reason=payload.reason,
                                      at=payload.occurred_at,
                                      expected_version=expected_version(request, payload.version))
    return _reload(request, ticket_id, response)


@router.post("/tickets/{int:ticket_id}/assign", response={201: AssignmentOut}, openapi_extra=if_match())
def assign_ticket(request: HttpRequest, ticket_id: int, payload: AssignIn):
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    assignee = ticket_selectors.assignee_get(user_id=payload.assignee)
    assignment = ticket_services.ticket_assign(actor=request.user, ticket=ticket, assignee=assignee,
                                               note=payload.note,
                                               expected_version=expected_version(request, payload.version))
    return Status(201, _assignment(assignment, unmasked=_unmasked(request, ticket)))


@router.post("/tickets/{int:ticket_id}/merge", response=TicketOut)
def merge_ticket(request: HttpRequest, ticket_id: int, payload: TicketMergeIn):
    source = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    target = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=payload.into, action="write")
    target = ticket_services.ticket_merge(actor=request.user, source=source, target=target)
    return _reload(request, target.pk)
