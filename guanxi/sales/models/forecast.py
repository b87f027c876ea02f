import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .opportunities import Opportunity


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


def period_bounds(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next period) of the month or quarter starting at `start`."""
    months = 1 if kind == Period.MONTH else 3
    month = start.month - 1 + months
    return start, dt.date(start.year + month // 12, month % 12 + 1, 1)


class Quota(TimeStampedModel):
    """A sales target (销售指标) for one representative or one team over a month or a quarter."""

    period = models.CharField(_("period"), max_length=7, choices=Period.choices)
    period_start = models.DateField(_("first day"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("representative"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="sales_quotas")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="sales_quotas")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=False, team__isnull=True)
                                   | models.Q(user__isnull=True, team__isnull=False),
                                   name="quota_for_a_rep_or_a_team"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="quota_amount_not_negative"),
            models.UniqueConstraint(fields=["period", "period_start", "user"], name="quota_once_per_rep",
                                    condition=models.Q(user__isnull=False)),
            models.UniqueConstraint(fields=["period", "period_start", "team"], name="quota_once_per_team",
                                    condition=models.Q(team__isnull=False)),
        ]

    def __str__(self):
        return f"{self.user or self.team} {self.period_start:%Y-%m} {self.amount}"

    @property
    def period_end(self) -> dt.date:
        return period_bounds(self.period, self.period_start)[1]


class SalesSettings(TimeStampedModel):
    """The app's settings (one row): the amount from which a deal is a big deal (大额业务)."""

    big_deal_amount = models.DecimalField(_("big-deal amount"), max_digits=14, decimal_places=2, default=500_000)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")


class BigDealAlert(models.Model):
    """Managers were alerted that this opportunity crossed this big-deal amount (once per crossing)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="big_deal_alerts")
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    alerted_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("big-deal alert")
        verbose_name_plural = _("big-deal alerts")
        constraints = [models.UniqueConstraint(fields=["opportunity", "threshold"], name="big_deal_alert_once")]

    def __str__(self):
        return f"{self.opportunity_id} ≥ {self.threshold}"
