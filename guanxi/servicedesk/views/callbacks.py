"""The callback worklist (回访) and recording a callback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import domain_errors_as_http, list_page

from ..forms.callbacks import CallbackRecordForm
from ..selectors import callbacks as callback_selectors
from ..selectors import tickets as ticket_selectors
from ..services import callbacks as callback_services
from .tickets import PAGE_SIZE, conflict_message


@login_required
@domain_errors_as_http
def callback_list(request):
    show_done = request.GET.get("done") == "1"
    qs = callback_selectors.callback_worklist(user=request.user, pending_only=not show_done)
    page, base_query = list_page(request, qs, per_page=PAGE_SIZE)
    now = timezone.now()
    rows = [{"callback": c, "is_mine": c.assignee_id == request.user.pk, "is_late": not c.done_at and c.due_at < now,
             "subject": ticket_selectors.case_text(c.ticket.subject, unmasked=ticket_selectors.case_text_unmasked(
                 user=request.user, ticket=c.ticket)),
             "form": CallbackRecordForm(prefix=f"cb{c.pk}") if not c.done_at else None} for c in page.rows]
    return render(request, "servicedesk/callback_list.html",
                  {"rows": rows, "page": page, "show_done": show_done, "base_query": base_query})


@login_required
@domain_errors_as_http
@require_POST
def callback_record(request, callback_id: int):
    callback = callback_selectors.callback_get_for_user(user=request.user, callback_id=callback_id)
    form = CallbackRecordForm(request.POST, prefix=f"cb{callback.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("servicedesk:callbacks")
    try:
        callback_services.callback_record(actor=request.user, callback=callback, outcome=form.cleaned_data["outcome"],
                                          note=form.cleaned_data.get("note") or "")
    except Conflict as exc:
        messages.error(request, conflict_message(exc))
    except ValidationFailed as exc:
        messages.error(request, " ".join(_(reason) for reason in exc.fields.values()) or exc.message)
    else:
        messages.success(request, _("Callback for %(number)s recorded.") % {"number": callback.ticket.number})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/service/")
                    else "servicedesk:callbacks")
