from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from ..enums import Dimension, Purpose, QuestionType, VersionStatus


class Questionnaire(TimeStampedModel):
    """A questionnaire (调查问卷): a stable name over its versions; surveys use a published version."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.POST_CASE)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code"]

    def __str__(self):
        return self.name


class QuestionnaireVersion(TimeStampedModel):
    """One version of a questionnaire (问卷版本): editable as a draft, frozen once published; every
    survey keeps the version it was sent with."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    modes = models.JSONField(_("modes"), default=list, help_text=_("the survey modes this version is meant for"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["questionnaire_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="survey_version_number_unique"),
            models.UniqueConstraint(fields=["questionnaire"], condition=Q(status=VersionStatus.PUBLISHED),
                                    name="survey_one_published_version"),
        ]

    def __str__(self):
        return f"{self.questionnaire} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_zh

    def intro(self, language: str) -> str:
        return self.intro_en if language.startswith("en") and self.intro_en else self.intro_zh


class Question(models.Model):
    """A question of a version, in Chinese and English; a rating measures one dimension; choices carry
    their options as `[{"value", "zh", "en"}]`."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"))
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices, blank=True)
    text_zh = models.CharField(_("wording (Chinese)"), max_length=500)
    text_en = models.CharField(_("wording (English)"), max_length=500, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version_id", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="survey_question_order_unique")]

    def __str__(self):
        return self.text_zh

    def text(self, language: str) -> str:
        return self.text_en if language.startswith("en") and self.text_en else self.text_zh

    def option_label(self, value: str, language: str) -> str:
        for option in self.options:
            if option["value"] == value:
                return option.get("en") if language.startswith("en") and option.get("en") else option["zh"]
        return value



