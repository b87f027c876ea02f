import base64
import binascii
import datetime as dt

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.security import APIKeyHeader

from guanxi.accounts.enums import Role
from guanxi.accounts.models import Team, User
from guanxi.accounts.roles import Scope, policy_for
from guanxi.core.api import ListParams, PageOut, PageParams, cursor_list, paginate
from guanxi.core.errors import NotFound, PermissionDenied, ValidationFailed
from guanxi.core.masking import mask_phone
from guanxi.customers.schemas import customer_row
from guanxi.customers.selectors import can_see_personal_data, customer_get_for_user

from . import reports, selectors
from .events import system_text
from .models import BusinessCalendar, Complaint, ServiceStandard, Ticket
from .schemas import (
    ArticleIn,
    ArticleOut,
    ArticleReviewIn,
    ArticleUseIn,
    AssignIn,
    AssignmentOut,
    AttainmentFilterIn,
    AttainmentRowOut,
    CalendarDaysIn,
    CalendarDaysOut,
    CalendarExceptionIn,
    CalendarIn,
    CalendarOut,
    CallbackIn,
    CallbackOut,
    CallPopOut,
    CategoryIn,
    CategoryOut,
    ComplaintOpenIn,
    ComplaintOut,
    ComplaintReopenIn,
    ComplaintStepIn,
    CtiAckOut,
    CtiEventIn,
    MergeIn,
    MessageIn,
    MessageOut,
    StandardIn,
    StandardOut,
    TicketFilterIn,
    TicketIn,
    TicketOut,
    TicketRowOut,
    TransitionIn,
)
from .services import calendars as calendar_services
from .services import callbacks as callback_services
from .services import categories as category_services
from .services import complaints as complaint_services
from .services import cti as cti_services
from .services import knowledge as knowledge_services
from .services import standards as standard_services
from .services import tickets as ticket_services

router = Router(tags=["service desk"])


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


# What a list row reads: the joined customer, owner and team need only what their names show.
# The customer's owner and team decide whether the case's text is masked for the caller.
ROW_FIELDS = ("number", "subject", "type", "channel", "priority", "status", "next_due_at", "created_at", "updated_at",
              "customer__name", "customer__code", "customer__owner", "customer__team", "owner__username",
              "owner__display_name", "team__name")


def _row(ticket: Ticket, user) -> dict:
    """A case as listed; its subject masked as `selectors.case_text_unmasked` says for `user`."""
    unmasked = selectors.case_text_unmasked(user=user, ticket=ticket)
    return {
        "id": ticket.pk, "number": ticket.number, "subject": selectors.case_text(ticket.subject, unmasked=unmasked),
        "type": ticket.type,
        "channel": ticket.channel, "priority": ticket.priority, "status": ticket.status,
        "customer": _ref(ticket.customer), "owner": _ref(ticket.owner), "team": _ref(ticket.team),
        "next_due_at": ticket.next_due_at, "created_at": ticket.created_at, "updated_at": ticket.updated_at,
    }


def _detail(ticket: Ticket, user, parts: dict | None = None) -> dict:
    parts = parts or selectors.ticket_detail(ticket=ticket)
    unmasked = selectors.case_text_unmasked(user=user, ticket=ticket)
    return {
        **_row(ticket, user), "description": selectors.case_text(ticket.description, unmasked=unmasked),
        "category": _ref(ticket.category),
        "customer_tier": ticket.customer_tier, "merged_into": ticket.merged_into_id,
        "first_responded_at": ticket.first_responded_at, "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at, "reopen_count": ticket.reopen_count,
        "clocks": [{**{f: getattr(c, f) for f in ("metric", "state", "target_minutes", "started_at", "due_at",
                                                    "warn_at", "breached_at", "stopped_at")},
                    "standard": c.standard.name} for c in parts["clocks"]],
        "pauses": parts["pauses"],
        "messages": [_message(m, unmasked=unmasked) for m in parts["messages"]],
        "assignments": [_assignment(a, unmasked=unmasked) for a in parts["assignments"]],
    }


