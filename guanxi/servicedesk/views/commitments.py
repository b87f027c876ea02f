"""Promise pages (承诺管理): the case page's promises, the promise list and the "promises kept"
report; thin views over selectors/commitments and services/commitments."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.masking import mask_free_text
from guanxi.core.views import domain_errors_as_http, list_page
from guanxi.customers.permissions import can_see_personal_data

from .. import permissions
from ..forms.commitments import CommitmentCloseForm, CommitmentFilterForm, CommitmentForm, KeptReportForm
from ..models import Commitment, Ticket
from ..selectors import commitments as commitment_selectors
from ..services import commitments as commitment_services

PAGE_SIZE = 25
REPORT_DAYS = 90
# Reasons the services give, translated when shown.
SERVICE_REASONS = (
    gettext_noop("give either a due time or a number of working hours"), gettext_noop("give the time zone"),
    gettext_noop("after the promise and within a year"), gettext_noop("1 to 1000 working hours"),
    gettext_noop("no business calendar exists yet"), gettext_noop("this calendar has no working time"),
)


def _text(user, commitment: Commitment, value: str) -> str:
    """Free text masked (phones, ID numbers) for roles that may not see the customer's personal data."""
    customer = commitment.customer
    if customer is not None and can_see_personal_data(user=user, customer=customer):
        return value
    return mask_free_text(value)


def _rows(user, commitments, now: dt.datetime) -> list[dict]:
    return [{
        "c": c, "description": _text(user, c, c.description), "reason": _text(user, c, c.reason),
        "is_late": c.is_open and c.due_at < now, "hours": c.working_minutes // 60 if c.working_minutes else None,
        "can_close": c.is_open and permissions.can_manage_commitment(user=user, commitment=c),
    } for c in commitments]


def case_commitments_context(user, ticket: Ticket, *, can_work: bool) -> dict:
    """What the case page shows of its promises, and the form to make one when the user works on it."""
    now = timezone.now()
    context = {"commitments": _rows(user, commitment_selectors.commitments_of_ticket(ticket=ticket), now)}
    if can_work and ticket.status != "merged":
        context["commitment_form"] = CommitmentForm(prefix="cmt")
    return context


@login_required
@domain_errors_as_http
@require_POST
def commitment_create(request, ticket_id: int):
    """A promise made on the case page."""
    from .tickets import case_write  # the case page's one-write helper; views.tickets imports this module

    def act(ticket, data):
        commitment_services.commitment_create(
            actor=request.user, kind=data["kind"], description=data["description"], ticket=ticket,
            due_at_value=data.get("due_at"), within_working_hours=data.get("within_working_hours"))

    return case_write(request, ticket_id, CommitmentForm, "cmt", "commitment_form", act, _("Promise recorded."),
                  "commitments")


def _back(request, commitment: Commitment):
    target = request.POST.get("next", "")
    if target.startswith("/service/") and "//" not in target:
        return redirect(target)
    if commitment.ticket_id:
        return redirect(reverse("servicedesk:detail", args=[commitment.ticket_id]) + "#commitments")
    return redirect("servicedesk:commitments")


@login_required
@domain_errors_as_http
@require_POST
def commitment_close(request, commitment_id: int):
    """Mark a promise kept, withdrawn or broken (the last two with a reason)."""
    commitment = commitment_selectors.commitment_get_for_user(user=request.user, commitment_id=commitment_id,
                                                              action="write")
    form = CommitmentCloseForm(request.POST, prefix=f"cc{commitment.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(request, commitment)
    action, reason = form.cleaned_data["action"], form.cleaned_data.get("reason") or ""
    try:
        if action == "keep":
            commitment_services.commitment_keep(actor=request.user, commitment=commitment, note=reason)
        elif action == "withdraw":
            commitment_services.commitment_withdraw(actor=request.user, commitment=commitment, reason=reason)
        else:
            commitment_services.commitment_break(actor=request.user, commitment=commitment, reason=reason)
    except Conflict:
        messages.error(request, _("This promise is already closed; nothing changed."))
    except ValidationFailed as exc:
        messages.error(request, " ".join(_(str(reason)) for reason in exc.fields.values()) or exc.message)
    else:
        messages.success(request, {"keep": _("Promise marked kept."), "withdraw": _("Promise withdrawn."),
                                   "break": _("Promise marked broken; the follow-up is raised.")}[action])
    return _back(request, commitment)


@login_required
@domain_errors_as_http
def commitment_list(request):
    """The promises the user may read: all, those they made, or the broken ones they must follow up."""
    form = CommitmentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "all"
    filters = commitment_selectors.CommitmentFilter(
        statuses=(data["status"],) if data.get("status") else (), kind=data.get("kind") or "",
        owner_id=request.user.pk if view == "mine" else None,
        follow_up_to_id=request.user.pk if view == "follow_up" else None)
    qs = commitment_selectors.commitment_search(user=request.user, filters=filters)
    page, base_query = list_page(request, qs, per_page=PAGE_SIZE, number=data.get("page") or 1)
    return render(request, "servicedesk/commitment_list.html", {
        "form": form, "page": page, "rows": _rows(request.user, page.rows, timezone.now()), "view": view,
        "base_query": base_query, "can_report": permissions.can(request.user, "report", "read"),
    })


def _period(form: KeptReportForm) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    until = data.get("until") or today
    since = data.get("since") or until - dt.timedelta(days=REPORT_DAYS - 1)
    if since > until or since.year < 1900 or until.year > 2999:
        since, until = today - dt.timedelta(days=REPORT_DAYS - 1), today
    return since, until


@login_required
def commitment_report(request):
    """Promises kept (承诺兑现率) per team and kind over a period of due dates, with a chart."""
    if not permissions.can(request.user, "report", "read"):
        raise DjangoPermissionDenied(_("Reports are for managers, team leads and analysts."))
    form = KeptReportForm(request.GET or None)
    since, until = _period(form)
    zone = timezone.get_current_timezone()
    rows = commitment_selectors.commitment_kept_report(
        since=dt.datetime.combine(since, dt.time(), tzinfo=zone),
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=zone))
    kinds = dict(Commitment.Kind.choices)
    no_team = _("No team")
    teams = sorted({r.team or no_team for r in rows})
    used_kinds = [k for k in Commitment.Kind.values if any(r.kind == k for r in rows)]
    rate = {(r.team or no_team, r.kind): round(r.rate * 100, 1) for r in rows}
    chart = {"categories": teams,
             "series": [{"name": str(kinds[k]), "data": [rate.get((t, k)) for t in teams]} for k in used_kinds]}
    table = [{"team": r.team or no_team, "kind": kinds.get(r.kind, r.kind), "due": r.due, "kept": r.kept,
              "broken": r.broken, "rate": round(r.rate * 100, 1)} for r in rows]
    total_due, total_kept = sum(r.due for r in rows), sum(r.kept for r in rows)
    return render(request, "servicedesk/commitment_report.html", {
        "form": KeptReportForm(initial={"since": since, "until": until}), "since": since, "until": until,
        "chart": chart, "rows": table, "total_due": total_due, "total_kept": total_kept,
        "total_rate": round(total_kept / total_due * 100, 1) if total_due else None,
    })
