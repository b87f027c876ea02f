"""The public lead form (/l/<slug>/): no sign-in, a phone-sized page, CSRF-protected like every
form of the product; spam and floods are refused (`spam.py`) with a clear message, then the lead is
captured by the system through the services."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import add_service_errors

from .. import spam
from ..forms.leads import PublicLeadForm
from ..models import WebForm
from ..services.campaigns import opt_out_from_link
from ..services.leads import lead_submit_web_form

PROBLEMS = {
    "invalid": gettext_lazy("The form has expired or was not sent from this page. Please fill it in again."),
    "expired": gettext_lazy("The form has expired or was not sent from this page. Please fill it in again."),
    "too_fast": gettext_lazy("That was very fast. Please check your details and send the form again."),
}


def _form_or_404(slug: str) -> WebForm:
    form = WebForm.objects.filter(slug=slug, is_active=True).select_related("owner").first()
    if form is None:
        raise Http404(_("This form does not exist or no longer accepts answers."))
    return form


def _fresh(slug: str, data=None) -> PublicLeadForm:
    form = PublicLeadForm(data)
    form.fields["token"].initial = spam.form_token(slug)
    return form


@never_cache
def public_form(request, slug: str):
    web_form = _form_or_404(slug)
    status, problem = 200, None
    if request.method == "POST":
        form = PublicLeadForm(request.POST)
        if spam.rate_limited(request.META.get("REMOTE_ADDR", "")):
            return render(request, "marketing/public_form.html", {
                "web_form": web_form, "form": _fresh(slug), "problem": _(
                    "Too many submissions from your network. Please try again in ten minutes.")}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            problem = spam.token_problem(data["token"], slug)
            if data["website"]:  # the honeypot: answered as a success, stored as nothing
                return redirect("marketing_public:thanks", slug=slug)
            if problem is None:
                fields = {k: data[k] for k in ("person_name", "mobile", "email", "company_name", "city", "interest")}
                try:
                    lead_submit_web_form(form=web_form, data=fields)
                except ValidationFailed as exc:
                    add_service_errors(form, exc)
                else:
                    return redirect("marketing_public:thanks", slug=slug)
        status = 400
        problem = PROBLEMS.get(problem) if problem else None
        # A new token each time the form is shown again.
        form.data = form.data.copy()
        form.data["token"] = spam.form_token(slug)
    else:
        form = _fresh(slug)
    return render(request, "marketing/public_form.html", {"web_form": web_form, "form": form, "problem": problem},
                  status=status)


def public_thanks(request, slug: str):
    return render(request, "marketing/public_thanks.html", {"web_form": _form_or_404(slug)})


@never_cache
def unsubscribe(request, token: str):
    """The unsubscribe link of a campaign e-mail (退订): GET asks, POST opts the customer out of e-mail."""
    done = error = False
    if request.method == "POST":
        try:
            opt_out_from_link(token=token)
            done = True
        except ValidationFailed:
            error = True
    return render(request, "marketing/public_unsubscribe.html", {"done": done, "error": error},
                  status=400 if error else 200)
