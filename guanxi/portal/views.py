"""Portal pages: thin views over the portal's selectors and services, behind the portal's own session."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import domain_errors_as_http
from guanxi.customers.enums import HoldingStatus
from guanxi.servicedesk.enums import TicketType
from guanxi.surveys.selectors import surveys_open_for_customer
from guanxi.surveys.services.surveys import survey_link, survey_token

from . import selectors, services
from .errors import LoginFailed
from .forms import CodeLoginForm, CodeRequestForm, PasswordLoginForm, PasswordSetForm, ReplyForm, TicketOpenForm
from .session import (
    portal_login_required,
    portal_session_account,
    portal_session_end,
    portal_session_refresh,
    portal_session_start,
)

# How a case's status reads to the customer.
STATUS_LABELS = {
    "new": gettext_lazy("Received"),
    "open": gettext_lazy("In progress"),
    "pending_customer": gettext_lazy("Waiting for your reply"),
    "pending_third_party": gettext_lazy("In progress"),
    "resolved": gettext_lazy("Resolved"),
    "closed": gettext_lazy("Closed"),
    "merged": gettext_lazy("Merged into another case"),
}
CODE_SENT = gettext_lazy("If this mobile number or e-mail address is registered for the portal, a sign-in code "
                         "is on its way. It is valid for 10 minutes.")


def _row(ticket) -> dict:
    return {
        "id": ticket.pk, "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
        "status_label": STATUS_LABELS.get(ticket.status, ticket.status),
        "type_label": TicketType(ticket.type).label if ticket.type in TicketType.values else ticket.type,
        "created_at": ticket.created_at, "updated_at": ticket.updated_at, "is_open": ticket.is_open,
        "agent_name": selectors.staff_display_name(ticket.owner),
    }


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/portal/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# ---------------------------------------------------------------- sign-in


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if portal_session_account(request) is not None:
        return redirect(_safe_next(request, reverse("portal:home")))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    tab = "code" if action in ("request_code", "code") or request.GET.get("tab") == "code" else "password"
    password_form = PasswordLoginForm(request.POST if action == "password" else None, prefix="pw")
    request_form = CodeRequestForm(request.POST if action == "request_code" else None, prefix="req")
    code_form = CodeLoginForm(request.POST if action == "code" else None, prefix="otc")
    code_sent = False
    account = None

    if action == "password" and password_form.is_valid():
        try:
            account = services.portal_login_with_password(login=password_form.cleaned_data["login"],
                                                          password=password_form.cleaned_data["password"])
        except LoginFailed as exc:
            password_form.add_error(None, exc.message)
    elif action == "request_code" and request_form.is_valid():
        login = request_form.cleaned_data["login"]
        services.portal_code_request(login=login)  # the same answer whether or not the login exists
        code_sent = True
        code_form = CodeLoginForm(initial={"login": login}, prefix="otc")
    elif action == "code" and code_form.is_valid():
        try:
            account = services.portal_login_with_code(login=code_form.cleaned_data["login"],
                                                      code=code_form.cleaned_data["code"].strip())
        except LoginFailed as exc:
            code_form.add_error(None, exc.message)
            code_sent = True

    if account is not None:
        portal_session_start(request, account)
        return redirect(_safe_next(request, reverse("portal:home")))
    return render(request, "portal/login.html", {
        "tab": tab, "password_form": password_form, "request_form": request_form, "code_form": code_form,
        "code_sent": code_sent, "code_sent_text": CODE_SENT, "next": _safe_next(request, ""),
    })


@require_POST
def logout_view(request):
    portal_session_end(request)
    messages.info(request, _("You have signed out."))
    return redirect("portal:login")


# ---------------------------------------------------------------- pages


@portal_login_required
def home(request):
    customer = request.portal_customer
    warranty = selectors.portal_warranty_list(customer=customer)
    return render(request, "portal/home.html", {
        "nav": "home", "customer_name": customer.name,
        "open_cases": [_row(t) for t in selectors.portal_ticket_list(customer=customer, open_only=True)[:5]],
        "counts": selectors.portal_ticket_counts(customer=customer),
        "warranty": selectors.portal_warranty_summary(rows=warranty),
        "holding_count": selectors.portal_active_holding_count(customer=customer),
        "has_password": request.portal_account.has_password,
        "surveys": [{"title": s.version.title_zh, "case": s.ticket.number if s.ticket_id else "",
                     "url": survey_link(survey_token(s))} for s in surveys_open_for_customer(customer=customer)[:5]],
    })


@portal_login_required
def ticket_list(request):
    show = "all" if request.GET.get("show") == "all" else "open"
    qs = selectors.portal_ticket_list(customer=request.portal_customer, open_only=show == "open")
    return render(request, "portal/ticket_list.html",
                  {"nav": "cases", "show": show, "rows": [_row(t) for t in qs[:200]]})


@portal_login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request):
    form = TicketOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.portal_ticket_open(actor=request.portal_actor, account=request.portal_account,
                                                 **form.cleaned_data)
        except ValidationFailed as exc:
            for field, reason in exc.fields.items():
                form.add_error(field if field in form.fields else None, reason)
        else:
            messages.success(request, _("Thank you. Your case %(number)s has been received.") % {
                "number": ticket.number})
            return redirect("portal:ticket_detail", ticket_id=ticket.pk)
    return render(request, "portal/ticket_form.html", {"nav": "new", "form": form})


def _render_detail(request, ticket, reply_form=None):
    can_reply = ticket.status not in ("closed", "merged")
    return render(request, "portal/ticket_detail.html", {
        "nav": "cases", "t": _row(ticket), "description": ticket.description,
        "conversation": selectors.portal_ticket_messages(ticket=ticket),
        "reply_form": (reply_form or ReplyForm()) if can_reply else None,
    })


@portal_login_required
@domain_errors_as_http
def ticket_detail(request, ticket_id: int):
    ticket = selectors.portal_ticket_get(customer=request.portal_customer, ticket_id=ticket_id)
    return _render_detail(request, ticket)


@portal_login_required
@domain_errors_as_http
@require_POST
def ticket_reply(request, ticket_id: int):
    # Scoped before anything else: another customer's case is a 404 whatever the form holds.
    ticket = selectors.portal_ticket_get(customer=request.portal_customer, ticket_id=ticket_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ticket, form)
    try:
        services.portal_ticket_reply(actor=request.portal_actor, account=request.portal_account, ticket_id=ticket_id,
                                     body=form.cleaned_data["body"])
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationFailed:
        messages.error(request, _("The message could not be sent. Please check it and try again."))
    else:
        messages.success(request, _("Your message has been sent."))
    return redirect("portal:ticket_detail", ticket_id=ticket_id)


@portal_login_required
def warranty(request):
    return render(request, "portal/warranty.html",
                  {"nav": "warranty", "units": selectors.portal_warranty_list(customer=request.portal_customer)})


@portal_login_required
def products(request):
    labels = dict(HoldingStatus.choices)
    rows = [{"product": h.product, "category": h.category, "started_on": h.started_on, "monthly_fee": h.monthly_fee,
             "status": h.status, "status_label": labels.get(h.status, h.status)}
            for h in selectors.portal_holding_list(customer=request.portal_customer)]
    return render(request, "portal/products.html", {"nav": "products", "rows": rows})


@portal_login_required
@require_http_methods(["GET", "POST"])
def password(request):
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.portal_password_set(actor=request.portal_actor, account=request.portal_account,
                                                   password=form.cleaned_data["password"])
        except ValidationFailed as exc:
            form.add_error("password", exc.fields.get("password") or exc.message)
        else:
            portal_session_refresh(request, account)
            messages.success(request, _("Your password has been saved."))
            return redirect("portal:home")
    return render(request, "portal/password.html", {"nav": "password", "form": form})
