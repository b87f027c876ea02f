"""Duplicate-customer detection (一客一档): scans, the candidate pairs they find, trained models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .customers import Customer


def _default_review_threshold() -> float:
    return float(getattr(settings, "DEDUPE_REVIEW_THRESHOLD", 0.8))


class DedupeScan(models.Model):
    """One run of the probabilistic record linkage over all customers (查重扫描)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("records scanned"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    candidates_found = models.PositiveIntegerField(_("candidates found"), default=0)
    auto_merged = models.PositiveIntegerField(_("merged automatically"), default=0)
    threshold = models.FloatField(_("review threshold"), default=_default_review_threshold)
    auto_merge_threshold = models.FloatField(_("auto-merge threshold"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="dedupescan_progress_max_100"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class MatchCandidate(models.Model):
    """A pair of customers the linkage thinks may be the same person (重复客户候选).

    `left_id < right_id` always, so a pair is stored once; a re-scan updates a pending pair
    and leaves a decided (merged/dismissed) pair as it was decided.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        MERGED = "merged", _("merged")
        DISMISSED = "dismissed", _("dismissed")

    scan = models.ForeignKey(
        DedupeScan, verbose_name=_("scan"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="candidates",
    )
    # The unique (left, right) constraint is the index on left.
    left = models.ForeignKey(Customer, verbose_name=_("customer A"), on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    right = models.ForeignKey(Customer, verbose_name=_("customer B"), on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    match_weight = models.FloatField(_("match weight"))
    # [{"field": "mobile", "label": "手机号相同", "level": "exact", "weight": 6.1}, ...]
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-probability", "id"]
        indexes = [
            models.Index(fields=["status", "-probability"], name="matchcandidate_status_prob"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")), name="matchcandidate_left_lt_right"),
            models.UniqueConstraint(fields=["left", "right"], name="matchcandidate_pair_unique"),
        ]

    def __str__(self):
        return f"{self.left_id}~{self.right_id} ({self.probability:.2f})"


class DedupeModel(models.Model):
    """A trained linkage model (splink settings with m/u probabilities) kept for scoring new customers."""

    scan = models.ForeignKey(
        DedupeScan, verbose_name=_("scan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    settings = models.JSONField(_("model settings"))
    records = models.PositiveIntegerField(_("records trained on"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("duplicate model")
        verbose_name_plural = _("duplicate models")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M}"
