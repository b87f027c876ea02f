"""Service desk pages: thin views over the scoped selectors and the service desk services."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.enums import Role
from guanxi.core.audit import audit_trail
from guanxi.core.errors import Conflict, NotFound, ValidationFailed
from guanxi.core.pagination import capped_page
from guanxi.core.views import add_service_errors, domain_errors_as_http, template_for
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.schemas import customer_row

from . import reports, selectors
from .clock import Pause, working_time_between
from .enums import ArticleStatus, CallbackOutcome, ClockState, ComplaintStage, CustomerTier, Metric, TicketStatus
from .events import system_text
from .forms import (
    QUEUE_VIEWS,
    AssignForm,
    CallbackRecordForm,
    CategoryForm,
    ComplaintOpenForm,
    ComplaintReopenForm,
    ComplaintStepForm,
    MergeForm,
    MessageForm,
    TicketFilterForm,
    TicketForm,
    TransitionForm,
)
from .models import Ticket, TicketMessage
from .services import callbacks as callback_services
from .services import categories as category_services
from .services import complaints as complaint_services
from .services import knowledge as knowledge_services
from .services import tickets as ticket_services
from .views_commitments import case_commitments_context

PAGE_SIZE = 25
def status_label(status: str) -> str:
    return str(dict(TicketStatus.choices).get(status, status))

QUEUE_SESSION_KEY = "servicedesk.queue_view"
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


def _conflict_message(exc: Conflict) -> str:
    message = CONFLICT_MESSAGES.get(exc.code)
    return _(message) if message else exc.message


def _queue_filters(user, view: str, params: dict) -> selectors.TicketFilter:
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
    return selectors.TicketFilter(**base, type=params.get("type") or "", priority=params.get("priority"),
                                  query=params.get("q") or "")


def _default_view(user) -> str:
    return "mine" if user.role in (Role.AGENT, Role.TEAM_LEAD) or not user.role else "all"


# ---------------------------------------------------------------- home panel


def home_panel(user) -> dict:
    """The service desk panel of the home page: my open cases, breached ones, open cases by status."""
    by_status = [{"name": status_label(s), "value": n} for s, n in selectors.ticket_counts_by_status(user=user)]
    mine = selectors.ticket_queue(user=user, filters=selectors.TicketFilter(statuses=("open",), owner_id=user.pk))
    breached = selectors.ticket_queue(user=user, filters=selectors.TicketFilter(statuses=("open",), breached=True))
    return {
        "mine": mine.order_by().count(), "breached": breached.order_by().count(), "by_status": by_status,
        "total": sum(item["value"] for item in by_status),
    }


# ---------------------------------------------------------------- queue


@login_required
@domain_errors_as_http
def ticket_queue(request):
    form = TicketFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    view = params.get("view") or request.session.get(QUEUE_SESSION_KEY) or _default_view(request.user)
    if view not in dict(QUEUE_VIEWS):
        view = "mine"
    request.session[QUEUE_SESSION_KEY] = view
    ordering = params.get("ordering") or ""
    qs = selectors.ticket_queue(user=request.user, filters=_queue_filters(request.user, view, params),
                                ordering=ordering or None)
    page = capped_page(qs, page=params.get("page") or 1, per_page=PAGE_SIZE)
    now = timezone.now()
    due = selectors.ticket_due_details(ticket_ids=[t.pk for t in page.rows], now=now)
    rows = [{"ticket": t, "due_state": due.get(t.pk, ("", None))[0], "status_label": status_label(t.status),
             "overdue_for": _overdue_for(due.get(t.pk, ("", None))[1], now),
             "subject": selectors.case_text(t.subject, unmasked=selectors.case_text_unmasked(user=request.user,
                                                                                               ticket=t))}
            for t in page.rows]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("ordering", None)
    query["view"] = view
    filter_query = query.copy()
    filter_query.pop("view", None)
    context = {
        "form": form, "filter_fields": [form[name] for name in ("status", "type", "priority")],
        "page": page, "rows": rows, "view": view, "views": QUEUE_VIEWS,
        "ordering": ordering or selectors.TICKET_ORDERING.default,
        "base_query": query.urlencode(), "filter_query": filter_query.urlencode(),
        "refresh": QUEUE_REFRESH,
        "columns": [("number", _("Number")), (None, _("Subject")), (None, _("Customer")), (None, _("Type")),
                    ("priority", _("Priority")), (None, _("Status")), (None, _("Owner")),
                    ("next_due_at", _("Next due")), ("created_at", _("Created"))],
    }
    return render(request, template_for(request, "servicedesk/ticket_list.html",
                                      "servicedesk/partials/_ticket_table.html"), context)


def _overdue_for(since, now) -> str:
    """How long a case has been overdue, in its largest unit ("3 小时")."""
    return timesince(since, now, depth=1) if since else ""


# ---------------------------------------------------------------- create


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


# ---------------------------------------------------------------- detail


def _clock_rows(ticket: Ticket, clocks, pauses, now: dt.datetime) -> list[dict]:
    spans = [Pause(p.started_at, p.ended_at) for p in pauses]
    rows = []
    for clock in clocks:
        until = clock.stopped_at or now
        elapsed = working_time_between(selectors.working_calendar(clock.standard.calendar), clock.started_at,
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
    entries = audit_trail(ticket, masked_fields=frozenset() if text_unmasked else selectors.CASE_TEXT_FIELDS)
    for entry in entries:
        entry.reason = system_text(entry.reason)
    return entries


def _detail_context(request, ticket: Ticket, **forms) -> dict:
    user = request.user
    now = timezone.now()
    parts = selectors.ticket_detail(ticket=ticket)
    extras = selectors.ticket_case_extras(ticket=ticket)
    can_work = selectors.can_work_on(user=user, ticket=ticket)
    customer = None
    if ticket.customer_id:
        unmasked = customer_selectors.can_see_personal_data(user=user, customer=ticket.customer)
        customer = customer_row(ticket.customer, unmasked=unmasked)
    text_unmasked = selectors.case_text_unmasked(user=user, ticket=ticket)
    for message in parts["messages"]:
        message.shown_text = selectors.case_text(message.text, unmasked=text_unmasked)
    for assignment in parts["assignments"]:
        assignment.shown_text = selectors.case_text(system_text(assignment.handover_note), unmasked=text_unmasked)
    allowed = ticket_services.TRANSITIONS.get(ticket.status, set())
    transitions = [(s, status_label(s)) for s in TicketStatus.values
                   if s in allowed and s != TicketStatus.PENDING_CUSTOMER]
    complaint = extras["complaint"]
    next_stage = complaint_services.NEXT_STAGE.get(complaint.stage) if complaint else None
    context = {
        "ticket": ticket, "customer": customer, "can_work": can_work, "now": now,
        "subject": selectors.case_text(ticket.subject, unmasked=text_unmasked),
        "description": selectors.case_text(ticket.description, unmasked=text_unmasked),
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
        "suggestions": selectors.article_suggestions(ticket=ticket),
        "Kind": TicketMessage.Kind,
    }
    if can_work:
        context.update(
            message_form=MessageForm(prefix="msg"), pending_form=TransitionForm(
                prefix="pend", initial={"status": TicketStatus.PENDING_CUSTOMER}),
            assign_form=AssignForm(prefix="asg"), merge_form=MergeForm(prefix="mrg"),
            complaint_open_form=ComplaintOpenForm(prefix="cpo"),
            complaint_step_form=ComplaintStepForm(prefix="cps", initial={"stage": next_stage}),
            complaint_reopen_form=ComplaintReopenForm(prefix="cpr"),
        )
    context.update(case_commitments_context(user, ticket, can_work=can_work))
    context.update(forms)
    return context


@login_required
@domain_errors_as_http
def ticket_detail(request, ticket_id: int):
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return render(request, "servicedesk/ticket_detail.html", _detail_context(request, ticket))


def _write(request, ticket_id: int, form_class, prefix: str, context_name: str, act, done: str, anchor: str):
    """One write from the case page: validate the form, call one service; a refused move
    (Conflict) is shown as an error and changes nothing, invalid fields are shown inline."""
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id, action="write")
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            act(ticket, form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, _conflict_message(exc))
            return redirect(reverse("servicedesk:detail", args=[ticket.pk]) + f"#{anchor}")
        else:
            messages.success(request, done)
            return redirect(reverse("servicedesk:detail", args=[ticket.pk]) + f"#{anchor}")
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    return render(request, "servicedesk/ticket_detail.html",
                  _detail_context(request, ticket, **{context_name: form}), status=422)


@login_required
@domain_errors_as_http
@require_POST
def add_message(request, ticket_id: int):
    def act(ticket, data):
        ticket_services.ticket_message_add(actor=request.user, ticket=ticket, kind=data["kind"], body=data["body"],
                                           attachment=data.get("attachment"))

    return _write(request, ticket_id, MessageForm, "msg", "message_form", act, _("Added to the conversation."),
                  "conversation")


@login_required
@domain_errors_as_http
@require_POST
def transition(request, ticket_id: int):
    prefix = "pend" if "pend-status" in request.POST else "tr"

    def act(ticket, data):
        ticket_services.ticket_transition(actor=request.user, ticket=ticket, status=data["status"],
                                          reason=data.get("reason") or "")

    return _write(request, ticket_id, TransitionForm, prefix, "pending_form", act, _("Status changed."), "top")


@login_required
@domain_errors_as_http
@require_POST
def assign(request, ticket_id: int):
    def act(ticket, data):
        ticket_services.ticket_assign(actor=request.user, ticket=ticket, assignee=data["assignee"],
                                      note=data.get("note") or "")

    return _write(request, ticket_id, AssignForm, "asg", "assign_form", act, _("Assigned."), "assignments")


@login_required
@domain_errors_as_http
@require_POST
def merge(request, ticket_id: int):
    def act(ticket, data):
        try:
            target = selectors.ticket_get_by_number(user=request.user, number=data["target"], action="write")
        except NotFound as exc:
            raise ValidationFailed(fields={"target": "unknown case"}) from exc
        ticket_services.ticket_merge(actor=request.user, source=ticket, target=target)

    return _write(request, ticket_id, MergeForm, "mrg", "merge_form", act, _("Case merged."), "top")


def _complaint(ticket: Ticket):
    complaint = selectors.ticket_case_extras(ticket=ticket)["complaint"]
    if complaint is None:
        raise NotFound("This case has no complaint workflow.")
    return complaint


@login_required
@domain_errors_as_http
@require_POST
def complaint_open(request, ticket_id: int):
    def act(ticket, data):
        complaint_services.complaint_open(actor=request.user, ticket=ticket, severity=data["severity"],
                                          note=data.get("note") or "")

    return _write(request, ticket_id, ComplaintOpenForm, "cpo", "complaint_open_form", act,
                  _("Complaint workflow opened."), "complaint")


@login_required
@domain_errors_as_http
@require_POST
def complaint_advance(request, ticket_id: int):
    def act(ticket, data):
        complaint_services.complaint_advance(
            actor=request.user, complaint=_complaint(ticket), stage=data["stage"], note=data.get("note") or "",
            classification=data.get("classification") or "", responsible_team=data.get("responsible_team"),
            outcome=data.get("outcome") or CallbackOutcome.SATISFIED,
        )

    return _write(request, ticket_id, ComplaintStepForm, "cps", "complaint_step_form", act,
                  _("Complaint step recorded."), "complaint")


@login_required
@domain_errors_as_http
@require_POST
def complaint_reopen(request, ticket_id: int):
    def act(ticket, data):
        complaint_services.complaint_reopen(actor=request.user, complaint=_complaint(ticket), note=data["note"])

    return _write(request, ticket_id, ComplaintReopenForm, "cpr", "complaint_reopen_form", act,
                  _("Complaint reopened."), "complaint")


# ---------------------------------------------------------------- callbacks


@login_required
@domain_errors_as_http
def callback_list(request):
    show_done = request.GET.get("done") == "1"
    qs = selectors.callback_worklist(user=request.user, pending_only=not show_done)
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    page = capped_page(qs, page=number, per_page=PAGE_SIZE)
    now = timezone.now()
    rows = [{"callback": c, "is_mine": c.assignee_id == request.user.pk, "is_late": not c.done_at and c.due_at < now,
             "subject": selectors.case_text(c.ticket.subject, unmasked=selectors.case_text_unmasked(
                 user=request.user, ticket=c.ticket)),
             "form": CallbackRecordForm(prefix=f"cb{c.pk}") if not c.done_at else None} for c in page.rows]
    return render(request, "servicedesk/callback_list.html",
                  {"rows": rows, "page": page, "show_done": show_done,
                   "base_query": "done=1" if show_done else ""})


@login_required
@domain_errors_as_http
@require_POST
def callback_record(request, callback_id: int):
    callback = selectors.callback_get_for_user(user=request.user, callback_id=callback_id)
    form = CallbackRecordForm(request.POST, prefix=f"cb{callback.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("servicedesk:callbacks")
    try:
        callback_services.callback_record(actor=request.user, callback=callback, outcome=form.cleaned_data["outcome"],
                                          note=form.cleaned_data.get("note") or "")
    except Conflict as exc:
        messages.error(request, _conflict_message(exc))
    except ValidationFailed as exc:
        messages.error(request, " ".join(_(reason) for reason in exc.fields.values()) or exc.message)
    else:
        messages.success(request, _("Callback for %(number)s recorded.") % {"number": callback.ticket.number})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/service/")
                    else "servicedesk:callbacks")


@login_required
def call_pop(request):
    """The screen pop (来电弹屏): the agent's current call and its customer, polled by htmx."""
    call = selectors.call_pop_for_agent(user=request.user)
    customer = None
    if call is not None and call.customer_id:
        unmasked = customer_selectors.can_see_personal_data(user=request.user, customer=call.customer)
        customer = customer_row(call.customer, unmasked=unmasked)
    return render(request, "servicedesk/partials/_call_pop.html", {"call": call, "customer": customer})


