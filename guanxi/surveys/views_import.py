"""The page for third-party survey results: upload, check (per-row report), import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.core.views import domain_errors_as_http
from guanxi.customers.importing.files import parse_mapping_text

from . import permissions
from .enums import VersionStatus
from .models import QuestionnaireVersion
from .services.imports import import_fields, survey_results_import
from .uploads import saved_upload


@login_required
@domain_errors_as_http
def results_import(request):
    permissions.require(
        request.user,
        "response",
        "write",
        allowed=permissions.scope(request.user, "response", "write") is permissions.ALL,
    )
    versions = list(
        QuestionnaireVersion.objects.exclude(status=VersionStatus.DRAFT)
        .select_related("questionnaire")
        .order_by("questionnaire__code", "-number")
    )
    context = {"versions": versions, "report": None, "error": "", "form": request.POST}
    if request.method == "POST":
        version = next((v for v in versions if str(v.pk) == request.POST.get("version")), None)
        upload = request.FILES.get("file")
        if version is None or upload is None:
            context["error"] = _("Choose a questionnaire version and a file.")
        else:
            context["fields"] = import_fields(version)
            try:
                mapping_text = request.POST.get("mapping", "")
                with saved_upload(upload) as path:
                    context["report"] = survey_results_import(
                        actor=request.user,
                        path=path,
                        version=version,
                        commit=request.POST.get("commit") == "yes",
                        mapping=parse_mapping_text(mapping_text) if mapping_text.strip() else None,
                    )
            except DomainError as exc:
                context["error"] = " ".join([exc.message, *(f"{k}: {v}" for k, v in exc.fields.items())])
            else:
                if context["report"].committed:
                    messages.success(
                        request, _("%(count)d responses imported.") % {"count": context["report"].imported}
                    )
    return render(request, "surveys/results_import.html", context)
