from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .organisation import SalesChannel


class SalesExpense(TimeStampedModel):
    """What a team spent on selling in one month (销售费用), optionally for one sales channel: the cost
    side of the sales analysis (cost per won deal, cost per channel). Campaign expenses stay with the
    campaigns; this is the sales force's own cost (travel, entertainment, commissions, outlet running)."""

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="sales_expenses")
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    channel = models.ForeignKey(SalesChannel, verbose_name=_("sales channel"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales expense")
        verbose_name_plural = _("sales expenses")
        ordering = ["-month", "team", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="sales_expense_not_negative"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="sales_expense_first_of_month"),
            models.UniqueConstraint(fields=["team", "month", "channel"], name="sales_expense_once",
                                    nulls_distinct=False),
        ]
        indexes = [models.Index(fields=["month", "team"], name="sales_expense_month")]

    def __str__(self):
        return f"{self.team} {self.month:%Y-%m} {self.amount}"
