from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecordKind(models.TextChoices):
    LEAD = "lead", pgettext_lazy("pool record", "Lead")
    CUSTOMER = "customer", pgettext_lazy("pool record", "Customer")


class RuleKind(models.TextChoices):
    """What a recycling rule (回收规则) looks for."""

    NO_FOLLOW_UP = "no_follow_up", _("No follow-up")
    NO_WON_DEAL = "no_won_deal", _("No deal won")
    CONTRACT_ENDED = "contract_ended", _("Contract ended")


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days (Chinese calendar)")


class EventKind(models.TextChoices):
    CLAIM = "claim", _("Claimed")
    RELEASE = "release", _("Released to the pool")
    ASSIGN = "assign", _("Assigned from the pool")
    WARNING = "warning", _("Warned before return")
    RETURN = "return", _("Returned by rule")


class HoldingHow(models.TextChoices):
    CLAIM = "claim", _("Claimed")
    ASSIGN = "assign", _("Assigned")


# The customers' value tiers (customers.value), the ones a rule may be limited to.
class Tier(models.TextChoices):
    VIP = "vip", _("VIP")
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
