"""Customer import pages: upload → map the columns (with a preview) → validate (the dry run, with
its per-row report and duplicate check) → commit. Validation and commit run as tasks; the job
page polls their progress with htmx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.views import domain_errors_as_http

from ..forms.imports import ImportMappingForm, ImportUploadForm
from ..importing.files import FIELDS, ImportFileError, max_bytes, upload_too_large, xlsx_sheet_names
from ..importing.rows import field_label
from ..models import ImportJob
from ..selectors import imports as selectors
from ..services.imports import (
    import_job_create,
    import_job_current,
    import_job_preview,
    import_job_request,
    import_job_set_mapping,
    import_jobs_fail_interrupted,
)
from ..validation import message_text

SHOWN_ROWS = 200


def _too_large_message() -> str:
    return _("The file is larger than %(mb)s MB, the most that can be imported.") % {
        "mb": f"{max_bytes() / 1024 / 1024:g}"}


@login_required
@domain_errors_as_http
@require_GET
def import_list(request):
    selectors.require_import_right(request.user)
    return _list_page(request, ImportUploadForm())


@csrf_exempt  # checked by _upload once the size limit is in place (the check reads the body)
@require_POST
def import_upload(request):
    if upload_too_large(request):
        # Refused before the body is read; nothing is stored or changed, so no CSRF check is needed.
        return HttpResponse(_too_large_message(), status=413, content_type="text/plain; charset=utf-8")
    return _upload(request)


def _list_page(request, form, *, status=200, upload_error=""):
    import_jobs_fail_interrupted()
    return render(request, "customers/import_list.html", {
        "form": form, "jobs": list(selectors.import_job_list(user=request.user)[:50]),
        "sources": selectors.import_sources(), "max_mb": f"{max_bytes() / 1024 / 1024:g}",
        "upload_error": upload_error}, status=status)


@csrf_protect
@login_required
@domain_errors_as_http
def _upload(request):
    selectors.require_import_right(request.user)
    form = ImportUploadForm(request.POST, request.FILES)
    if getattr(request, "import_too_large", False):
        # The upload stopped at the limit (no Content-Length was declared, or it was not true).
        return _list_page(request, ImportUploadForm(), status=413, upload_error=_too_large_message())
    if form.is_valid():
        try:
            job = import_job_create(
                actor=request.user, upload=form.cleaned_data["file"], source=form.cleaned_data["source"],
                encoding=form.cleaned_data.get("encoding") or "auto", dry_run=True,
                language=getattr(request, "LANGUAGE_CODE", ""))
        except ImportFileError as exc:
            form.add_error("file", _file_error(exc))
        else:
            return redirect("customers:import_mapping", job_id=job.pk)
    return _list_page(request, form, status=400)


def _file_error(exc: ImportFileError) -> str:
    """The reason a file cannot be used, in the user's language."""
    return _too_large_message() if exc.code == "file_too_large" else exc.translated()


@login_required
@domain_errors_as_http
@require_http_methods(["GET", "POST"])
def import_mapping(request, job_id: int):
    """Choose which column fills which field; preview the first rows as mapped; validate."""
    selectors.require_import_right(request.user)
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATED, ImportJob.Status.FAILED) \
            or not job.file:
        return redirect("customers:import_job", job_id=job.pk)
    sheets = xlsx_sheet_names(job.file.path) if job.file_format == "xlsx" else []
    form = ImportMappingForm(request.POST or None, headers=job.headers, sheets=sheets,
                             initial={"source": job.source, "sheet": job.sheet,
                                      **ImportMappingForm.initial_for(job.headers, job.mapping)})
    preview = None
    if request.method == "POST" and "sheet" in request.POST and request.POST["sheet"] != job.sheet:
        # Another sheet has other columns: read its header, then map again.
        try:
            job = import_job_set_mapping(actor=request.user, job=job, mapping=None, sheet=request.POST["sheet"],
                                         source=request.POST.get("source", job.source))
        except (ImportFileError, Conflict) as exc:
            messages.error(request, exc.message)
        return redirect("customers:import_mapping", job_id=job.pk)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        try:
            if "preview" in request.POST:
                job.mapping = {c: f for c, f in mapping.items() if f}
                preview = _preview(job)
            else:
                job = import_job_set_mapping(actor=request.user, job=job, mapping=mapping,
                                             source=form.cleaned_data["source"])
                import_job_request(actor=request.user, job=job, action="validate")
                return redirect("customers:import_job", job_id=job.pk)
        except (ImportFileError, ValidationFailed, Conflict) as exc:
            form.add_error(None, _file_error(exc) if isinstance(exc, ImportFileError) else exc.message)
    preview_fields = [(name, label) for name, (label, _a) in FIELDS.items()
                      if preview is not None and name in job.mapping.values()]
    for row in preview or []:
        row["cells"] = [row["values"].get(name, "") for name, _label in preview_fields]
    return render(request, "customers/import_mapping.html", {
        "job": job, "form": form, "preview": preview, "sources": selectors.import_sources(),
        "preview_fields": preview_fields,
    })


def _preview(job: ImportJob) -> list[dict]:
    rows = import_job_preview(job=job, limit=10)
    for row in rows:
        for error in row["errors"]:
            error["label"] = field_label(error["field"])
    return rows


def _job_context(request, job: ImportJob) -> dict:
    progress = selectors.import_job_progress(job=job)
    errors = [{**e, "label": field_label(e["field"]), "text": message_text(e["code"], e["params"], translate=True)}
              for e in job.errors[:SHOWN_ROWS]]
    duplicates = [{**d, "label": field_label(d["field"]),
                   "text": message_text(d.get("reason", ""), d.get("params"), translate=True)}
                  for d in selectors.import_job_duplicates(user=request.user, job=job)[:SHOWN_ROWS]]
    return {"job": job, "progress": progress, "errors": errors, "duplicates": duplicates,
            "more_errors": max(0, job.error_count - len({e["row"] for e in errors})),
            "can_commit": job.can_commit and selectors.can_import(request.user),
            "can_remap": job.status in (ImportJob.Status.VALIDATED, ImportJob.Status.FAILED) and bool(job.file)}


@login_required
@domain_errors_as_http
@require_GET
def import_job(request, job_id: int):
    job = import_job_current(selectors.import_job_get_for_user(user=request.user, job_id=job_id))
    return render(request, "customers/import_job.html", _job_context(request, job))


@login_required
@domain_errors_as_http
@require_GET
def import_job_status(request, job_id: int):
    """The progress bar (htmx polls it while the job runs); when the job ends, the page reloads."""
    job = import_job_current(selectors.import_job_get_for_user(user=request.user, job_id=job_id))
    progress = selectors.import_job_progress(job=job)
    response = render(request, "customers/partials/_import_progress.html", {"job": job, "progress": progress})
    if not progress["is_running"] and request.GET.get("running"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@domain_errors_as_http
@require_POST
def import_commit(request, job_id: int):
    selectors.require_import_right(request.user)
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    try:
        import_job_request(actor=request.user, job=job, action="commit")
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("customers:import_job", job_id=job.pk)


@login_required
@domain_errors_as_http
@require_GET
def import_report(request, job_id: int):
    """The job's CSV report (every row error and duplicate finding), to those who may see the job."""
    job = selectors.import_job_get_for_user(user=request.user, job_id=job_id)
    if not job.report:
        return HttpResponse(status=404)
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=f"import-{job.pk}-report.csv",
                        content_type="text/csv; charset=utf-8")