def _message(message, *, unmasked: bool) -> dict:
    return {"id": message.pk, "kind": message.kind, "author": str(message.author) if message.author else None,
            "body": selectors.case_text(message.text, unmasked=unmasked), "created_at": message.created_at,
            "attachment": f"/api/v1/messages/{message.pk}/attachment" if message.attachment else None}


def _assignment(assignment, *, unmasked: bool) -> dict:
    return {"id": assignment.pk, "assignee": _ref(assignment.assignee),
            "handover_note": selectors.case_text(system_text(assignment.handover_note), unmasked=unmasked),
            "is_active": assignment.is_active, "created_at": assignment.created_at}


def _reload(request, ticket_id: int) -> dict:
    return _detail(selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id), request.user)


@router.get("/tickets", response=PageOut[TicketRowOut])
def list_tickets(request: HttpRequest, filters: Query[TicketFilterIn], page: Query[PageParams]):
    query = selectors.TicketFilter(
        statuses=tuple(filters.status), owner_id=request.user.pk if filters.mine else filters.owner,
        team_id=filters.team, type=filters.type, priority=filters.priority, customer_id=filters.customer,
        breached=filters.breached, query=filters.q,
    )
    rows = selectors.ticket_queue(user=request.user, filters=query, ordering=page.ordering).only(*ROW_FIELDS)
    return paginate(rows, page, lambda ticket: _row(ticket, request.user))


@router.post("/tickets", response={201: TicketOut})
def create_ticket(request: HttpRequest, payload: TicketIn):
    customer = None
    if payload.customer is not None:
        try:
            customer = customer_get_for_user(user=request.user, customer_id=payload.customer)
        except NotFound as exc:
            raise ValidationFailed(fields={"customer": "unknown customer"}) from exc
    ticket = ticket_services.ticket_create(actor=request.user, customer=customer,
                                           data=payload.dict(exclude={"customer", "occurred_at"}),
                                           at=payload.occurred_at)
    # A new case has clocks but no pauses, messages or assignments yet.
    parts = {"clocks": list(ticket.clocks.select_related("standard")), "pauses": [], "messages": [],
             "assignments": []}
    return Status(201, _detail(ticket, request.user, parts))


@router.get("/tickets/{int:ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: int):
    return _reload(request, ticket_id)


@router.post("/tickets/{int:ticket_id}/messages", response={201: MessageOut})
def add_ticket_message(request: HttpRequest, ticket_id: int, payload: MessageIn):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    message = ticket_services.ticket_message_add(actor=request.user, ticket=ticket, kind=payload.kind,
                                                 body=payload.body)
    return Status(201, _message(message, unmasked=selectors.case_text_unmasked(user=request.user, ticket=ticket)))


@router.post("/tickets/{int:ticket_id}/attachments", response={201: MessageOut})
def add_ticket_attachment(request: HttpRequest, ticket_id: int, file: File[UploadedFile], body: Form[str],
                          kind: Form[str] = "reply"):
    """A message with a file (multipart/form-data): images, PDF, office documents, recordings; 10 MB."""
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    message = ticket_services.ticket_message_add(actor=request.user, ticket=ticket, kind=kind, body=body,
                                                 attachment=file)
    return Status(201, _message(message, unmasked=selectors.case_text_unmasked(user=request.user, ticket=ticket)))


@router.get("/messages/{int:message_id}/attachment", response={200: None})
def download_attachment(request: HttpRequest, message_id: int):
    message = selectors.attachment_get_for_user(user=request.user, message_id=message_id)
    return FileResponse(message.attachment.open("rb"), as_attachment=True, filename=message.attachment_filename)


@router.post("/tickets/{int:ticket_id}/transition", response=TicketOut)
def transition_ticket(request: HttpRequest, ticket_id: int, payload: TransitionIn):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    ticket_services.ticket_transition(actor=request.user, ticket=ticket, status=payload.status, reason=payload.reason,
                                      at=payload.occurred_at)
    return _reload(request, ticket_id)


@router.post("/tickets/{int:ticket_id}/assign", response={201: AssignmentOut})
def assign_ticket(request: HttpRequest, ticket_id: int, payload: AssignIn):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
    if assignee is None:
        raise ValidationFailed(fields={"assignee": "unknown or inactive user"})
    assignment = ticket_services.ticket_assign(actor=request.user, ticket=ticket, assignee=assignee,
                                               note=payload.note)
    return Status(201, _assignment(assignment, unmasked=selectors.case_text_unmasked(user=request.user, ticket=ticket)))


@router.post("/tickets/{int:ticket_id}/merge", response=TicketOut)
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn):
    source = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    target = selectors.ticket_get_for_user(user=request.user, ticket_id=payload.into, action="write")
    target = ticket_services.ticket_merge(actor=request.user, source=source, target=target)
    return _reload(request, target.pk)


