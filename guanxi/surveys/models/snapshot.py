from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerCell(models.Model):
    """A monthly aggregate of the scored answers (满意度快照) per dimension, question type and analysis cut:
    answer count, Σ score (0–100), Σ score², satisfied answers, NPS promoters and detractors. The cuts are
    the answer's month (local time), the customer's value segment, the survey channel, the case's team,
    type and service standard (customer tier) and the questionnaire; a cut the answer has none of is NULL.

    Rows are additive: answering appends one row per scored answer in the answer's transaction (no shared
    row is updated, so concurrent answers never wait on each other), and `analysis.snapshot.compact` folds
    the rows of a key into one; every read sums the rows of a key, so it is exact at any moment."""

    month = models.DateField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=20)
    qtype = models.CharField(_("question type"), max_length=20)
    segment = models.CharField(_("value segment"), max_length=10, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20)
    team_id = models.BigIntegerField(_("team"), null=True, blank=True)
    case_type = models.CharField(_("case type"), max_length=20, null=True, blank=True)
    standard = models.CharField(_("service standard"), max_length=10, null=True, blank=True)
    questionnaire_id = models.BigIntegerField(_("questionnaire"))
    n = models.BigIntegerField(default=0)
    total = models.FloatField(default=0.0)
    total_sq = models.FloatField(default=0.0)
    hits = models.BigIntegerField(default=0)
    promoters = models.BigIntegerField(default=0)
    detractors = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("answer aggregate")
        verbose_name_plural = _("answer aggregates")
        indexes = [models.Index(fields=["month"], name="survey_answercell_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.dimension}/{self.qtype}: {self.n}"


class RateCell(models.Model):
    """A monthly aggregate of the surveys sent (by month of sending) and of those answered, per
    questionnaire, for the response rates; additive like `AnswerCell`."""

    month = models.DateField(_("month"))
    questionnaire_id = models.BigIntegerField(_("questionnaire"))
    sent = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("response-rate aggregate")
        verbose_name_plural = _("response-rate aggregates")
        indexes = [models.Index(fields=["month"], name="survey_ratecell_month")]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.answered}/{self.sent}"
