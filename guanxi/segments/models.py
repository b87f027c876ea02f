"""Customer value snapshots, value settings and segments (客户细分, 客户价值)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel
from guanxi.customers.models import Customer
from guanxi.customers.value import DEFAULT_TIER_FLOORS

from .enums import (
    SYSTEM_KINDS,
    AbcClass,
    ContactFrequency,
    Portfolio,
    PyramidBasis,
    RfmSegment,
    RunStatus,
    SegmentKind,
    ServiceLevel,
    ServiceMode,
    ValueLevel,
)

SHARE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
WEIGHT = [MaxValueValidator(100)]


class ValueSettings(TimeStampedModel):
    """The administrator's thresholds for the value computation (one row, pk 1).

    Pyramid floors default to the service desk's ARPU tiers (customers.value), so that both
    agree until an administrator changes one of them.
    """

    pyramid_basis = models.CharField(_("pyramid basis"), max_length=10, choices=PyramidBasis.choices,
                                     default=PyramidBasis.ARPU)
    vip_floor = models.DecimalField(_("VIP from"), max_digits=12, decimal_places=2,
                                    default=DEFAULT_TIER_FLOORS["vip"])
    large_floor = models.DecimalField(_("large from"), max_digits=12, decimal_places=2,
                                      default=DEFAULT_TIER_FLOORS["large"])
    medium_floor = models.DecimalField(_("medium from"), max_digits=12, decimal_places=2,
                                       default=DEFAULT_TIER_FLOORS["medium"])
    abc_a_share = models.DecimalField(_("share of revenue of class A"), max_digits=4, decimal_places=3,
                                      default=Decimal("0.800"), validators=SHARE)
    abc_b_share = models.DecimalField(_("share of revenue of class B"), max_digits=4, decimal_places=3,
                                      default=Decimal("0.150"), validators=SHARE)
    arpu_bands = models.CharField(_("ARPU band edges"), max_length=100, default="30,80,150,300",
                                  help_text=_("increasing monthly ARPU values separated by commas"))
    clv_monthly_discount = models.DecimalField(_("monthly discount rate of CLV"), max_digits=5,
                                               decimal_places=4, default=Decimal("0.0100"), validators=SHARE)
    weight_profit = models.PositiveSmallIntegerField(_("weight: share of profit"), default=30, validators=WEIGHT)
    weight_strategic = models.PositiveSmallIntegerField(_("weight: strategic importance"), default=15,
                                                        validators=WEIGHT)
    weight_loss = models.PositiveSmallIntegerField(_("weight: impact of losing it"), default=20, validators=WEIGHT)
    weight_relationship = models.PositiveSmallIntegerField(_("weight: length and stability"), default=15,
                                                           validators=WEIGHT)
    weight_growth = models.PositiveSmallIntegerField(_("weight: growth potential"), default=10, validators=WEIGHT)
    weight_time = models.PositiveSmallIntegerField(_("weight: time it takes"), default=10, validators=WEIGHT)
    key_account_threshold = models.PositiveSmallIntegerField(_("key-account score from"), default=70,
                                                             validators=WEIGHT)
    segment_growth_threshold = models.DecimalField(
        _("segment growth counted as good prospects"), max_digits=6, decimal_places=3, default=Decimal("0"))
    customer_growth_threshold = models.DecimalField(
        _("customer growth counted as growing"), max_digits=6, decimal_places=3, default=Decimal("0"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("value settings")
        verbose_name_plural = _("value settings")

    def __str__(self):
        return str(_("Value settings"))


class ValueRun(models.Model):
    """One recompute of every customer's value (价值计算批次): when, how long, summary figures.

    The snapshot table holds only the latest run's rows; runs keep the history of the summaries
    (counts per level and class, model parameters, cluster descriptions).
    """

    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    clusters = models.JSONField(_("clusters"), default=list, blank=True)
    reports = models.JSONField(_("reports"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("value run")
        verbose_name_plural = _("value runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="valuerun_status_finished")]

    def __str__(self):
        return f"{self.as_of} ({self.get_status_display()})"


class StrategicWeight(TimeStampedModel):
    """How crucial a customer is to the company's goals (0–100), set by an administrator; one of
    the key-account criteria (SPEC B.5) that the data cannot tell."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="strategic_weight",
                                    verbose_name=_("customer"))
    weight = models.PositiveSmallIntegerField(_("strategic weight"), validators=WEIGHT)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategic weight")
        verbose_name_plural = _("strategic weights")
        constraints = [models.CheckConstraint(condition=models.Q(weight__lte=100), name="strategic_weight_max")]

    def __str__(self):
        return f"{self.customer_id}: {self.weight}"


