"""Case pages: the queue, a new case, the case page and its writes; thin views over the selectors and services."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.enums import Role
from guanxi.core.audit import audit_trail
from guanxi.core.errors import Conflict, NotFound, ValidationFailed, referenced
from guanxi.core.pagination import capped_page
from guanxi.core.versioning import VersionConflict
from guanxi.core.views import add_service_errors, domain_errors_as_http, template_for
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.offers import customer_offers
from guanxi.customers.schemas import customer_row

from .. import permissions
from ..clock import Pause, working_time_between
from ..enums import ClockState, ComplaintStage, Priority, TicketStatus, TicketType
from ..events import system_text
from ..forms.complaints import ComplaintOpenForm, ComplaintReopenForm, ComplaintStepForm
from ..forms.tickets import (
    QUEUE_VIEWS,
    AssignForm,
    MergeForm,
    MessageForm,
    TicketFilterForm,
    TicketForm,
    TransitionForm,
)
from ..models import Ticket, TicketMessage
from ..selectors import calendars as calendar_selectors
from ..selectors import knowledge as knowledge_selectors
from ..selectors import tickets as ticket_selectors
from ..services import complaints as complaint_services
from ..services import tickets as ticket_services
from .commitments import case_commitments_context

PAGE_SIZE = 25


def status_label(status: str) -> str:
    return str(dict(TicketStatus.choices).get(status, status))

# The queue view an agent chose last, remembered in a cookie of its own (not the session, which would
# be written to the database on every change), tagged with the user it belongs to.
QUEUE_VIEW_COOKIE = "gx_queue_view"
QUEUE_VIEW_COOKIE_AGE = 180 * 24 * 3600

QUEUE_REFRESH = "every 30s"

# Reasons the services give, translated when shown next to a field.
SERVICE_REASONS = (
    gettext_noop("required, at most 200 characters"), gettext_noop("required, at most 20000 characters"),
    gettext_noop("at most 20000 characters"), gettext_noop("unknown category"), gettext_noop("unknown customer"),
    gettext_noop("this user is not active"), gettext_noop("a case cannot be merged into itself"),
    gettext_noop("the cases belong to different customers"), gettext_noop("required to classify"),
    gettext_noop("required to forward"), gettext_noop("say why it is reopened"), gettext_noop("normal or major"),
    gettext_noop("only complaint cases have a complaint workflow"), gettext_noop("unknown case"),
    gettext_noop("required, at most 50 characters"), gettext_noop("a category of this name exists at this place"),
    gettext_noop("A category cannot move under itself or one of its sub-categories."),
    gettext_noop("The tree is at most 4 levels deep."),
)

# Refused moves, by the services' error code; others show the service's own message.
CONFLICT_MESSAGES = {
    "invalid_transition": gettext_noop("The case cannot move to that status from its current one; nothing changed."),
    "merged": gettext_noop("This case was merged into another one; work on that case."),
    "not_open": gettext_noop("Only open cases can be assigned or merged into."),
    "already_merged": gettext_noop("A merged case cannot be merged again."),
    "invalid_step": gettext_noop("That is not the complaint's next step; nothing changed."),
    "exists": gettext_noop("This case already has a complaint workflow."),
    "already_done": gettext_noop("This callback is already recorded."),
    "complaint_steps_missing": gettext_noop(
        "Open the complaint workflow and take its steps before this case is resolved or closed."),
    "complaint_not_replied": gettext_noop(
        "Reply to the customer (the complaint's reply step) before resolving the case."),
    "complaint_not_verified": gettext_noop(
        "Verify the result by the callback (回访) before closing the complaint case."),
    "category_has_children": gettext_noop("The category has sub-categories: delete or move them first."),
    "category_in_use": gettext_noop("Cases use this category: it can be renamed but not deleted."),
}


def conflict_message(exc: Conflict) -> str:
    if isinstance(exc, VersionConflict):
        return exc.summary()
    message = CONFLICT_MESSAGES.get(exc.code)
    return _(message) if message else exc.message


def _queue_filters(user, view: str, params: dict) -> ticket_selectors.TicketFilter:
    """The saved view's TicketFilter parameters, narrowed by the filter form."""
    base = {
        "mine": {"statuses": ("open",), "owner_id": user.pk},
        # No team: an id no team has, so the view is empty rather than everything.
        "team": {"statuses": ("open",), "team_id": user.team_id or 0},
        "new": {"statuses": (TicketStatus.NEW,)},
        "breached": {"statuses": ("open",), "breached": True},
        "all": {"statuses": ("open",)},
    }[view]
    if params.get("status"):
        base["statuses"] = (params["status"],)
    return ticket_selectors.TicketFilter(**base, type=params.get("type") or "", priority=params.get("priority"),
                                  query=params.get("q") or "")


