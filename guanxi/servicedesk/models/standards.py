from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import CustomerTier, Metric, Priority, TicketType
from .calendars import BusinessCalendar


class ServiceStandard(TimeStampedModel):
    """A service standard (服务指标): a time limit for one metric, for the cases it matches.

    Empty criteria match everything; when several standards of a metric match a case, the most
    specific one (most criteria set) applies.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    ticket_type = models.CharField(_("case type"), max_length=20, choices=TicketType.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, null=True, blank=True)
    customer_tier = models.CharField(_("customer tier"), max_length=10, choices=CustomerTier.choices, blank=True)
    target_minutes = models.PositiveIntegerField(_("target (working minutes)"))
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT)
    warning_percent = models.PositiveSmallIntegerField(_("warn at (% of target)"), default=80)
    breach_actions = models.JSONField(_("actions at breach"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        ordering = ["metric", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(target_minutes__gt=0), name="standard_target_positive"),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99), name="standard_warning_percent"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.target_minutes} min)"

    @property
    def specificity(self) -> int:
        return sum(bool(x) for x in (self.ticket_type, self.priority, self.customer_tier))

    def matches(self, *, ticket_type: str, priority: int, customer_tier: str) -> bool:
        return (
            (not self.ticket_type or self.ticket_type == ticket_type)
            and (not self.priority or self.priority == priority)
            and (not self.customer_tier or self.customer_tier == customer_tier)
        )
