"""Customer imports from outside systems (POS, ordering, EDI, call center): remembered column
mappings per source and one record per import run (导入任务), which is also the run's audit record."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel


def _private_name(folder: str, filename: str) -> str:
    # A random name: files are only ever served through scoped views (like case attachments),
    # and even where media is exposed the address cannot be guessed.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"imports/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def import_upload_to(instance, filename: str) -> str:
    return _private_name("files", filename)


def import_report_to(instance, filename: str) -> str:
    return _private_name("reports", filename)


class ImportMapping(TimeStampedModel):
    """The remembered column mapping of one outside source (导入字段映射), e.g. "POS 门店系统":
    file column → customer field, prefilled the next time a file from that source arrives."""

    source = models.CharField(_("source"), max_length=100, unique=True)
    mapping = models.JSONField(_("column mapping"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["source"]

    def __str__(self):
        return self.source


class ImportJob(TimeStampedModel):
    """One import of a customer file (客户导入任务): who, which file, how it was read and mapped,
    how far it got, what was wrong with it and what it created (`first_customer_id` to
    `last_customer_id`). Validation and commit run as tasks that update it as they go."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", pgettext_lazy("import status", "Uploaded")
        VALIDATING = "validating", pgettext_lazy("import status", "Validating")
        VALIDATED = "validated", pgettext_lazy("import status", "Validated")
        IMPORTING = "importing", pgettext_lazy("import status", "Importing")
        DONE = "done", pgettext_lazy("import status", "Done")
        FAILED = "failed", pgettext_lazy("import status", "Failed")

    class Runner(models.TextChoices):
        """Who runs the job's current step: a Celery task (delivered again if its worker dies) or a
        process nothing restarts (the command line), whose death leaves the job interrupted."""

        TASK = "task", pgettext_lazy("import runner", "Background task")
        PROCESS = "process", pgettext_lazy("import runner", "Command line")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    # What the rows become: customers, or a target another app registered (importing.targets).
    target = models.CharField(_("imported as"), max_length=20, default="customers", editable=False)
    source = models.CharField(_("source"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding detected"), max_length=20, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(_("columns in the file"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    runner = models.CharField(_("run by"), max_length=10, choices=Runner.choices, blank=True, editable=False)
    dry_run = models.BooleanField(_("dry run"), default=False,
                                  help_text=_("validate only; the import is committed separately"))
    language = models.CharField(max_length=10, blank=True)

    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("customers created"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    existing_match_count = models.PositiveIntegerField(_("rows matching existing customers"), default=0)
    file_duplicate_count = models.PositiveIntegerField(_("duplicate rows in the file"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    duplicates = models.JSONField(_("duplicate check"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    message_detail = models.JSONField(default=dict, blank=True, editable=False)  # template and parameters
    report = models.FileField(_("report"), upload_to=import_report_to, max_length=200, blank=True)
    work_dir = models.CharField(max_length=500, blank=True, editable=False)

    first_customer_id = models.BigIntegerField(null=True, blank=True)
    last_customer_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_user_created")]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)

    @property
    def can_commit(self) -> bool:
        return self.status == self.Status.VALIDATED and self.error_count == 0 and self.total_rows > 0

    @property
    def can_validate(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATED, self.Status.FAILED) and bool(self.file)

    def message_text(self) -> str:
        """The failure reason in the active language (`message` is the English one)."""
        from django.utils.translation import gettext

        template, params = self.message_detail.get("template"), self.message_detail.get("params") or {}
        if not template:
            return self.message
        try:
            return gettext(template) % params if params else gettext(template)
        except (KeyError, TypeError, ValueError):
            return self.message