class CustomerValueSnapshot(models.Model):
    """The latest computed value of one customer (客户价值快照); replaced as a whole by each run.

    No database foreign keys: the table is rebuilt and swapped in one transaction, and a customer
    deleted since the last run only leaves a row that no join to live customers finds.
    """

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                    related_name="value_snapshot", verbose_name=_("customer"))
    run = models.ForeignKey(ValueRun, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
                            db_index=False)
    computed_at = models.DateTimeField(_("computed at"))

    arpu_band = models.CharField(_("ARPU band"), max_length=20)
    value_level = models.CharField(_("value level"), max_length=10, choices=ValueLevel.choices)
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices)
    revenue_12m = models.DecimalField(_("revenue, last 12 months"), max_digits=14, decimal_places=2)
    revenue_prev_12m = models.DecimalField(_("revenue, the 12 months before"), max_digits=14, decimal_places=2)
    revenue_total = models.DecimalField(_("revenue, whole history"), max_digits=16, decimal_places=2)
    contribution_share = models.FloatField(_("contribution (share of revenue)"))

    purchase_days = models.PositiveIntegerField(_("purchase days"))
    first_purchase_on = models.DateField(_("first purchase"), null=True)
    last_purchase_on = models.DateField(_("last purchase"), null=True)
    recency_days = models.PositiveIntegerField(_("days since last purchase"), null=True)
    rfm_r = models.PositiveSmallIntegerField("R", null=True)
    rfm_f = models.PositiveSmallIntegerField("F", null=True)
    rfm_m = models.PositiveSmallIntegerField("M", null=True)
    rfm_segment = models.CharField(_("RFM cell"), max_length=20, choices=RfmSegment.choices)

    expected_purchases_12m = models.FloatField(_("expected purchases, next 12 months"), null=True)
    p_alive = models.FloatField(_("probability still active"), null=True)
    expected_avg_value = models.FloatField(_("expected average purchase value"), null=True)
    clv_12m = models.DecimalField(_("CLV, 12 months"), max_digits=14, decimal_places=2, null=True)
    clv_36m = models.DecimalField(_("CLV, 36 months"), max_digits=14, decimal_places=2, null=True)

    loyalty_index = models.PositiveSmallIntegerField(_("loyalty index"))
    credit_score = models.PositiveSmallIntegerField(_("credit score"))
    retention_index = models.PositiveSmallIntegerField(_("retention index"))

    ka_profit = models.PositiveSmallIntegerField(_("share of profit"))
    ka_strategic = models.PositiveSmallIntegerField(_("strategic importance"))
    ka_loss = models.PositiveSmallIntegerField(_("impact of losing it"))
    ka_relationship = models.PositiveSmallIntegerField(_("length and stability"))
    ka_growth = models.PositiveSmallIntegerField(_("growth potential"))
    ka_time = models.PositiveSmallIntegerField(_("time it takes"))
    key_account_score = models.FloatField(_("key-account score"))

    growth_rate = models.FloatField(_("spend growth"), null=True)
    segment_growth_rate = models.FloatField(_("growth of its brand"), null=True)
    portfolio = models.CharField(_("portfolio quadrant"), max_length=10, choices=Portfolio.choices, blank=True)
    cluster = models.PositiveSmallIntegerField(_("cluster"), null=True)

    product_kinds = models.PositiveSmallIntegerField(_("kinds of product held"))
    competitor_products = models.PositiveSmallIntegerField(_("competitor products held"))
    tenure_days = models.PositiveIntegerField(_("tenure (days)"))
    contacts_12m = models.PositiveIntegerField(_("contacts, last 12 months"))
    contact_minutes_12m = models.PositiveIntegerField(_("minutes in contact, last 12 months"))
    outlet_visits_12m = models.PositiveIntegerField(_("outlet visits, last 12 months"))

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")
        indexes = [
            models.Index(fields=["value_level"], name="valuesnap_level"),
            models.Index(fields=["rfm_segment"], name="valuesnap_rfm"),
            models.Index(fields=["-clv_36m"], name="valuesnap_clv36"),
            models.Index(fields=["-key_account_score"], name="valuesnap_ka_score"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.value_level}/{self.abc_class}"


class Segment(TimeStampedModel):
    """A customer segment (客户细分): a saved rule (dynamic) or a system segment that the value
    run keeps (pyramid level, ABC class, RFM cell, cluster), with its tiered service (分层服务)."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.RULE)
    system_key = models.CharField(_("system key"), max_length=30, blank=True, editable=False)
    definition = models.JSONField(_("filter definition"), default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    is_shared = models.BooleanField(_("shared"), default=False)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    member_count_at = models.DateTimeField(_("members counted at"), null=True, blank=True)

    # Tiered service (分层服务, SPEC B.4): who serves the segment, at which level, when and how.
    service_priority = models.PositiveSmallIntegerField(
        _("service priority"), null=True, blank=True,
        help_text=_("1 is served first; empty: this segment sets no service tier"))
    service_level = models.CharField(_("service level"), max_length=10, choices=ServiceLevel.choices, blank=True)
    service_team = models.ForeignKey("accounts.Team", verbose_name=_("service staff"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    service_hours = models.CharField(_("service hours"), max_length=50, blank=True)
    service_mode = models.CharField(_("service mode"), max_length=20, choices=ServiceMode.choices, blank=True)
    service_content = models.TextField(_("service content"), blank=True)

    history = HistoricalRecords(excluded_fields=["member_count", "member_count_at"])

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "system_key"], condition=~models.Q(kind=SegmentKind.RULE),
                                    name="segment_system_key_unique"),
        ]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="segment_owner_updated")]

    def __str__(self):
        return self.name

    @property
    def is_system(self) -> bool:
        return self.kind in SYSTEM_KINDS


class ContactProfile(models.Model):
    """How one customer uses the call center and the channels (客户接触概况), counted over a window of the
    interaction history; replaced as a whole by `contact_profiles_refresh` (a scheduled set-based job), so
    that survey sampling reads one row per customer instead of aggregating the history.

    The customer's type and ARPU are copied at the refresh, so that the sampling frame is one scan of
    this table; customers changed since (`updated_at` after `refreshed_at`) are read from the customers.
    No database foreign key, as for the value snapshot: the table is rebuilt and swapped.
    """

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                    related_name="contact_profile", verbose_name=_("customer"))
    refreshed_at = models.DateTimeField(_("refreshed at"))
    customer_type = models.CharField(_("customer type"), max_length=20)
    arpu = models.DecimalField(_("ARPU (monthly)"), max_digits=12, decimal_places=2)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    call_center_contacts = models.PositiveIntegerField(_("call-center contacts in the window"))
    contacts = models.PositiveIntegerField(_("contacts in the window"))
    frequency = models.CharField(_("contact frequency"), max_length=12, choices=ContactFrequency.choices)
    main_channel = models.CharField(_("main channel"), max_length=10, blank=True,
                                    help_text=_("the channel used most in the window; empty when none"))

    class Meta:
        verbose_name = _("contact profile")
        verbose_name_plural = _("contact profiles")

    def __str__(self):
        return f"{self.customer_id}: {self.frequency}/{self.main_channel or '-'}"
