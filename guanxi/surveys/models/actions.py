from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import CLOSED_ACTION_STATUSES, ActionStatus, Dimension


class ImprovementAction(TimeStampedModel):
    """An improvement action (改进措施) on one dimension of satisfaction, owned and tracked to closure;
    its effect is the dimension's mean score after it started against before."""

    title = models.CharField(_("title"), max_length=200)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="improvement_actions")
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    closure = models.TextField(_("closure"), blank=True, help_text=_("what was done, or why it was dropped"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"], name="survey_action_status_due")]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ACTION_STATUSES
