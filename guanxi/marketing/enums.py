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


class CampaignStatus(models.TextChoices):
    """A campaign's life: draft → scheduled (launched: members frozen) → running → completed, or cancelled."""

    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("campaign", "Scheduled")
    RUNNING = "running", pgettext_lazy("campaign", "Running")
    COMPLETED = "completed", pgettext_lazy("campaign", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


EDITABLE_STATUSES = (CampaignStatus.DRAFT,)
LIVE_STATUSES = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)


class CampaignChannel(models.TextChoices):
    """How a campaign reaches its members (营销渠道)."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    CALL = "call", pgettext_lazy("campaign channel", "Call")


class OptOutChannel(models.TextChoices):
    """What a customer unsubscribed from (退订): one channel or all marketing."""

    ALL = "all", _("All marketing")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    CALL = "call", pgettext_lazy("campaign channel", "Call")


class OptOutSource(models.TextChoices):
    REPLY = "reply", _("Replied TD")
    LINK = "link", _("Unsubscribe link")
    STAFF = "staff", _("Recorded by staff")


class MemberStatus(models.TextChoices):
    """Where one member of a campaign stands; the funnel's steps in order."""

    PENDING = "pending", pgettext_lazy("campaign member", "Waiting to be sent")
    SENT = "sent", pgettext_lazy("campaign member", "Sent")
    DELIVERED = "delivered", pgettext_lazy("campaign member", "Delivered")
    OPENED = "opened", pgettext_lazy("campaign member", "Opened or clicked")
    RESPONDED = "responded", pgettext_lazy("campaign member", "Responded")
    CONVERTED = "converted", pgettext_lazy("campaign member", "Converted")
    OPTED_OUT = "opted_out", pgettext_lazy("campaign member", "Opted out")
    SKIPPED = "skipped", pgettext_lazy("campaign member", "Skipped (opted out)")
    FAILED = "failed", pgettext_lazy("campaign member", "Not reachable")


FUNNEL = (MemberStatus.SENT, MemberStatus.DELIVERED, MemberStatus.OPENED, MemberStatus.RESPONDED,
          MemberStatus.CONVERTED)


class ResponseKind(models.TextChoices):
    """What a member answered (活动响应)."""

    INTERESTED = "interested", _("Interested")
    QUESTION = "question", _("Asked a question")
    NOT_INTERESTED = "not_interested", _("Not interested")
    PURCHASED = "purchased", _("Bought")
    UNSUBSCRIBE = "unsubscribe", _("Asked to unsubscribe")


class ExpenseCategory(models.TextChoices):
    """What a campaign's money went on (费用类别)."""

    MESSAGING = "messaging", _("SMS and e-mail fees")
    ADVERTISING = "advertising", _("Advertising")
    EVENT = "event", _("Event and venue")
    GIFTS = "gifts", _("Gifts and samples")
    PRINTING = "printing", _("Printing")
    STAFF = "staff", _("Staff and travel")
    OTHER = "other", _("Other")


class ExpenseStatus(models.TextChoices):
    """An expense claim (费用报销) waits for the manager's decision."""

    SUBMITTED = "submitted", pgettext_lazy("expense", "Submitted")
    APPROVED = "approved", pgettext_lazy("expense", "Approved")
    REJECTED = "rejected", pgettext_lazy("expense", "Rejected")
