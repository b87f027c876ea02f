"""The warehouse's bookkeeping in the operational database: the change log that the capture
triggers fill, and one row per refresh (its status for the UI, its watermark for the next run)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseChange(models.Model):
    """A row of a source table was inserted, changed or deleted (written by database triggers, see
    migration 0001): the next incremental refresh re-reads it. Trimmed by every refresh."""

    id = models.BigAutoField(primary_key=True)
    source = models.CharField(max_length=63)
    row_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["source", "id"], name="analytics_change_source")]

    def __str__(self) -> str:
        return f"{self.source}#{self.row_id}"


class WarehouseRefresh(models.Model):
    """One refresh of the star schema (数据仓库刷新): full rebuild or incremental."""

    class Mode(models.TextChoices):
        FULL = "full", _("Full rebuild")
        INCREMENTAL = "incremental", _("Incremental")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Changes up to this id are in the warehouse once the refresh is done.
    watermark = models.BigIntegerField(default=0)
    rows = models.JSONField(default=dict, help_text="rows in each table's files")
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("warehouse refresh")
        verbose_name_plural = _("warehouse refreshes")
        indexes = [models.Index(fields=["status", "-id"], name="analytics_refresh_status")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} #{self.pk}"
