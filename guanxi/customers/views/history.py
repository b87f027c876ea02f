"""The history parts of the customer page (客户360视图): billing from the ledger, value tier, the
merged timeline (first page inline, older pages through htmx "load more"), next-best offers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import domain_errors_as_http, submit_inline_form

from ..facts import customer_facts
from ..forms.history import InteractionForm
from ..models import Customer
from ..offers import customer_offers
from ..selectors import customers as selectors
from ..selectors import history as selectors_history
from ..services.history import interaction_record
from ..timeline import TimelineCursor, TimelinePage, customer_timeline_page
from ..value import value_tier
from .inline import inline_form_fragment

PAGE_EVENTS = 50
TIMELINE_ICONS = {"interaction": "bi-chat-dots", "ticket_opened": "bi-headset", "ticket_resolved": "bi-check2-circle",
                  "clock_paused": "bi-pause-circle", "clock_breached": "bi-exclamation-triangle text-danger",
                  "callback": "bi-telephone-outbound", "warranty_decision": "bi-shield-check",
                  "order": "bi-bag", "bill": "bi-receipt", "payment": "bi-cash-coin text-success",
                  "refund": "bi-arrow-counterclockwise text-warning"}
VALUE_TIERS = {"vip": _("VIP"), "large": _("Large"), "medium": _("Medium"), "small": _("Small")}


def timeline_context(customer: Customer, page: TimelinePage) -> dict:
    return {
        "customer_id": customer.pk,
        "events": [{**vars(e), "icon": TIMELINE_ICONS.get(e.kind, "bi-dot")} for e in page.events],
        "next_cursor": page.next_cursor.encode() if page.next_cursor else "",
    }


def history_panels(user, customer: Customer, *, unmasked: bool) -> dict:
    """What the customer page shows of the history: a bounded number of queries whatever its length
    (timeline: one per source table that holds something of the customer, and one probe to tell
    which; billing: two; counts: two index-only scans)."""
    tier = value_tier(customer.arpu)
    page = customer_timeline_page(customer=customer, limit=PAGE_EVENTS, masked=not unmasked)
    return {
        "billing": selectors_history.billing_summary(customer=customer),
        "history_counts": selectors_history.history_counts(customer=customer),
        "value_tier": tier, "value_tier_display": VALUE_TIERS[tier],
        "offers": customer_offers(customer=customer, user=user),
        "facts": customer_facts(customer=customer, user=user),
        **timeline_context(customer, page),
    }


@login_required
@domain_errors_as_http
def customer_timeline_view(request, customer_id: int):
    """A page of the merged timeline (htmx fragment): the newest one, or the one after `cursor`."""
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, include_merged=True)
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    raw = request.GET.get("cursor", "")
    try:
        cursor = TimelineCursor.decode(raw[:200]) if raw else None
    except ValidationFailed as exc:
        return HttpResponseBadRequest(exc.message)
    page = customer_timeline_page(customer=customer, limit=PAGE_EVENTS, cursor=cursor, masked=not unmasked)
    template = "customers/partials/_timeline_items.html" if cursor else "customers/partials/_timeline.html"
    return render(request, template, timeline_context(customer, page))


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def add_interaction(request, customer_id: int):
    """Record a contact with the customer from its page (by the signed-in user, now); the htmx
    answer is the timeline section with the new contact on top. GET: the empty form, fetched when
    "Record a contact" is opened."""
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    if request.method == "GET":
        page = reverse("customers:detail", args=[customer.pk]) + "#timeline"
        return inline_form_fragment(request, InteractionForm(prefix="ia"), target="timeline-body", page=page,
                                    action=reverse("customers:add_interaction", args=[customer.pk]))
    form = submit_inline_form(request, InteractionForm(request.POST, prefix="ia"),
                              lambda **data: interaction_record(actor=request.user, customer=customer, **data),
                              _("Contact recorded."))
    if not request.htmx:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(reverse("customers:detail", args=[customer.pk]) + "#timeline")
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    page = customer_timeline_page(customer=customer, limit=PAGE_EVENTS, masked=not unmasked)
    return render(request, "customers/partials/_timeline_section.html",
                  {**timeline_context(customer, page), "interaction_form": form, "can_write": True})
