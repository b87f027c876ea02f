"""The 转化 page of a lead: the opportunity's name, amount, close date and stage; the customer is the
one the lead matches or a new one (services/conversion)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http
from guanxi.marketing.selectors.leads import lead_get_for_user

from ..forms.conversion import LeadConvertForm
from ..services.conversion import lead_convert


@login_required
@domain_errors_as_http
def lead_convert_page(request, lead_id: int):
    lead = lead_get_for_user(user=request.user, lead_id=lead_id, action="write")
    form = LeadConvertForm(request.POST or None, initial={"name": (lead.interest or "")[:200],
                                                         "amount": lead.budget})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = lead_convert(actor=request.user, lead=lead, name=data["name"], amount=data["amount"],
                                  expected_close_date=data["expected_close_date"], stage=data.get("stage"))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Lead converted: customer %(customer)s and a new opportunity.")
                             % {"customer": result.customer.name})
            return redirect("sales:opportunity", result.opportunity.pk)
    return render(request, "sales/lead_convert.html", {"form": form, "lead": lead})
