"""The complaint workflow's writes from the case page."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import NotFound
from guanxi.core.views import domain_errors_as_http

from ..enums import CallbackOutcome
from ..forms.complaints import ComplaintOpenForm, ComplaintReopenForm, ComplaintStepForm
from ..models import Ticket
from ..selectors import tickets as ticket_selectors
from ..services import complaints as complaint_services
from .tickets import case_write


def _complaint(ticket: Ticket):
    complaint = ticket_selectors.ticket_case_extras(ticket=ticket)["complaint"]
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

    return case_write(request, ticket_id, ComplaintOpenForm, "cpo", "complaint_open_form", act,
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

    return case_write(request, ticket_id, ComplaintStepForm, "cps", "complaint_step_form", act,
                  _("Complaint step recorded."), "complaint")


@login_required
@domain_errors_as_http
@require_POST
def complaint_reopen(request, ticket_id: int):
    def act(ticket, data):
        complaint_services.complaint_reopen(actor=request.user, complaint=_complaint(ticket), note=data["note"])

    return case_write(request, ticket_id, ComplaintReopenForm, "cpr", "complaint_reopen_form", act,
                  _("Complaint reopened."), "complaint")