def _default_view(user) -> str:
    return "mine" if user.role in (Role.AGENT, Role.TEAM_LEAD) or not user.role else "all"


def home_panel(user) -> dict:
    """The service desk panel of the home page: my open cases, breached ones, open cases by status."""
    by_status = [{"name": status_label(s), "value": n} for s, n in ticket_selectors.ticket_counts_by_status(user=user)]
    queue, only = ticket_selectors.ticket_queue, ticket_selectors.TicketFilter
    mine = queue(user=user, filters=only(statuses=("open",), owner_id=user.pk))
    breached = queue(user=user, filters=only(statuses=("open",), breached=True))
    return {
        "mine": mine.order_by().count(), "breached": breached.order_by().count(), "by_status": by_status,
        "total": sum(item["value"] for item in by_status),
    }


@login_required
@domain_errors_as_http
def ticket_queue(request):
    form = TicketFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    remembered = _remembered_view(request)
    view = params.get("view") or remembered or _default_view(request.user)
    if view not in dict(QUEUE_VIEWS):
        view = "mine"
    ordering = params.get("ordering") or ""
    qs = ticket_selectors.ticket_queue(user=request.user, filters=_queue_filters(request.user, view, params),
                                ordering=ordering or None)
    page = capped_page(qs, page=params.get("page") or 1, per_page=PAGE_SIZE, ids_first=True)
    rows = _queue_rows(request.user, page.rows, timezone.now())
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("ordering", None)
    query["view"] = view
    filter_query = query.copy()
    filter_query.pop("view", None)
    context = {
        "form": form, "filter_fields": [form[name] for name in ("status", "type", "priority")],
        "page": page, "rows": rows, "view": view, "views": QUEUE_VIEWS,
        "ordering": ordering or ticket_selectors.TICKET_ORDERING.default,
        "base_query": query.urlencode(), "filter_query": filter_query.urlencode(),
        "refresh": QUEUE_REFRESH,
        "columns": [("number", _("Number")), (None, _("Subject")), (None, _("Customer")), (None, _("Type")),
                    ("priority", _("Priority")), (None, _("Status")), (None, _("Owner")),
                    ("next_due_at", _("Next due")), ("created_at", _("Created"))],
    }
    response = render(request, template_for(request, "servicedesk/ticket_list.html",
                                            "servicedesk/partials/_ticket_table.html"), context)
    if view != remembered:
        response.set_cookie(QUEUE_VIEW_COOKIE, f"{request.user.pk}:{view}", max_age=QUEUE_VIEW_COOKIE_AGE,
                            secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


def _remembered_view(request) -> str:
    user_id, _sep, view = request.COOKIES.get(QUEUE_VIEW_COOKIE, "").partition(":")
    return view if user_id == str(request.user.pk) and view in dict(QUEUE_VIEWS) else ""


def _queue_rows(user, tickets, now) -> list[dict]:
    """What each row of the queue shows, as text: the page is polled every 30 s by every agent, so its
    template only places strings (labels, link and dates are made here, once per row)."""
    due = ticket_selectors.ticket_due_details(ticket_ids=[t.pk for t in tickets], now=now)
    types, priorities = dict(TicketType.choices), dict(Priority.choices)
    rows = []
    for t in tickets:
        state, since = due.get(t.pk, ("", None))
        unmasked = ticket_selectors.case_text_unmasked(user=user, ticket=t)
        rows.append({
            "number": t.number, "link": reverse("servicedesk:detail", args=[t.pk]),
            "subject": Truncator(ticket_selectors.case_text(t.subject, unmasked=unmasked)).chars(60),
            "customer": t.customer.name if t.customer_id else "", "type": types.get(t.type, t.type),
            "priority": t.priority, "priority_label": priorities.get(t.priority, t.priority),
            "status": t.status, "status_label": status_label(t.status), "owner": str(t.owner) if t.owner_id else "",
            "next_due_at": _shown(t.next_due_at), "created_on": _shown(t.created_at, "SHORT_DATE_FORMAT"),
            "created_time": _shown(t.created_at, "TIME_FORMAT"),
            "due_state": state, "overdue_for": _overdue_for(since, now),
        })
    return rows


def _shown(moment, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    return date_format(timezone.localtime(moment), format_name) if moment else ""


def _overdue_for(since, now) -> str:
    """How long a case has been overdue, in its largest unit ("3 小时")."""
    return timesince(since, now, depth=1) if since else ""


def _customer_choice(user, customer_id):
    if not customer_id:
        return None
    try:
        customer = customer_selectors.customer_get_for_user(user=user, customer_id=customer_id)
    except NotFound:
        return None
    unmasked = customer_selectors.can_see_personal_data(user=user, customer=customer)
    return customer, customer_row(customer, unmasked=unmasked)


@login_required
@domain_errors_as_http
def customer_search(request):
    """Customers matching q, for picking the customer of a new case (htmx fragment)."""
    query = (request.GET.get("customer_q") or "").strip()[:100]
    results = []
    if query:
        found = customer_selectors.customer_list(user=request.user,
                                                 filters=customer_selectors.CustomerFilter(query=query))[:10]
        results = [customer_row(c, unmasked=customer_selectors.can_see_personal_data(user=request.user, customer=c))
                   for c in found]
    return render(request, "servicedesk/partials/_customer_results.html", {"results": results, "query": query})


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def ticket_create(request):
    if request.method == "POST":
        form = TicketForm(request.POST)
    else:
        form = TicketForm(initial={"customer": request.GET.get("customer") or None})
    picked = None
    raw_customer = form["customer"].value()
    if str(raw_customer or "").isdigit():
        picked = _customer_choice(request.user, int(raw_customer))
        if picked is None and request.method == "POST":
            form.add_error(None, _("unknown customer"))
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_services.ticket_create(actor=request.user, customer=picked[0] if picked else None,
                                                   data=form.service_data())
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": ticket.number})
            return redirect("servicedesk:detail", ticket_id=ticket.pk)
    search = [] if picked else None
    if request.GET.get("customer_q"):
        search = [customer_row(c, unmasked=customer_selectors.can_see_personal_data(user=request.user, customer=c))
                  for c in customer_selectors.customer_list(
                      user=request.user, filters=customer_selectors.CustomerFilter(query=request.GET["customer_q"])
                  )[:10]]
    return render(request, "servicedesk/ticket_form.html", {
        "form": form, "customer": picked[1] if picked else None, "results": search,
        "query": request.GET.get("customer_q", ""),
    })


def _clock_rows(ticket: Ticket, clocks, pauses, now: dt.datetime) -> list[dict]:
    spans = [Pause(p.started_at, p.ended_at) for p in pauses]
    rows = []
    for clock in clocks:
        until = clock.stopped_at or now
        elapsed = working_time_between(calendar_selectors.working_calendar(clock.standard.calendar), clock.started_at,
                                       until, spans)
        target = dt.timedelta(minutes=clock.target_minutes)
        percent = min(100, round(elapsed / target * 100)) if target else 0
        running = clock.stopped_at is None
        breached = clock.state == ClockState.BREACHED or clock.breached_at is not None or (
            running and clock.due_at is not None and clock.due_at < now)
        warned = not breached and running and (
            clock.warned_at is not None or (clock.warn_at is not None and clock.warn_at <= now))
        rows.append({
            "clock": clock, "elapsed_minutes": int(elapsed.total_seconds() // 60), "percent": percent,
            "level": "breached" if breached else "warned" if warned else "ok",
        })
    return rows


def _history(ticket: Ticket, *, text_unmasked: bool) -> list:
    """The case's change history, free text masked like the case's; reasons the system wrote read
    in the viewer's language."""
    entries = audit_trail(ticket, masked_fields=frozenset() if text_unmasked else ticket_selectors.CASE_TEXT_FIELDS)
    for entry in entries:
        entry.reason = system_text(entry.reason)
    return entries


def _detail_context(request, ticket: Ticket, **forms) -> dict:
    user = request.user
    now = timezone.now()
    parts = ticket_selectors.ticket_detail(ticket=ticket)
    extras = ticket_selectors.ticket_case_extras(ticket=ticket)
    can_work = permissions.can_work_on(user=user, ticket=ticket)
    customer = None
    if ticket.customer_id:
        unmasked = customer_selectors.can_see_personal_data(user=user, customer=ticket.customer)
        customer = customer_row(ticket.customer, unmasked=unmasked)
    text_unmasked = ticket_selectors.case_text_unmasked(user=user, ticket=ticket)
    for message in parts["messages"]:
        message.shown_text = ticket_selectors.case_text(message.text, unmasked=text_unmasked)
    for assignment in parts["assignments"]:
        assignment.shown_text = ticket_selectors.case_text(system_text(assignment.handover_note),
                                                           unmasked=text_unmasked)
    allowed = ticket_services.TRANSITIONS.get(ticket.status, set())
    transitions = [(s, status_label(s)) for s in TicketStatus.values
                   if s in allowed and s != TicketStatus.PENDING_CUSTOMER]
    complaint = extras["complaint"]
    next_stage = complaint_services.NEXT_STAGE.get(complaint.stage) if complaint else None
    context = {
        "ticket": ticket, "customer": customer, "can_work": can_work, "now": now,
        "offers": _case_offers(user, ticket),
        "subject": ticket_selectors.case_text(ticket.subject, unmasked=text_unmasked),
        "description": ticket_selectors.case_text(ticket.description, unmasked=text_unmasked),
        "status_label": status_label(ticket.status),
        "clocks": _clock_rows(ticket, parts["clocks"], parts["pauses"], now),
        "pauses": parts["pauses"], "messages_": parts["messages"], "assignments": parts["assignments"],
        "complaint": complaint, "complaint_steps": extras["complaint_steps"], "callbacks": extras["callbacks"],
        "next_stage": next_stage, "next_stage_label": ComplaintStage(next_stage).label if next_stage else "",
        "pending_callback": next((c for c in extras["callbacks"] if not c.done_at), None),
        "can_reopen_complaint": bool(complaint and complaint.stage in (ComplaintStage.REPLIED,
                                                                       ComplaintStage.VERIFIED)),
        "transitions": transitions if can_work else [],
        "can_pend": can_work and TicketStatus.PENDING_CUSTOMER in allowed,
        "history": _history(ticket, text_unmasked=text_unmasked),
        "suggestions": knowledge_selectors.article_suggestions(ticket=ticket),
        "Kind": TicketMessage.Kind,
    }
    if can_work:
        context.update(
            message_form=MessageForm(prefix="msg"), pending_form=TransitionForm(
                prefix="pend", initial={"status": TicketStatus.PENDING_CUSTOMER, "version": ticket.version}),
            assign_form=AssignForm(prefix="asg", initial={"version": ticket.version}),
            merge_form=MergeForm(prefix="mrg"),
            complaint_open_form=ComplaintOpenForm(prefix="cpo"),
            complaint_step_form=ComplaintStepForm(prefix="cps", initial={"stage": next_stage}),
            complaint_reopen_form=ComplaintReopenForm(prefix="cpr"),
        )
    context.update(case_commitments_context(user, ticket, can_work=can_work))
    context.update(forms)
    return context


def _case_offers(user, ticket) -> list | None:
    """The customer's next-best offers (the customers offer registry) when the viewer may read the
    customer; None for a case without one."""
    if not ticket.customer_id:
        return None
    try:
        customer = customer_selectors.customer_get_for_user(user=user, customer_id=ticket.customer_id)
    except NotFound:
        return None
    return customer_offers(customer=customer, user=user)


@login_required
@domain_errors_as_http
def ticket_detail(request, ticket_id: int):
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return render(request, "servicedesk/ticket_detail.html", _detail_context(request, ticket))


def case_write(request, ticket_id: int, form_class, prefix: str, context_name: str, act, done: str, anchor: str):
    """One write from the case page: validate the form, call one service; a refused move
    (Conflict) is shown as an error and changes nothing, invalid fields are shown inline."""
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            act(ticket, form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, conflict_message(exc))
            return redirect(reverse("servicedesk:detail", args=[ticket.pk]) + f"#{anchor}")
        else:
            messages.success(request, done)
            return redirect(reverse("servicedesk:detail", args=[ticket.pk]) + f"#{anchor}")
    ticket = ticket_selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return render(request, "servicedesk/ticket_detail.html",
                  _detail_context(request, ticket, **{context_name: form}), status=422)


@login_required
@domain_errors_as_http
@require_POST
def add_message(request, ticket_id: int):
    def act(ticket, data):
        ticket_services.ticket_message_add(actor=request.user, ticket=ticket, kind=data["kind"], body=data["body"],
                                           attachment=data.get("attachment"))

    return case_write(request, ticket_id, MessageForm, "msg", "message_form", act, _("Added to the conversation."),
                  "conversation")


@login_required
@domain_errors_as_http
@require_POST
def transition(request, ticket_id: int):
    prefix = "pend" if "pend-status" in request.POST else "tr"

    def act(ticket, data):
        ticket_services.ticket_transition(actor=request.user, ticket=ticket, status=data["status"],
                                          reason=data.get("reason") or "", expected_version=data.get("version"))

    return case_write(request, ticket_id, TransitionForm, prefix, "pending_form", act, _("Status changed."), "top")


@login_required
@domain_errors_as_http
@require_POST
def assign(request, ticket_id: int):
    def act(ticket, data):
        ticket_services.ticket_assign(actor=request.user, ticket=ticket, assignee=data["assignee"],
                                      note=data.get("note") or "", expected_version=data.get("version"))

    return case_write(request, ticket_id, AssignForm, "asg", "assign_form", act, _("Assigned."), "assignments")


@login_required
@domain_errors_as_http
@require_POST
def merge(request, ticket_id: int):
    def act(ticket, data):
        target = referenced(ticket_selectors.ticket_get_by_number, field="target", reason="unknown case",
                            user=request.user, number=data["target"], action="write")
        ticket_services.ticket_merge(actor=request.user, source=ticket, target=target)

    return case_write(request, ticket_id, MergeForm, "mrg", "merge_form", act, _("Case merged."), "top")


@login_required
@domain_errors_as_http
def message_attachment(request, message_id: int):
    """An attachment, to those who may read its case (media files are never served directly)."""
    message = ticket_selectors.attachment_get_for_user(user=request.user, message_id=message_id)
    return FileResponse(message.attachment.open("rb"), as_attachment=True, filename=message.attachment_filename)
