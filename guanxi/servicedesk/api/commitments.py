"""`/api/v1/commitments`: service commitments (承诺管理), scoped like the cases they are made on."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.roles import Scope
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.masking import mask_free_text
from guanxi.core.routers import Router
from guanxi.customers.permissions import can_see_personal_data, personal_data_scope
from guanxi.customers.selectors import customer_get_for_user

from .. import permissions
from ..models import Commitment
from ..schemas.commitments import (
    CommitmentFilterIn,
    CommitmentIn,
    CommitmentKeepIn,
    CommitmentOut,
    CommitmentPageOut,
    CommitmentReasonIn,
    CursorParams,
    KeptReportIn,
    KeptRowOut,
)
from ..selectors import calendars as calendar_selectors
from ..selectors import commitments as commitment_selectors
from ..selectors import tickets as ticket_selectors
from ..services import commitments as commitment_services

router = Router(tags=["service commitments"], operation_prefix="guanxi_servicedesk_api_commitments")
EARLIEST, LATEST = 1900, 2999  # outside these years a moment is a typo, and far dates overflow in UTC


def _sane(moment: dt.datetime | None, field: str) -> dt.datetime | None:
    if moment is not None and not EARLIEST <= moment.year <= LATEST:
        raise ValidationFailed(fields={field: _("a year from %(earliest)s to %(latest)s") % {
            "earliest": EARLIEST, "latest": LATEST}})
    return moment


def _ref(obj, name: str | None = None):
    return {"id": obj.pk, "name": name if name is not None else str(obj)} if obj is not None else None


def _masked(user, commitment: Commitment) -> bool:
    if commitment.customer is None:
        return personal_data_scope(user) is not Scope.ALL
    return not can_see_personal_data(user=user, customer=commitment.customer)


def _out(user, commitment: Commitment) -> dict:
    """One promise; its free text has phone and ID numbers masked for roles that may not see them."""
    text = mask_free_text if _masked(user, commitment) else (lambda value: value)
    ticket = commitment.ticket
    return {
        "id": commitment.pk, "kind": commitment.kind, "description": text(commitment.description),
        "status": commitment.status, "customer": _ref(commitment.customer),
        "ticket": {"id": ticket.pk, "number": ticket.number} if ticket is not None else None,
        "promised_by": _ref(commitment.promised_by), "team": _ref(commitment.team),
        "promised_at": commitment.promised_at, "due_at": commitment.due_at,
        "within_working_hours": commitment.working_minutes // 60 if commitment.working_minutes else None,
        "calendar": _ref(commitment.calendar), "closed_at": commitment.closed_at,
        "closed_by": _ref(commitment.closed_by), "reason": text(commitment.reason),
        "follow_up_to": _ref(commitment.follow_up_to), "follow_up_at": commitment.follow_up_at,
    }


def _reload(request, commitment_id: int) -> dict:
    return _out(request.user, commitment_selectors.commitment_get_for_user(user=request.user,
                                                                           commitment_id=commitment_id))


@router.get("/commitments", response=CommitmentPageOut)
def list_commitments(request: HttpRequest, filters: Query[CommitmentFilterIn], page: Query[CursorParams]):
    """Promises the caller may read, soonest due first, a page at a time: pass `next_cursor` back
    as `cursor` until it is null."""
    unknown = set(filters.status) - set(Commitment.Status.values)
    if unknown or (filters.kind and filters.kind not in Commitment.Kind.values):
        raise ValidationFailed(fields={"status" if unknown else "kind": _("unknown value")})
    user = request.user
    query = commitment_selectors.CommitmentFilter(
        statuses=tuple(filters.status), kind=filters.kind, customer_id=filters.customer, ticket_id=filters.ticket,
        owner_id=user.pk if filters.mine else filters.owner,
        follow_up_to_id=user.pk if filters.follow_up_mine else None,
        due_before=_sane(filters.due_before, "due_before"), due_after=_sane(filters.due_after, "due_after"),
    )
    cursor = commitment_selectors.CommitmentCursor.decode(page.cursor) if page.cursor else None
    rows, next_cursor = commitment_selectors.commitment_page(
        commitment_selectors.commitment_search(user=user, filters=query), cursor=cursor, limit=page.limit)
    return {"items": [_out(user, c) for c in rows], "next_cursor": next_cursor.encode() if next_cursor else None}


@router.post("/commitments", response={201: CommitmentOut})
def create_commitment(request: HttpRequest, payload: CommitmentIn):
    """Record a promise made to a customer, on a case or on the customer alone, due by a time or
    within working hours on a business calendar (public holidays and 调休 counted)."""
    user = request.user
    ticket = customer = calendar = None
    if payload.ticket is not None:
        ticket = referenced(ticket_selectors.ticket_get_for_user, field="ticket", reason=_("unknown case"),
                            user=user, ticket_id=payload.ticket)
    if payload.customer is not None:
        customer = referenced(customer_get_for_user, field="customer", reason=_("unknown customer"), user=user,
                              customer_id=payload.customer)
    if payload.calendar is not None:
        calendar = referenced(calendar_selectors.calendar_get, field="calendar", reason=_("unknown calendar"),
                              calendar_id=payload.calendar)
    commitment = commitment_services.commitment_create(
        actor=user, kind=payload.kind, description=payload.description, ticket=ticket, customer=customer,
        due_at_value=_sane(payload.due_at, "due_at"), within_working_hours=payload.within_working_hours,
        calendar=calendar)
    return Status(201, _reload(request, commitment.pk))


@router.get("/commitments/report", response=list[KeptRowOut])
def commitments_kept_report(request: HttpRequest, params: Query[KeptReportIn]):
    """Promises kept (承诺兑现率) per team and kind among those due from `since` to `until`:
    managers, team leads and analysts."""
    permissions.require(request.user, "report", "read", message=_("Reports are for managers, team leads and analysts."))
    if not (params.since.year >= EARLIEST and params.until.year <= LATEST and params.since <= params.until):
        raise ValidationFailed(fields={"until": _("on or after since, years %(earliest)s to %(latest)s") % {
            "earliest": EARLIEST, "latest": LATEST}})
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(params.since, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(params.until + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    rows = commitment_selectors.commitment_kept_report(since=since, until=until)
    return [{"team": r.team, "kind": r.kind, "due": r.due, "kept": r.kept, "broken": r.broken, "rate": r.rate}
            for r in rows]


@router.get("/commitments/{commitment_id}", response=CommitmentOut)
def get_commitment(request: HttpRequest, commitment_id: int):
    return _reload(request, commitment_id)


@router.post("/commitments/{commitment_id}/keep", response=CommitmentOut)
def keep_commitment(request: HttpRequest, commitment_id: int, payload: CommitmentKeepIn):
    """The promise was kept (by its due time)."""
    commitment = commitment_selectors.commitment_get_for_user(user=request.user, commitment_id=commitment_id,
                                                              action="write")
    commitment_services.commitment_keep(actor=request.user, commitment=commitment, note=payload.note,
                                        at=_sane(payload.kept_at, "kept_at"))
    return _reload(request, commitment_id)


@router.post("/commitments/{commitment_id}/withdraw", response=CommitmentOut)
def withdraw_commitment(request: HttpRequest, commitment_id: int, payload: CommitmentReasonIn):
    """The promise no longer applies; a reason is required."""
    commitment = commitment_selectors.commitment_get_for_user(user=request.user, commitment_id=commitment_id,
                                                              action="write")
    commitment_services.commitment_withdraw(actor=request.user, commitment=commitment, reason=payload.reason)
    return _reload(request, commitment_id)


@router.post("/commitments/{commitment_id}/break", response=CommitmentOut)
def break_commitment(request: HttpRequest, commitment_id: int, payload: CommitmentReasonIn):
    """Declare the promise broken before its due time (the sweep breaks overdue ones by itself); a
    reason is required and the follow-up is raised at once."""
    commitment = commitment_selectors.commitment_get_for_user(user=request.user, commitment_id=commitment_id,
                                                              action="write")
    commitment_services.commitment_break(actor=request.user, commitment=commitment, reason=payload.reason)
    return _reload(request, commitment_id)
