from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LeadSource(models.TextChoices):
    """Where a lead came from (线索来源)."""

    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Entered by staff")
    API = "api", _("API")
    OUTLET = "outlet", _("Outlet")
    EVENT = "event", _("Event / exhibition")
    PARTNER = "partner", _("Partner")
    CAMPAIGN = "campaign", pgettext_lazy("lead source", "Campaign")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("lead", "New")
    CONTACTED = "contacted", pgettext_lazy("lead", "Contacted")
    QUALIFIED = "qualified", pgettext_lazy("lead", "Qualified")
    DISQUALIFIED = "disqualified", pgettext_lazy("lead", "Disqualified")
    CONVERTED = "converted", pgettext_lazy("lead", "Converted")


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class DisqualifyReason(models.TextChoices):
    """Why a lead was dropped (无效原因)."""

    NO_NEED = "no_need", _("No need")
    NO_BUDGET = "no_budget", _("No budget")
    UNREACHABLE = "unreachable", _("Cannot be reached")
    COMPETITOR = "competitor", _("Chose a competitor")
    DUPLICATE = "duplicate", _("Duplicate of another lead or customer")
    INVALID = "invalid", _("False or spam information")
    OTHER = "other", _("Other")


class Timeline(models.TextChoices):
    """When the lead means to buy (购买时间)."""

    MONTH = "month", _("Within a month")
    QUARTER = "quarter", _("Within three months")
    HALF_YEAR = "half_year", _("Within six months")
    LATER = "later", _("Later than six months")
    UNKNOWN = "unknown", _("Unknown")


class Authority(models.TextChoices):
    """Who the contact is in the buying decision (决策权)."""

    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influences the decision")
    USER = "user", _("User only")
    UNKNOWN = "unknown", _("Unknown")
