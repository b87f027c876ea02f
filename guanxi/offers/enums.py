from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    TRAINING = "training", _("Training")
    DONE = "done", _("Trained")
    FAILED = "failed", _("Failed")


class Algorithm(models.TextChoices):
    PROPENSITY = "propensity", _("Propensity model (logistic regression)")
    RULES = "rules", _("Association rules")
    POPULARITY = "popularity", _("Popularity")


class Outcome(models.TextChoices):
    """What became of an offer (推荐反馈)."""

    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