def _attainment_context(months: int) -> dict:
    """Monthly attainment per metric (the trend) and per standard and tier (the table)."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    trend = reports.standard_attainment(since=since, until=until, group_by=("metric",), period="month")
    categories = sorted({r.period.astimezone(zone).strftime("%Y-%m") for r in trend})
    by_metric: dict[str, dict[str, float]] = {}
    for row in trend:
        by_metric.setdefault(row.group["metric"], {})[row.period.astimezone(zone).strftime("%Y-%m")] = round(
            row.rate * 100, 1)
    labels = dict(Metric.choices)
    current = today.strftime("%Y-%m")
    chart = {"categories": [_("%(month)s (so far)") % {"month": c} if c == current else c for c in categories],
             "series": [{"name": str(labels.get(metric, metric)), "data": [values.get(c) for c in categories]}
                        for metric, values in sorted(by_metric.items())],
             # The month still running counts only the clocks finished or breached so far: drawn apart.
             "partial": categories.index(current) if current in categories else None}
    table = reports.standard_attainment(since=since, until=until, group_by=("standard", "tier"), period=None)
    tiers = dict(CustomerTier.choices)
    return {"chart": chart, "months": months, "month_choices": (3, 6, 12, 24, 36), "since": first, "rows": [
        {"standard": r.group["standard"], "tier": tiers.get(r.group["tier"] or "", r.group["tier"]),
         "total": r.total, "met": r.met, "breached": r.breached, "rate": round(r.rate * 100, 1)} for r in table]}


@login_required
def attainment(request):
    """Service-standard attainment (服务指标达成率): trend per metric and a table per standard and tier."""
    user = request.user
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.ANALYST)):
        raise DjangoPermissionDenied(_("Attainment reports are for managers, team leads and analysts."))
    try:
        months = min(max(int(request.GET.get("months", 12)), 1), 36)
    except ValueError:
        months = 12
    return render(request, "servicedesk/attainment.html", _attainment_context(months))


@login_required
def knowledge(request):
    """The knowledge base (解决方案): Chinese full-text search over published articles, or the
    most used ones."""
    query = request.GET.get("q", "").strip()[:200]
    if query:
        articles = [article for article, _ in selectors.article_search(query=query, limit=30)]
    else:
        articles = list(selectors.article_list(user=request.user).filter(status=ArticleStatus.PUBLISHED)[:30])
    return render(request, "servicedesk/knowledge.html", {"articles": articles, "query": query})


@login_required
@domain_errors_as_http
def article_detail(request, article_id: int):
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    ticket = None
    if request.GET.get("ticket", "").isdigit():
        ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=int(request.GET["ticket"]))
    return render(request, "servicedesk/article_detail.html",
                  {"article": article, "ticket": ticket, "versions": article.versions.all()[:10]})


@login_required
@domain_errors_as_http
@require_POST
def article_use(request, article_id: int, ticket_id: int):
    """The agent used the article on the case: counted once per case."""
    article = selectors.article_get_for_user(user=request.user, article_id=article_id)
    ticket = selectors.ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    try:
        knowledge_services.article_use(actor=request.user, article=article, ticket=ticket)
    except Conflict as exc:
        messages.error(request, _conflict_message(exc))
    else:
        messages.success(request, _("Recorded: the article helped on this case."))
    return redirect("servicedesk:detail", ticket_id=ticket.pk)


@login_required
@domain_errors_as_http
def message_attachment(request, message_id: int):
    """An attachment, to those who may read its case (media files are never served directly)."""
    message = selectors.attachment_get_for_user(user=request.user, message_id=message_id)
    return FileResponse(message.attachment.open("rb"), as_attachment=True, filename=message.attachment_filename)


def _require_category_configurer(user) -> None:
    if not selectors.can_configure(user):
        raise DjangoPermissionDenied


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def category_list(request):
    """The case category tree: add, rename, move and delete categories (administrators and
    service managers)."""
    _require_category_configurer(request.user)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = category_services.category_create(actor=request.user, name=form.cleaned_data["name"],
                                                         parent=form.cleaned_data["parent"])
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("servicedesk:categories")
    nodes = selectors.category_tree()
    rows = [{"node": node, "form": CategoryForm(prefix=f"c{node.category.pk}", initial={
        "name": node.category.name, "parent": node.category.parent_id})} for node in nodes]
    return render(request, "servicedesk/category_list.html", {"form": form, "rows": rows},
                  status=422 if form.errors else 200)


@login_required
@domain_errors_as_http
@require_POST
def category_edit(request, category_id: int):
    _require_category_configurer(request.user)
    category = selectors.category_get(category_id=category_id)
    form = CategoryForm(request.POST, prefix=f"c{category_id}")
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("servicedesk:categories")
    try:
        category_services.category_update(actor=request.user, category=category, name=form.cleaned_data["name"],
                                          parent=form.cleaned_data["parent"])
    except ValidationFailed as exc:
        reasons = [exc.message] if exc.fields.keys() <= {"parent"} else []
        messages.error(request, "; ".join(_(r) for r in reasons or [str(v) for v in exc.fields.values()]))
    else:
        messages.success(request, _("Category saved."))
    return redirect("servicedesk:categories")


@login_required
@domain_errors_as_http
@require_POST
def category_delete(request, category_id: int):
    _require_category_configurer(request.user)
    category = selectors.category_get(category_id=category_id)
    try:
        category_services.category_delete(actor=request.user, category=category)
    except Conflict as exc:
        messages.error(request, _conflict_message(exc))
    else:
        messages.success(request, _("Category deleted."))
    return redirect("servicedesk:categories")
