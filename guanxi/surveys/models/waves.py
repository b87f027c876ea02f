from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import SurveyMode, WaveStatus
from .questionnaires import QuestionnaireVersion
from .surveys import Survey


class SurveyWave(TimeStampedModel):
    """A periodic survey (调查批次), e.g. the half-yearly third-party survey: one published questionnaire
    version sent by one mode to a stratified sample drawn by its sampling plan, with reminders."""

    name = models.CharField(_("name"), max_length=120)
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("questionnaire version"), on_delete=models.PROTECT, related_name="waves"
    )
    mode = models.CharField(_("mode"), max_length=20, choices=SurveyMode.choices)
    status = models.CharField(_("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT)
    # the sampling plan
    sample_size = models.PositiveIntegerField(_("sample size"))
    dimensions = models.JSONField(_("strata dimensions"), default=list)
    method = models.CharField(_("allocation"), max_length=20, default="proportional")
    seed = models.BigIntegerField(_("seed"))
    quotas = models.JSONField(_("quotas"), default=dict, blank=True)
    quiet_days = models.PositiveIntegerField(_("quiet period (days)"), default=90)
    exclude_opted_out = models.BooleanField(_("leave out customers who opted out"), default=True)
    # reminders
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=2)
    reminder_interval_days = models.PositiveSmallIntegerField(_("days between reminders"), default=3)
    # the draw and the run
    strata = models.JSONField(_("strata"), default=list, blank=True)
    arpu_edges = models.JSONField(default=list, blank=True)
    sampled_at = models.DateTimeField(_("sample drawn at"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["strata", "arpu_edges"])

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["-id"]

    def __str__(self):
        return self.name


class WaveMember(models.Model):
    """A sampled customer of a wave with their stratum, and the survey sent to them once launched."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(_("stratum"), max_length=200)
    survey = models.OneToOneField(Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("wave member")
        verbose_name_plural = _("wave members")
        constraints = [models.UniqueConstraint(fields=["wave", "customer"], name="wave_member_once")]
        indexes = [models.Index(fields=["wave", "stratum"], name="wave_member_stratum")]

    def __str__(self):
        return f"{self.wave_id}: {self.customer_id}"


class WaveReminder(models.Model):
    """A reminder sent to a member who had not answered: at most one per member and round."""

    member = models.ForeignKey(WaveMember, on_delete=models.CASCADE, related_name="reminders")
    round = models.PositiveSmallIntegerField(_("round"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("wave reminder")
        verbose_name_plural = _("wave reminders")
        constraints = [models.UniqueConstraint(fields=["member", "round"], name="wave_reminder_once")]

    def __str__(self):
        return f"{self.member_id} #{self.round}"
