"""The screen pop (来电弹屏)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guanxi.customers import selectors as customer_selectors
from guanxi.customers.schemas import customer_row

from ..selectors import calls as call_selectors


@login_required
def call_pop(request):
    """The screen pop (来电弹屏): the agent's current call and its customer, polled by htmx."""
    call = call_selectors.call_pop_for_agent(user=request.user)
    customer = None
    if call is not None and call.customer_id:
        unmasked = customer_selectors.can_see_personal_data(user=request.user, customer=call.customer)
        customer = customer_row(call.customer, unmasked=unmasked)
    return render(request, "servicedesk/partials/_call_pop.html", {"call": call, "customer": customer})
