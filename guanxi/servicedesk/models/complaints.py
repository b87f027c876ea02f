from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import CallbackOutcome, ComplaintSeverity, ComplaintStage
from .tickets import Ticket


class Complaint(TimeStampedModel):
    """The complaint workflow (投诉处理) attached to a complaint case."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="complaint")
    stage = models.CharField(_("stage"), max_length=20, choices=ComplaintStage.choices,
                             default=ComplaintStage.RECEIVED)
    severity = models.CharField(_("severity"), max_length=10, choices=ComplaintSeverity.choices,
                                default=ComplaintSeverity.NORMAL)
    classification = models.CharField(_("classification"), max_length=100, blank=True)
    responsible_team = models.ForeignKey("accounts.Team", verbose_name=_("responsible department"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    repeat_count = models.PositiveIntegerField(
        _("earlier complaints"), default=0, help_text=_("complaints by the same customer in the previous 90 days"))
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["stage", "severity"], name="complaint_stage_severity")]

    def __str__(self):
        return f"{self.ticket.number} {self.get_stage_display()}"


class ComplaintStep(models.Model):
    """Who did what at each step of a complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=20, choices=ComplaintStage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_stage_display()} {self.at:%Y-%m-%d %H:%M}"


class Callback(TimeStampedModel):
    """A callback (回访) to the customer after a repair; a dissatisfied outcome reopens the case."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="callbacks")
    due_at = models.DateTimeField(_("due at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallbackOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_at"], name="callback_assignee_due")]

    def __str__(self):
        return f"{self.ticket.number} {self.due_at:%Y-%m-%d}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
