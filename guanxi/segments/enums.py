from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ValueLevel(models.TextChoices):
    """Value pyramid (价值金字塔)."""

    VIP = "vip", _("VIP customers")
    LARGE = "large", _("Large customers")
    MEDIUM = "medium", _("Medium customers")
    SMALL = "small", _("Small customers")


class AbcClass(models.TextChoices):
    """ABC (Pareto) class on revenue."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class RfmSegment(models.TextChoices):
    """The eight RFM cells (high/low R, F, M against the average score) and no purchases."""

    IMPORTANT_VALUE = "important_value", _("Important value customer")
    IMPORTANT_RETAIN = "important_retain", _("Important customer to keep")
    IMPORTANT_DEVELOP = "important_develop", _("Important customer to develop")
    IMPORTANT_WINBACK = "important_winback", _("Important customer to win back")
    GENERAL_VALUE = "general_value", _("General value customer")
    GENERAL_RETAIN = "general_retain", _("General customer to keep")
    GENERAL_DEVELOP = "general_develop", _("General customer to develop")
    GENERAL_WINBACK = "general_winback", _("General customer to win back")
    NO_PURCHASE = "no_purchase", _("No purchases")


class Portfolio(models.TextChoices):
    """Portfolio quadrant (SPEC B.6): prospects of what they buy × their own growth."""

    STAR = "star", _("Star")
    AGEING = "ageing", _("Ageing")
    CAUTIOUS = "cautious", _("Trade cautiously")
    DROP = "drop", _("To drop")
    UNCLASSIFIED = "", _("Not classified")


class PyramidBasis(models.TextChoices):
    ARPU = "arpu", _("Monthly ARPU")
    REVENUE = "revenue", _("Average monthly revenue of the last 12 months")


class SegmentKind(models.TextChoices):
    RULE = "rule", _("Rule (dynamic)")
    PYRAMID = "pyramid", _("Value pyramid")
    ABC = "abc", _("ABC class")
    RFM = "rfm", _("RFM cell")
    CLUSTER = "cluster", _("Cluster")


SYSTEM_KINDS = (SegmentKind.PYRAMID, SegmentKind.ABC, SegmentKind.RFM, SegmentKind.CLUSTER)


class ServiceLevel(models.TextChoices):
    """Tiered service (分层服务, SPEC B.4)."""

    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    STANDARD = "standard", pgettext_lazy("service level", "Standard")


class ServiceMode(models.TextChoices):
    DEDICATED = "dedicated", _("Dedicated account manager")
    PRIORITY_HOTLINE = "priority_hotline", _("Priority hotline")
    OUTLET = "outlet", _("Outlet and hotline")
    SELF_SERVICE = "self_service", _("Self-service first")


class RunStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("run status", "Running")
    DONE = "done", pgettext_lazy("run status", "Done")
    FAILED = "failed", pgettext_lazy("run status", "Failed")


class ContactFrequency(models.TextChoices):
    """How often a customer contacts the call center (与呼叫中心接触频次), from the interaction history."""

    NEVER = "never", _("Never")
    RARELY = "rarely", _("Rarely")
    OFTEN = "often", _("Often")
    VERY_OFTEN = "very_often", _("Very often")
