"""The model page for analysts (hit rates against the popularity baseline, training history, train
button) and the offer feedback an agent records from the 360 or the case page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import domain_errors_as_http
from guanxi.customers.offers import customer_offers
from guanxi.customers.selectors import customer_get_for_user

from . import permissions, selectors, services
from .charts import ALGORITHM_LABELS, chart_data

HISTORY = 20


@login_required
@domain_errors_as_http
@require_GET
def model_page(request):
    if not permissions.can(request.user, "model", "read"):
        raise DjangoPermissionDenied(_("Your role cannot see the offer models."))
    active = selectors.model_active()
    return render(request, "offers/model_page.html", {
        "active": active, "models": list(selectors.model_list(user=request.user)[:HISTORY]),
        "chart": chart_data(active.metrics) if active else None, "algorithm_labels": ALGORITHM_LABELS,
        "running": selectors.model_running(), "failed": selectors.model_last_failed(),
        "can_train": permissions.can(request.user, "model", "write"),
    })


@login_required
@domain_errors_as_http
@require_POST
def model_train(request):
    if not permissions.can(request.user, "model", "write"):
        raise DjangoPermissionDenied(_("Your role cannot train the offer model."))
    model = services.offer_model_train_start(actor=request.user)
    if model is not None:
        messages.success(request, _("Offer model v%(version)s trained.") % {"version": model.version})
    else:
        messages.info(request, _("The training has started; the new model is used when it is done."))
    return redirect("offers:models")


@login_required
@domain_errors_as_http
@require_POST
def offer_feedback(request, customer_id: int):
    """Record what became of an offer; the htmx answer is the customer's offers card again."""
    customer = customer_get_for_user(user=request.user, customer_id=customer_id)
    try:
        services.offer_feedback_record(actor=request.user, customer=customer,
                                       product=request.POST.get("product", "")[:200],
                                       outcome=request.POST.get("outcome", ""))
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    if not request.htmx:
        messages.success(request, _("Recorded."))
        return redirect(reverse("customers:detail", args=[customer.pk]) + "#offers")
    return render(request, "customers/partials/_offers.html", {
        "offers": customer_offers(customer=customer, user=request.user), "offer_recorded": True})
