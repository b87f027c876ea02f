from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventKind(models.TextChoices):
    DESIGNATED = "designated", _("Designated")
    DE_DESIGNATED = "de_designated", _("De-designated")
    TIER_CHANGED = "tier_changed", _("Tier changed")
    MANAGER_CHANGED = "manager_changed", _("Managers changed")


class PersonRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    BUYER = "buyer", _("Buyer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    TECHNICAL = "technical", _("Technical evaluator")


class Strength(models.IntegerChoices):
    """Influence and relationship strength, 1 (low) to 5 (high)."""

    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    MEDIUM = 3, _("Medium")
    HIGH = 4, _("High")
    VERY_HIGH = 5, _("Very high")


CRITERIA = (
    ("profit", "ka_profit", _("Share of profit")),
    ("strategic", "ka_strategic", _("Strategic importance")),
    ("loss", "ka_loss", _("Impact of losing it")),
    ("relationship", "ka_relationship", _("Length and stability")),
    ("growth", "ka_growth", _("Growth potential")),
    ("time", "ka_time", _("Time it takes")),
)


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")


class GreenStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("green", "Running")
    DONE = "done", pgettext_lazy("green", "Completed")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ACTIVE = "active", pgettext_lazy("green", "In progress")
    DONE = "done", pgettext_lazy("green", "Done")


class VisitKind(models.TextChoices):
    MANAGER_VISIT = "manager_visit", _("Visit by the account manager")
    CUSTOMER_VISIT = "customer_visit", _("Customer visits us")
    FRIENDLY_SERVICE = "friendly_service", _("Friendly service")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("visit", "Planned")
    DONE = "done", pgettext_lazy("visit", "Done")
    CANCELLED = "cancelled", pgettext_lazy("visit", "Cancelled")
