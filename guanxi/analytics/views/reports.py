"""Scheduled reports page (定期报表): a manager's subscriptions (report and its source, cadence,
recipients, last periods sent with whom they were not sent to and why, why a subscription stopped),
a form to add one, deleting one, sending the last period now; the reports one received (every
staff member: their own XLSX and PDF copies) and one such file, served only to its recipient."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import add_service_errors, domain_errors_as_http

from ..models import ReportSubscription
from ..reports import selectors, services


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportSubscription.Kind.choices)
    explorer_view = forms.TypedChoiceField(label=gettext_lazy("Saved explorer view"), required=False, coerce=int,
                                           empty_value=None, help_text=gettext_lazy("For a saved explorer view"))
    analysis = forms.TypedChoiceField(label=gettext_lazy("Data-mining analysis"), required=False, coerce=int,
                                      empty_value=None, help_text=gettext_lazy("For a data-mining analysis"))
    cadence = forms.ChoiceField(label=gettext_lazy("Cadence"), choices=ReportSubscription.Cadence.choices)
    recipients = forms.ModelMultipleChoiceField(label=gettext_lazy("Recipients"), queryset=None,
                                                widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = selectors.report_recipient_choices()
        sources = selectors.report_source_choices(user=user)
        self.fields["explorer_view"].choices = [("", "—")] + [(v.pk, v.name) for v in sources["views"]]
        self.fields["analysis"].choices = [("", "—")] + [(a.pk, a.name) for a in sources["analyses"]]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          or isinstance(field.widget, forms.SelectMultiple) else "form-control")


@login_required
@domain_errors_as_http
def report_list(request):
    subscriptions = selectors.report_subscription_list(user=request.user)
    form = SubscriptionForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_subscription_create(
                    actor=request.user, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"],
                    cadence=form.cleaned_data["cadence"], recipient_ids=[u.pk for u in form.cleaned_data["recipients"]],
                    explorer_view_id=form.cleaned_data["explorer_view"], analysis_id=form.cleaned_data["analysis"])
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Scheduled report saved."))
                return redirect("analytics:reports")
        status = 400
    rows = [{"subscription": s, "deliveries": list(s.deliveries.order_by("-period_start")
                                                   .values("id", "period_start", "period_end", "created_at",
                                                           "recipients", "skipped")[:5])}
            for s in subscriptions[:100]]
    return render(request, "analytics/report_list.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_POST
@domain_errors_as_http
def report_delete(request, subscription_id: int):
    subscription = selectors.report_subscription_get_for_user(user=request.user, subscription_id=subscription_id)
    services.report_subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("Scheduled report deleted."))
    return redirect("analytics:reports")


@login_required
@require_POST
@domain_errors_as_http
def report_send_now(request, subscription_id: int):
    """Send the last complete period now, unless it was sent already (then nothing is sent again)."""
    subscription = selectors.report_subscription_get_for_user(user=request.user, subscription_id=subscription_id)
    try:
        delivery = services.report_send(actor=request.user, subscription_id=subscription.pk,
                                        today=timezone.localdate())
    except Conflict as exc:  # stopped: said on the page, with the reason
        messages.error(request, exc.message)
        return redirect("analytics:reports")
    subscription.refresh_from_db(fields=["is_active", "stopped_reason"])
    if not subscription.is_active:
        messages.error(request, _("This scheduled report is stopped: %(reason)s") % {
            "reason": subscription.stopped_reason})
    elif delivery is None:
        messages.info(request, _("This period was sent already."))
    else:
        messages.success(request, _("Report sent to %(count)s recipients.") % {"count": len(delivery.recipients)})
    return redirect("analytics:reports")


@login_required
@domain_errors_as_http
def report_delivery_pdf(request, delivery_id: int):
    """The PDF of a sent report as it was rendered for the signed-in recipient (the e-mail's link)."""
    return _file_response(selectors.report_delivery_pdf_for_user(user=request.user, delivery_id=delivery_id))


@login_required
@domain_errors_as_http
def report_received(request):
    """The reports sent to the signed-in user: their own copies (the SMS's link leads here)."""
    files = list(selectors.report_file_list(user=request.user)[:200])
    return render(request, "analytics/report_received.html", {"files": files})


@login_required
@domain_errors_as_http
def report_file(request, file_id: int):
    return _file_response(selectors.report_file_get_for_user(user=request.user, file_id=file_id))


def _file_response(found) -> HttpResponse:
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    disposition = "inline" if found.content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(found.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
