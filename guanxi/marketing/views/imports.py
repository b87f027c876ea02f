"""Lead import pages: 1. upload a file (recent imports listed), 2. the columns' fields, 3. the
validation report (progress while it runs, row errors, duplicates with leads and customers),
4. the commit — the customer import machinery with the leads' fields and rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import domain_errors_as_http
from guanxi.customers.services.imports import import_job_current, import_job_set_mapping, import_jobs_fail_interrupted
from guanxi.customers.validation import message_text

from .. import permissions
from ..forms.leads import LeadImportForm, LeadImportMappingForm
from ..selectors import imports as selectors
from ..services import imports as services

RECENT = 20
SHOWN_ROWS = 200


def _label(name: str) -> str:
    return str(services.LEAD_FIELDS[name][0]) if name in services.LEAD_FIELDS else _("row")


@login_required
@domain_errors_as_http
def lead_import(request):
    """Step 1: upload a CSV or XLSX file; the job checks it (in the background where there is a
    broker) and its page follows."""
    permissions.require(request.user, "import", "write")
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.lead_import_start(actor=request.user, upload=form.cleaned_data["file"],
                                             source=form.cleaned_data["source_detail"], check_mapping=True)
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("marketing:lead_import_job", lead_import_id=job.pk)
    import_jobs_fail_interrupted()
    jobs = list(selectors.lead_import_list(user=request.user)[:RECENT])
    return render(request, "marketing/lead_import.html", {"form": form, "jobs": jobs},
                  status=400 if form.errors else 200)


def _job_context(job) -> dict:
    errors = [{**e, "label": _label(e["field"]), "text": message_text(e["code"], e["params"], translate=True)}
              for e in job.errors[:SHOWN_ROWS]]
    duplicates = [{**d, "label": _label(d["field"]), "text": message_text(d["reason"], d["params"], translate=True)}
                  for d in job.duplicates[:SHOWN_ROWS]]
    editable = job.status in (job.Status.UPLOADED, job.Status.VALIDATED, job.Status.FAILED) and bool(job.file)
    return {"job": job, "progress": selectors.lead_import_progress(job=job), "errors": errors,
            "duplicates": duplicates, "more_errors": max(0, job.error_count - len({e["row"] for e in errors})),
            "status_url": reverse("marketing:lead_import_status", args=[job.pk]),
            "writing_label": _("Writing leads…"), "can_commit": job.can_commit,
            "mapping_form": LeadImportMappingForm(headers=job.headers, mapping=job.mapping,
                                                  fields=services.LEAD_FIELDS) if editable else None}


@login_required
@domain_errors_as_http
@require_GET
def lead_import_job(request, lead_import_id: int):
    job = import_job_current(selectors.lead_import_get_for_user(user=request.user, job_id=lead_import_id))
    return render(request, "marketing/lead_import_job.html", _job_context(job))


@login_required
@domain_errors_as_http
@require_GET
def lead_import_status(request, lead_import_id: int):
    """The progress bar (htmx polls it while the job runs); when the job ends, the page reloads."""
    job = import_job_current(selectors.lead_import_get_for_user(user=request.user, job_id=lead_import_id))
    context = {"job": job, "progress": selectors.lead_import_progress(job=job),
               "status_url": reverse("marketing:lead_import_status", args=[job.pk]),
               "writing_label": _("Writing leads…")}
    response = render(request, "customers/partials/_import_progress.html", context)
    if not context["progress"]["is_running"] and request.GET.get("running"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@domain_errors_as_http
@require_POST
def lead_import_mapping(request, lead_import_id: int):
    """Step 2: change the columns' fields, then check the file again."""
    job = selectors.lead_import_get_for_user(user=request.user, job_id=lead_import_id)
    form = LeadImportMappingForm(request.POST, headers=job.headers, mapping=job.mapping,
                                 fields=services.LEAD_FIELDS)
    if form.is_valid():
        try:
            job = import_job_set_mapping(actor=request.user, job=job, mapping=form.mapping())
            services.lead_import_validate(actor=request.user, job=job)
        except (ValidationFailed, Conflict) as exc:
            messages.error(request, exc.message)
    return redirect("marketing:lead_import_job", lead_import_id=job.pk)


@login_required
@domain_errors_as_http
@require_POST
def lead_import_commit(request, lead_import_id: int):
    """Step 4: write every row (or none)."""
    job = selectors.lead_import_get_for_user(user=request.user, job_id=lead_import_id)
    try:
        services.lead_import_commit(actor=request.user, job=job)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("marketing:lead_import_job", lead_import_id=job.pk)


@login_required
@domain_errors_as_http
@require_GET
def lead_import_report(request, lead_import_id: int):
    """Every row error and duplicate finding as CSV, to those who may see the job."""
    job = selectors.lead_import_get_for_user(user=request.user, job_id=lead_import_id)
    if not job.report:
        raise Http404
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=f"lead-import-{job.pk}-report.csv",
                        content_type="text/csv; charset=utf-8")
