from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import (
    CampaignStatus,
    ExpenseCategory,
    ExpenseStatus,
    MemberStatus,
    OptOutChannel,
    OptOutSource,
    ResponseKind,
)


class Campaign(TimeStampedModel):
    """A marketing campaign (营销活动): a target group (saved segments and/or a rules definition of
    the segments engine, narrowed by industry, occupation and age), the channels that reach it (SMS,
    e-mail, calls as tasks), a schedule and a budget. Launching freezes the members."""

    name = models.CharField(_("name"), max_length=100)
    objective = models.TextField(_("objective"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="campaigns")
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    channels = models.JSONField(_("channels"), default=list)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    send_time = models.TimeField(_("send time"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, default=0)
    message_subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    message_text = models.TextField(_("message text"), blank=True)
    segments = models.ManyToManyField("segments.Segment", verbose_name=_("segments"), blank=True,
                                      related_name="campaigns")
    definition = models.JSONField(_("filter rules"), default=dict, blank=True)
    industries = models.CharField(_("industries"), max_length=500, blank=True)
    occupations = models.CharField(_("occupations"), max_length=500, blank=True)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("completed or cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="campaign_budget_not_negative"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_ends_after_start"),
        ]
        indexes = [models.Index(fields=["status", "starts_on"], name="campaign_status_start")]

    def __str__(self):
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status == CampaignStatus.DRAFT


class CampaignMember(models.Model):
    """One customer of a launched campaign's frozen target group (活动对象): sent at most once."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="members", db_index=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="campaign_memberships", db_index=False)
    status = models.CharField(_("status"), max_length=10, choices=MemberStatus.choices,
                              default=MemberStatus.PENDING)
    added_at = models.DateTimeField(_("added"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_once")]
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="campaign_member_status"),
            models.Index(fields=["customer", "-added_at"], name="campaign_member_customer"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.customer_id}"


class CampaignResponse(TimeStampedModel):
    """A member's answer to a campaign (活动响应), recorded by staff or through the API; may become a lead."""

    member = models.ForeignKey(CampaignMember, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="responses")
    kind = models.CharField(_("response"), max_length=20, choices=ResponseKind.choices)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("responded"))
    lead = models.ForeignKey("marketing.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("campaign response")
        verbose_name_plural = _("campaign responses")
        ordering = ["-responded_at", "-id"]


class MarketingOptOut(TimeStampedModel):
    """A customer's refusal of marketing on one channel, or on all (退订): honoured at every send."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="marketing_opt_outs", db_index=False)
    channel = models.CharField(_("channel"), max_length=10, choices=OptOutChannel.choices)
    source = models.CharField(_("how"), max_length=10, choices=OptOutSource.choices)
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("marketing opt-out")
        verbose_name_plural = _("marketing opt-outs")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "channel"], name="opt_out_once")]


class CampaignExpense(TimeStampedModel):
    """An expense claim against a campaign (费用报销): approved or rejected by a manager; approved
    claims are the campaign's cost in its ROI."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="expenses")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExpenseStatus.choices,
                              default=ExpenseStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign expense")
        verbose_name_plural = _("campaign expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive")]