def _require_configurer(user) -> None:
    if not selectors.can_configure(user):
        raise PermissionDenied("Only administrators and service managers configure service standards.")


@router.get("/service-standards", response=list[StandardOut])
def list_service_standards(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    return cursor_list(request, response, ServiceStandard.objects.all(), params)


@router.post("/service-standards", response={201: StandardOut})
def create_service_standard(request: HttpRequest, payload: StandardIn):
    _require_configurer(request.user)
    return Status(201, standard_services.standard_save(actor=request.user, data=payload.dict()))


@router.put("/service-standards/{int:standard_id}", response=StandardOut)
def update_service_standard(request: HttpRequest, standard_id: int, payload: StandardIn):
    _require_configurer(request.user)
    standard = ServiceStandard.objects.filter(pk=standard_id).first()
    if standard is None:
        raise NotFound()
    return standard_services.standard_save(actor=request.user, data=payload.dict(), standard=standard)


def _calendar_out(calendar: BusinessCalendar) -> dict:
    periods: dict[int, list] = {}
    for period in calendar.periods.all():
        periods.setdefault(period.weekday, []).append((period.start_minute, period.end_minute))
    return {"id": calendar.pk, "name": calendar.name, "timezone": calendar.timezone,
            "holiday_region": calendar.holiday_region, "makeup_template": calendar.makeup_template,
            "periods": periods,
            "exceptions": [{"date": e.date, "periods": e.periods, "note": e.note} for e in calendar.exceptions.all()]}


@router.get("/calendars", response=list[CalendarOut])
def list_calendars(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    return cursor_list(request, response, BusinessCalendar.objects.prefetch_related("periods", "exceptions"),
                       params, _calendar_out)


CALENDAR_DAYS_MAX = 366
CALENDAR_YEARS = (1990, 2100)  # the years the holiday data knows


def _day_cursor(value: str, *, start: dt.date, end: dt.date) -> dt.date:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        if not text.startswith("d1:"):
            raise ValueError(text)
        day = dt.date.fromisoformat(text[3:])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(_("Not a cursor of this list."), fields={"cursor": _("not a cursor of this list")}) \
            from exc
    if not start <= day <= end:
        raise ValidationFailed(fields={"cursor": _("not a cursor of this list")})
    return day


def _check_day_range(start: dt.date, end: dt.date) -> None:
    errors = {}
    low, high = CALENDAR_YEARS
    for name, day in (("from", start), ("to", end)):
        if not low <= day.year <= high:
            errors[name] = _("between %(low)s and %(high)s") % {"low": low, "high": high}
    if not errors and end < start:
        errors["to"] = _("on or after from")
    elif not errors and (end - start).days + 1 > CALENDAR_DAYS_MAX:
        errors["to"] = _("at most %(days)s days after from") % {"days": CALENDAR_DAYS_MAX}
    if errors:
        raise ValidationFailed(_("Give a range of at most %(days)s days.") % {"days": CALENDAR_DAYS_MAX},
                               fields=errors)


@router.get("/calendars/{int:calendar_id}/days", response=CalendarDaysOut)
def list_calendar_days(request: HttpRequest, calendar_id: int, params: Query[CalendarDaysIn]):
    """Working days, rest days, public holidays and make-up working days (调休) of a calendar, with
    their names and working periods, from `from` to `to` (at most 366 days), a page at a time."""
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound()
    _check_day_range(params.from_, params.to)
    first = _day_cursor(params.cursor, start=params.from_, end=params.to) if params.cursor else params.from_
    last = min(params.to, first + dt.timedelta(days=params.limit - 1))
    language = "zh_CN" if get_language().startswith("zh") else "en_US"
    days = selectors.calendar_days(calendar=calendar, start=first, end=last, language=language)
    after = last + dt.timedelta(days=1) if last < params.to else None
    return {"items": [{**vars(d), "weekday": d.date.weekday()} for d in days],
            "next_cursor": base64.urlsafe_b64encode(f"d1:{after.isoformat()}".encode()).decode().rstrip("=")
            if after else None}


@router.post("/calendars", response={201: CalendarOut})
def create_calendar(request: HttpRequest, payload: CalendarIn):
    _require_configurer(request.user)
    calendar = calendar_services.calendar_save(actor=request.user, **payload.dict())
    return Status(201, _calendar_out(calendar))


@router.put("/calendars/{int:calendar_id}/exceptions", response=CalendarOut)
def set_calendar_exception(request: HttpRequest, calendar_id: int, payload: CalendarExceptionIn):
    _require_configurer(request.user)
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound()
    calendar_services.calendar_exception_set(actor=request.user, calendar=calendar, **payload.dict())
    return _calendar_out(calendar)


def _complaint_out(complaint: Complaint) -> dict:
    return {
        "id": complaint.pk, "ticket_id": complaint.ticket_id, "stage": complaint.stage,
        "severity": complaint.severity, "classification": complaint.classification,
        "responsible_team": _ref(complaint.responsible_team), "repeat_count": complaint.repeat_count,
        "reopen_count": complaint.reopen_count,
        "steps": [{"stage": s.stage, "actor": str(s.actor) if s.actor else None, "note": s.note, "at": s.at}
                  for s in complaint.steps.select_related("actor")],
        "next_stage": complaint_services.NEXT_STAGE.get(complaint.stage),
        "callbacks": [_callback_out(c) for c in complaint.ticket.callbacks.select_related("ticket", "assignee")
                      .order_by("due_at", "id")],
    }


def _complaint_of(request, ticket_id: int) -> Complaint:
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    complaint = Complaint.objects.filter(ticket=ticket).select_related("responsible_team").first()
    if complaint is None:
        raise NotFound("This case has no complaint workflow.")
    return complaint


@router.get("/tickets/{int:ticket_id}/complaint", response=ComplaintOut)
def get_complaint(request: HttpRequest, ticket_id: int):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    complaint = Complaint.objects.filter(ticket=ticket).select_related("responsible_team").first()
    if complaint is None:
        raise NotFound("This case has no complaint workflow.")
    return _complaint_out(complaint)


@router.post("/tickets/{int:ticket_id}/complaint", response={201: ComplaintOut})
def open_complaint(request: HttpRequest, ticket_id: int, payload: ComplaintOpenIn):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    complaint = complaint_services.complaint_open(actor=request.user, ticket=ticket, severity=payload.severity,
                                                  note=payload.note)
    return Status(201, _complaint_out(complaint))


@router.post("/tickets/{int:ticket_id}/complaint/steps", response=ComplaintOut)
def advance_complaint(request: HttpRequest, ticket_id: int, payload: ComplaintStepIn):
    complaint = _complaint_of(request, ticket_id)
    team = None
    if payload.responsible_team is not None:
        team = Team.objects.filter(pk=payload.responsible_team).first()
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


def _callback_out(callback) -> dict:
    return {"id": callback.pk, "ticket_id": callback.ticket_id, "ticket_number": callback.ticket.number,
            "assignee": _ref(callback.assignee), "due_at": callback.due_at, "outcome": callback.outcome,
            "note": callback.note, "done_at": callback.done_at}


@router.get("/callbacks", response=PageOut[CallbackOut])
def list_callbacks(request: HttpRequest, page: Query[PageParams], pending: bool = True, mine: bool = False):
    qs = selectors.callback_list(user=request.user, pending_only=pending)
    if mine:
        qs = qs.filter(assignee=request.user)
    return paginate(qs, page, _callback_out)


@router.post("/callbacks/{int:callback_id}", response=CallbackOut)
def record_callback(request: HttpRequest, callback_id: int, payload: CallbackIn):
    callback = selectors.callback_get_for_user(user=request.user, callback_id=callback_id)
    callback = callback_services.callback_record(actor=request.user, callback=callback, outcome=payload.outcome,
                                                 note=payload.note)
    return _callback_out(callback)


def _article_out(article, score: float | None = None) -> dict:
    return {"id": article.pk, "title": article.title, "body": article.body, "category": _ref(article.category),
            "status": article.status, "version": article.version, "published_at": article.published_at,
            "usage_count": article.usage_count, "score": score}


@router.get("/knowledge/articles", response=PageOut[ArticleOut])
def list_articles(request: HttpRequest, page: Query[PageParams], q: str = ""):
    """Without `q`: the articles the caller may read, most used first. With `q`: Chinese full-text
    search over published articles, best match first."""
    if q.strip():
        found = selectors.article_search(query=q[:200], limit=page.page_size)
        return {"items": [_article_out(a, s) for a, s in found], "count": len(found), "count_is_exact": True,
                "page": 1, "page_size": page.page_size}
    return paginate(selectors.article_list(user=request.user).order_by("-usage_count", "id"), page, _article_out)


@router.post("/knowledge/articles", response={201: ArticleOut})
def create_article(request: HttpRequest, payload: ArticleIn):
    return Status(201, _article_out(knowledge_services.article_create(actor=request.user, **payload.dict())))


@router.get("/knowledge/articles/{int:article_id}", response=ArticleOut)
def get_article(request: HttpRequest, article_id: int):
    return _article_out(selectors.article_get_for_user(user=request.user, article_id=article_id))


@router.put("/knowledge/articles/{int:article_id}", response=ArticleOut)
def edit_article(request: HttpRequest, article_id: int, payload: ArticleIn):
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    return _article_out(knowledge_services.article_edit(actor=request.user, article=article, **payload.dict()))


@router.post("/knowledge/articles/{int:article_id}/submit", response=ArticleOut)
def submit_article(request: HttpRequest, article_id: int):
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    if article.author_id != request.user.pk and not knowledge_services.can_review(request.user):
        raise PermissionDenied("Only the author submits an article.")
    return _article_out(knowledge_services.article_submit(actor=request.user, article=article))


@router.post("/knowledge/articles/{int:article_id}/review", response=ArticleOut)
def review_article(request: HttpRequest, article_id: int, payload: ArticleReviewIn):
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    return _article_out(knowledge_services.article_review(actor=request.user, article=article,
                                                          approve=payload.approve, note=payload.note))


@router.post("/knowledge/articles/{int:article_id}/use", response=ArticleOut)
def use_article(request: HttpRequest, article_id: int, payload: ArticleUseIn):
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    ticket = None
    if payload.ticket is not None:
        ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=payload.ticket)
    knowledge_services.article_use(actor=request.user, article=article, ticket=ticket)
    return _article_out(selectors.article_get_for_user(user=request.user, article_id=article_id))


@router.get("/tickets/{int:ticket_id}/suggestions", response=list[ArticleOut])
def list_ticket_suggestions(request: HttpRequest, ticket_id: int):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return [_article_out(a, s) for a, s in selectors.article_suggestions(ticket=ticket)]


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
    applied = cti_services.cti_event_receive(**payload.dict(), payload=payload.dict(mode="json"))
    return {"accepted": True, "duplicate": not applied}


@router.get("/cti/pop", response={200: CallPopOut, 204: None})
def get_call_pop(request: HttpRequest):
    call = selectors.call_pop_for_agent(user=request.user)
    if call is None:
        return Status(204, None)
    user = request.user
    if call.customer_id:
        unmasked = can_see_personal_data(user=user, customer=call.customer)
    else:
        unmasked = policy_for(user).personal_data is Scope.ALL
    return {"call_id": call.call_id, "caller": call.caller if unmasked else mask_phone(call.caller),
            "status": call.status, "started_at": call.started_at,
            "customer": customer_row(call.customer, unmasked=unmasked) if call.customer_id else None}


REPORT_ROLES = (Role.ADMIN, Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.ANALYST)


@router.get("/service-standards/attainment", response=list[AttainmentRowOut])
def list_standard_attainment(request: HttpRequest, filters: Query[AttainmentFilterIn]):
    """Attainment of the service standards per group and period (trend over time)."""
    if not (request.user.is_superuser or request.user.role in REPORT_ROLES):
        raise PermissionDenied("Attainment reports are for managers, team leads and analysts.")
    errors = {}
    if unknown := [g for g in filters.group_by if g not in reports.GROUPS]:
        errors["group_by"] = f"unknown: {', '.join(unknown)}; use {', '.join(reports.GROUPS)}"
    if filters.period and filters.period not in reports.PERIODS:
        errors["period"] = f"one of: {', '.join(reports.PERIODS)}"
    if filters.until <= filters.since or (filters.until - filters.since).days > 3 * 366:
        errors["until"] = "after since, at most three years later"
    if errors:
        raise ValidationFailed(fields=errors)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(filters.since, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(filters.until, dt.time(), tzinfo=zone)
    rows = reports.standard_attainment(since=since, until=until, group_by=tuple(filters.group_by),
                                       period=filters.period or None)
    return [{"period": r.period, "group": r.group, "total": r.total, "met": r.met, "breached": r.breached,
             "rate": r.rate} for r in rows]


def _category_out(node: selectors.CategoryNode) -> dict:
    return {"id": node.category.pk, "name": node.category.name, "parent": node.category.parent_id,
            "path": node.path, "depth": node.depth, "is_used": node.is_used}


def _parent(parent_id: int | None):
    if parent_id is None:
        return None
    try:
        return selectors.category_get(category_id=parent_id)
    except NotFound:
        raise ValidationFailed(fields={"parent": "unknown category"}) from None


@router.get("/ticket-categories", response=list[CategoryOut])
def list_ticket_categories(request: HttpRequest):
    """The case category tree in order, parents before their children."""
    return [_category_out(node) for node in selectors.category_tree()]


@router.post("/ticket-categories", response={201: CategoryOut})
def create_ticket_category(request: HttpRequest, payload: CategoryIn):
    category = category_services.category_create(actor=request.user, name=payload.name,
                                                 parent=_parent(payload.parent))
    return Status(201, next(_category_out(n) for n in selectors.category_tree() if n.category.pk == category.pk))


@router.put("/ticket-categories/{int:category_id}", response=CategoryOut)
def update_ticket_category(request: HttpRequest, category_id: int, payload: CategoryIn):
    category = selectors.category_get(category_id=category_id)
    category_services.category_update(actor=request.user, category=category, name=payload.name,
                                      parent=_parent(payload.parent))
    return next(_category_out(n) for n in selectors.category_tree() if n.category.pk == category_id)


@router.delete("/ticket-categories/{int:category_id}", response={204: None})
def delete_ticket_category(request: HttpRequest, category_id: int):
    category_services.category_delete(actor=request.user, category=selectors.category_get(category_id=category_id))
    return Status(204, None)
