from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Dimension(models.TextChoices):
    """What a rating measures (满意度维度, SPEC G.4)."""

    COMPANY_IMAGE = "company_image", _("Company image")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    SERVICE_QUALITY = "service_quality", _("Service quality")
    CUSTOMER_CARE = "customer_care", _("Customer care")
    RELIABILITY = "reliability", _("Reliability")
    TIMELINESS = "timeliness", _("Timeliness")
    SECURITY = "security", _("Security")
    PRICE_VALUE = "price_value", _("Price and value")
    OVERALL = "overall", _("Overall satisfaction")


class QuestionType(models.TextChoices):
    RATING_5 = "rating_5", _("Rating 1–5")
    RATING_10 = "rating_10", _("Rating 1–10")
    NPS = "nps", _("Recommendation 0–10 (NPS)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


# The numeric range of each scored type: (lowest, highest).
SCALES = {QuestionType.RATING_5: (1, 5), QuestionType.RATING_10: (1, 10), QuestionType.NPS: (0, 10)}
SCORED_TYPES = frozenset(SCALES)
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE})


class SurveyMode(models.TextChoices):
    WEB = "web", _("Web")
    SMS = "sms", _("SMS")
    IVR = "ivr", _("IVR")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    THIRD_PARTY = "third_party", _("Third party")


class Purpose(models.TextChoices):
    POST_CASE = "post_case", _("After a case")
    WAVE = "wave", _("Periodic wave")
    GENERAL = "general", _("General")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class SurveyStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ANSWERED = "answered", pgettext_lazy("survey", "Answered")
    EXPIRED = "expired", _("Expired")


class SurveyTrigger(models.TextChoices):
    POST_CASE = "post_case", _("Case closed")
    CALLBACK = "callback", _("Repair callback")
    MANUAL = "manual", _("Sent by hand")
    WAVE = "wave", _("Wave")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("task", "Done")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_ACTION_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})


class WaveStatus(models.TextChoices):
    """A survey wave's life (调查批次): designed, sample drawn, surveys sent, closed."""

    DRAFT = "draft", _("Draft")
    SAMPLED = "sampled", _("Sample drawn")
    RUNNING = "running", pgettext_lazy("wave", "Running")
    CLOSED = "closed", pgettext_lazy("wave", "Closed")
