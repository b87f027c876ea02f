from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel
from guanxi.core.versioning import VersionedModel
from guanxi.marketing.enums import LeadSource

from .organisation import Outlet, SalesChannel


class OpportunityStage(TimeStampedModel):
    """A pipeline stage (商机阶段), in order, with the win probability an opportunity takes on entering
    it; a won or a lost stage ends the deal."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    probability = models.PositiveSmallIntegerField(_("default win probability (%)"),
                                                   validators=[MaxValueValidator(100)])
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity stage")
        verbose_name_plural = _("opportunity stages")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=~(models.Q(is_won=True) & models.Q(is_lost=True)),
                                   name="stage_won_or_lost_not_both"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_percent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_terminal(self) -> bool:
        return self.is_won or self.is_lost


class DealReason(TimeStampedModel):
    """A reason a deal was won or lost (赢单/丢单原因), from a list the managers keep."""

    class Kind(models.TextChoices):
        WON = "won", pgettext_lazy("deal", "Won")
        LOST = "lost", pgettext_lazy("deal", "Lost")

    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deal reason")
        verbose_name_plural = _("deal reasons")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="deal_reason_unique")]

    def __str__(self):
        return self.name


class Opportunity(VersionedModel, TimeStampedModel):
    """A sales opportunity (商机): a deal of some amount with a customer, moving through the stages
    until it is won or lost."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("deal", "Open")
        WON = "won", pgettext_lazy("deal", "Won")
        LOST = "lost", pgettext_lazy("deal", "Lost")

    # No index of its own: (customer, created_at, id) below serves it.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="opportunities", db_index=False)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="opportunities")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="opportunities")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    expected_close_date = models.DateField(_("expected close date"))
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), validators=[MaxValueValidator(100)])
    probability_overridden = models.BooleanField(
        _("probability set by hand"), default=False,
        help_text=_("when false, the probability follows the stage's default"))
    stage = models.ForeignKey(OpportunityStage, verbose_name=_("stage"), on_delete=models.PROTECT,
                              related_name="opportunities")
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    channel = models.ForeignKey(SalesChannel, verbose_name=_("sales channel"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="opportunities")
    source = models.CharField(_("source"), max_length=100, blank=True)
    campaign = models.ForeignKey("marketing.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="opportunities",
                                 help_text=_("the marketing campaign the deal is attributed to"))
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.OPEN)
    reason = models.ForeignKey(DealReason, verbose_name=_("reason"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="opportunities")
    reason_note = models.CharField(_("reason details"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # The channel partner (代理商) the deal belongs to: a team of kind partner, whose users all reach it.
    partner = models.ForeignKey("accounts.Team", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="partner_opportunities",
                                limit_choices_to={"kind": "partner"})
    # The deal's main product (its business type) and the outlet (营业厅) selling it; the region is the outlet's.
    product = models.ForeignKey("catalog.Product", verbose_name=_("main product"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="opportunities", db_index=False)
    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="opportunities", db_index=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="opportunity_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opportunity_probability_percent"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="opportunity_closed_at_when_closed"),
        ]
        indexes = [
            # The board and the funnel of a team / a representative: per stage, soonest close first.
            models.Index(fields=["team", "status", "stage", "expected_close_date", "id"], name="opp_team_board",
                         include=["amount", "probability"]),
            models.Index(fields=["owner", "status", "stage", "expected_close_date", "id"], name="opp_owner_board",
                         include=["amount", "probability"]),
            # The board's won and lost columns: deals closed lately.
            models.Index(fields=["team", "status", "closed_at"], name="opp_team_closed",
                         include=["amount", "probability", "stage"]),
            models.Index(fields=["owner", "status", "closed_at"], name="opp_owner_closed",
                         include=["amount", "probability", "stage"]),
            # The won and lost columns' cards: latest closed first within the stage.
            models.Index(fields=["team", "stage", "closed_at", "id"], name="opp_team_stage_closed"),
            models.Index(fields=["owner", "stage", "closed_at", "id"], name="opp_owner_stage_closed"),
            # The whole company's funnel: open deals per stage, read from the index alone.
            models.Index(fields=["status", "stage", "probability"], name="opp_status_stage", include=["amount"]),
            # The weighted forecast (open deals by expected close) and won amounts (by closing time).
            models.Index(fields=["status", "expected_close_date"], name="opp_status_close",
                         include=["amount", "probability", "stage", "team", "owner"]),
            models.Index(fields=["status", "closed_at"], name="opp_status_closed",
                         include=["amount", "team", "owner"]),
            models.Index(fields=["customer", "-created_at", "-id"], name="opp_customer_recent"),
            models.Index(fields=["customer", "-closed_at"], name="opp_customer_closed"),
            # Sales analysis: the deals closed in a period, read from the index alone per dimension.
            models.Index(fields=["closed_at"], name="opp_analysis_closed",
                         include=["status", "amount", "created_at", "product", "outlet", "channel", "partner",
                                  "owner", "team", "reason", "customer"]),
            # A partner's deals: its pipeline and its performance over time.
            models.Index(fields=["partner", "status", "closed_at"], name="opp_partner_closed",
                         include=["amount", "created_at"]),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def source_label(self) -> str:
        """The source in words: a lead source's label when the deal came from a converted lead."""
        return str(LeadSource(self.source).label) if self.source in LeadSource.values else self.source

    @property
    def weighted_amount(self):
        return self.amount * self.probability / 100


class Competitor(TimeStampedModel):
    """A competitor in the running for an opportunity, with notes (strengths, price offered…)."""

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="competitors")
    name = models.CharField(_("competitor"), max_length=100)
    note = models.CharField(_("notes"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "name"], name="competitor_once_per_deal")]

    def __str__(self):
        return self.name


class StageChange(models.Model):
    """One move of an opportunity from a stage to another, and how long it had been in the first."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(OpportunityStage, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    to_stage = models.ForeignKey(OpportunityStage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    seconds_in_previous = models.PositiveBigIntegerField(_("time in the previous stage (seconds)"), null=True,
                                                         blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at", "id"], name="stage_change_opportunity"),
                   models.Index(fields=["from_stage", "changed_at"], name="stage_change_from"),
                   # The funnel analysis: the moves of a period per stage, from the index alone.
                   models.Index(fields=["changed_at"], name="stage_change_analysis",
                                include=["to_stage", "from_stage", "seconds_in_previous", "opportunity",
                                         "changed_by"])]

    def __str__(self):
        return f"{self.from_stage or '-'} → {self.to_stage}"
