from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Role
from guanxi.core.models import TimeStampedModel

from .enums import DayKind, EventKind, HoldingHow, RecordKind, RuleKind

USER = settings.AUTH_USER_MODEL


class PoolRule(TimeStampedModel):
    """A recycling rule (回收规则): records whose owner has done nothing of `kind` for `days` days
    (calendar or working) return to the pool; the owner is warned `warn_days` days before. For
    customers, `tiers` limits the rule to those value tiers (empty: all)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=RecordKind.choices,
                                  default=RecordKind.CUSTOMER)
    days = models.PositiveIntegerField(_("days"))
    day_kind = models.CharField(_("counted in"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    warn_days = models.PositiveIntegerField(_("warn days before"), default=3,
                                            help_text=_("0: no warning"))
    tiers = models.JSONField(_("value tiers"), default=list, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("recycling rule")
        verbose_name_plural = _("recycling rules")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="pool_rule_days_positive")]

    def __str__(self):
        return self.name

    @property
    def tier_labels(self) -> list[str]:
        from .enums import Tier

        return [str(Tier(t).label) for t in self.tiers if t in Tier.values]


class ClaimLimit(TimeStampedModel):
    """How many records one may hold from the pool at once: per role, or per person (overrides)."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    user = models.OneToOneField(USER, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="pool_claim_limit")
    limit = models.PositiveIntegerField(_("limit"))

    class Meta:
        verbose_name = _("claim limit")
        verbose_name_plural = _("claim limits")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(user__isnull=False)) | (~Q(role="") & Q(user__isnull=True)),
                name="pool_limit_role_or_user"),
            models.UniqueConstraint(fields=["role"], condition=~Q(role=""), name="pool_limit_one_per_role"),
        ]

    def __str__(self):
        return f"{self.user or self.role}: {self.limit}"


class Holding(models.Model):
    """A record someone holds from the pool (claimed or assigned), since when: what claim limits
    count, what "my claims" lists, and the start of the record's follow-up clock."""

    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    lead = models.OneToOneField("marketing.Lead", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="pool_holding")
    customer = models.OneToOneField("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="pool_holding")
    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="pool_holdings")
    how = models.CharField(max_length=10, choices=HoldingHow.choices)
    since = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["owner", "-since"], name="pool_holding_owner")]
        constraints = [models.CheckConstraint(condition=Q(lead__isnull=True) ^ Q(customer__isnull=True),
                                              name="pool_holding_one_record")]

    def __str__(self):
        return f"{self.record_kind} {self.lead_id or self.customer_id} → {self.owner_id}"


class PoolEvent(models.Model):
    """The pool's log: every claim, release, assignment, warning and return by rule."""

    kind = models.CharField(_("event"), max_length=10, choices=EventKind.choices)
    record_kind = models.CharField(_("record"), max_length=10, choices=RecordKind.choices)
    # No database foreign keys on the log's references (db_constraint=False): every writer has the
    # record locked or just updated in its transaction, and a constraint would re-check (and lock
    # FOR KEY SHARE, dirtying a customers page) each row at commit: 10-15 s of a 100k-return sweep.
    # Deletions still cascade (Django's collector).
    lead = models.ForeignKey("marketing.Lead", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="pool_events", db_index=False, db_constraint=False)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="pool_events", db_index=False, db_constraint=False)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False,
                              help_text=_("who holds it after a claim or assignment; who held it before a return"))
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    rule = models.ForeignKey(PoolRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="events", db_index=False)
    rule_name = models.CharField(_("rule"), max_length=100, blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("pool event")
        verbose_name_plural = _("pool events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="pool_event_time"),
            models.Index(fields=["customer", "-at", "-id"], name="pool_event_customer",
                         condition=Q(customer__isnull=False)),
            models.Index(fields=["lead", "-at", "-id"], name="pool_event_lead", condition=Q(lead__isnull=False)),
            models.Index(fields=["owner", "-at", "-id"], name="pool_event_owner"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PoolWarning(models.Model):
    """A warning sent to a record's owner before a rule returns it: one per record and rule per
    stretch of neglect (deleted when the record changes hands or is followed up)."""

    rule = models.ForeignKey(PoolRule, on_delete=models.CASCADE, related_name="warnings")
    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    # Without database foreign keys, like PoolEvent's (the sweep writes ~100k at once).
    lead = models.ForeignKey("marketing.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False)
    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", db_index=False)
    sent_at = models.DateTimeField()
    due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "customer"], condition=Q(customer__isnull=False),
                                    name="pool_warning_once_customer"),
            models.UniqueConstraint(fields=["rule", "lead"], condition=Q(lead__isnull=False),
                                    name="pool_warning_once_lead"),
        ]

    def __str__(self):
        return f"{self.rule_id}: {self.lead_id or self.customer_id} ({self.due_on})"
