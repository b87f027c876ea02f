from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .enums import ActionKind, BirthdayCalendar, CareChannel, OccasionKind

MONEY = {"max_digits": 12, "decimal_places": 2}


class CareRule(TimeStampedModel):
    """A care rule (关怀规则): for the customers of `segment` (empty: every customer), `lead_days`
    before each occasion of `occasion`, do `action` through `channel` at `cost` each, until the
    year's spending reaches `budget` (empty: no limit). Data, edited by administrators."""

    name = models.CharField(_("name"), max_length=100)
    segment = models.ForeignKey("segments.Segment", verbose_name=_("segment"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    occasion = models.CharField(_("occasion"), max_length=30, choices=OccasionKind.choices)
    occasion_key = models.CharField(_("festival or holiday"), max_length=20, blank=True,
                                    help_text=_("which lunar festival or public holiday"))
    lead_days = models.PositiveSmallIntegerField(_("days ahead"), default=0)
    action = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CareChannel.choices)
    template = models.TextField(_("message template"), blank=True,
                                help_text=_("{name} is replaced by the customer's name"))
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    budget = models.DecimalField(_("budget per year"), **MONEY, null=True, blank=True)
    cost_per_action = models.DecimalField(_("cost per action"), **MONEY, default=0)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("fallback assignee"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("does the tasks of customers without an owner"))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(lead_days__lte=60), name="care_rule_lead_days"),
            models.CheckConstraint(condition=Q(cost_per_action__gte=0), name="care_rule_cost_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def sends_message(self) -> bool:
        return self.channel != CareChannel.TASK


class CareProfile(models.Model):
    """How a customer keeps their birthday (solar or lunar): a care preference per customer;
    customers without one keep the solar birthday."""

    customer = models.OneToOneField("customers.Customer", primary_key=True, on_delete=models.CASCADE,
                                    related_name="care_profile")
    birthday_calendar = models.CharField(_("birthday kept on"), max_length=10, choices=BirthdayCalendar.choices,
                                         default=BirthdayCalendar.SOLAR)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care preference")
        verbose_name_plural = _("care preferences")
        indexes = [models.Index(fields=["birthday_calendar"], name="care_profile_lunar",
                                condition=Q(birthday_calendar=BirthdayCalendar.LUNAR))]

    def __str__(self):
        return f"{self.customer_id}: {self.birthday_calendar}"


class CareAction(models.Model):
    """One act of care for one customer on one occasion (关怀记录): a greeting sent, or a task for a
    person. Unique per rule, customer and occasion date, so a repeated run adds nothing."""

    rule = models.ForeignKey(CareRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="actions",
                             db_index=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="care_actions", db_index=False)
    occasion_date = models.DateField(_("occasion date"))
    occasion_label = models.CharField(_("occasion"), max_length=50)
    action = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CareChannel.choices)
    cost = models.DecimalField(_("cost"), **MONEY, default=0)
    message = models.ForeignKey("messaging.OutboundMessage", verbose_name=_("message"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_index=False)
    task = models.ForeignKey("tasks.Task", verbose_name=_("task"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("care action")
        verbose_name_plural = _("care actions")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "customer", "occasion_date"],
                                               name="care_action_once_per_occasion")]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="care_action_customer"),
            models.Index(fields=["rule", "-created_at", "-id"], name="care_action_rule"),
        ]

    def __str__(self):
        return f"{self.rule_id} → {self.customer_id} ({self.occasion_date})"
