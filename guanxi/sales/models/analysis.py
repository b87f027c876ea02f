from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .organisation import SalesChannel


class SalesExpense(TimeStampedModel):
    """A sales expense (销售费用): either one a representative spent on a day (travel, entertainment…,
    optionally for a deal or a customer), or a team's figure for a whole month (no representative).
    Both count, by team, month and channel, on the cost side of the sales analysis (cost per won deal,
    cost per channel). Campaign expenses stay with the campaigns."""

    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        ENTERTAINMENT = "entertainment", _("Entertainment")
        COMMISSION = "commission", _("Commission")
        OUTLET = "outlet", _("Outlet running costs")
        MATERIALS = "materials", _("Samples and materials")
        OTHER = "other", _("Other")

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="sales_expenses")
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    channel = models.ForeignKey(SalesChannel, verbose_name=_("sales channel"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("representative"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="sales_expenses",
                            help_text=_("empty: the team's figure for the month"))
    spent_on = models.DateField(_("date"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="expenses")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="sales_expenses", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales expense")
        verbose_name_plural = _("sales expenses")
        ordering = ["-month", "team", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="sales_expense_not_negative"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="sales_expense_first_of_month"),
            # One monthly figure per team and channel (no channel counts as one). Not created on SQLite
            # (models.W047): services.expenses enforces the same rule.
            models.UniqueConstraint(fields=["team", "month", "channel"], condition=models.Q(rep__isnull=True),
                                    name="sales_expense_once", nulls_distinct=False),
            models.CheckConstraint(condition=models.Q(rep__isnull=True) | models.Q(spent_on__isnull=False),
                                   name="sales_expense_entry_dated"),
        ]
        indexes = [models.Index(fields=["month", "team"], name="sales_expense_month"),
                   models.Index(fields=["rep", "spent_on", "id"], name="sales_expense_rep"),
                   models.Index(fields=["team", "spent_on", "id"], name="sales_expense_team_day")]

    def __str__(self):
        return f"{self.team} {self.month:%Y-%m} {self.amount}"
