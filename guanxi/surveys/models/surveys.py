from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import Dimension, SurveyMode, SurveyStatus, SurveyTrigger
from .questionnaires import Question, QuestionnaireVersion


class Survey(TimeStampedModel):
    """One invitation (调查邀请) of one customer to answer one questionnaire version, by one mode;
    a case has at most one survey. The web link's token is stored as its SHA-256 only."""

    version = models.ForeignKey(QuestionnaireVersion, verbose_name=_("questionnaire version"),
                                on_delete=models.PROTECT, related_name="surveys")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="surveys")
    ticket = models.ForeignKey("servicedesk.Ticket", verbose_name=_("case"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="surveys")
    wave_id = models.PositiveBigIntegerField(_("wave"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=20, choices=SurveyMode.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=SurveyTrigger.choices)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.SENT)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False), name="survey_one_per_case"),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="survey_token_unique"),  # nosec B106  # an empty default, not a password
        ]
        indexes = [
            models.Index(fields=["customer", "-sent_at"], name="survey_customer_recent"),
            models.Index(fields=["status", "expires_at"], name="survey_status_expiry"),
            models.Index(fields=["wave_id"], condition=Q(wave_id__isnull=False), name="survey_wave"),
            models.Index(fields=["-answered_at", "-id"], condition=Q(answered_at__isnull=False),
                         name="survey_answered_recent"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_mode_display()}"


class SurveyResponse(TimeStampedModel):
    """The answers to one survey (调查结果), once; `recorded_by` is the agent who took them by phone."""

    survey = models.OneToOneField(Survey, on_delete=models.PROTECT, related_name="response")
    answered_at = models.DateTimeField(_("answered at"))
    mode = models.CharField(_("mode"), max_length=20, choices=SurveyMode.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["-answered_at", "-id"], name="survey_response_recent")]

    def __str__(self):
        return f"{self.survey_id} {self.answered_at:%Y-%m-%d}"


class Answer(models.Model):
    """One answer: the raw value as given and, for ratings and NPS, its score on the question's scale
    and on 0–100 (so that scales compare); dimension and moment copied for the analysis queries."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    raw = models.JSONField(_("raw answer"))
    score = models.FloatField(_("score"), null=True, blank=True)
    score_pct = models.FloatField(_("score (0–100)"), null=True, blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices, blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")]
        indexes = [
            models.Index(fields=["dimension", "answered_at"], condition=Q(score__isnull=False),
                         name="survey_answer_dim_time"),
            models.Index(fields=["answered_at"], name="survey_answer_time"),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.raw}"


class SurveyOptOut(TimeStampedModel):
    """A customer who asked not to be surveyed (拒绝调查): no survey is sent to them."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="survey_opt_out")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")
