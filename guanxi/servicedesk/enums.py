from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    QUERY = "query", _("Query")
    COMPLAINT = "complaint", _("Complaint")
    FAULT = "fault", _("Fault / repair")
    SUGGESTION = "suggestion", _("Suggestion")
    INSTALLATION = "installation", _("Installation")
    MOVING = "moving", _("Moving")
    ACTIVATION = "activation", _("Activation")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline / IVR")
    OUTLET = "outlet", _("Outlet")
    KEY_ACCOUNTS = "key_accounts", _("Key-account department")
    WEB = "web", _("Web self-service")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    OPEN = "open", _("In progress")
    PENDING_CUSTOMER = "pending_customer", _("Pending on customer")
    PENDING_THIRD_PARTY = "pending_third_party", _("Pending on third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


class Metric(models.TextChoices):
    """What a service standard (服务指标) times."""

    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    INSTALLATION = "installation", _("Installation time limit")
    MOVING = "moving", _("Moving time limit")
    FAULT_REPAIR = "fault_repair", _("Fault-repair time limit")
    HOTLINE_ANSWER = "hotline_answer", _("Hotline answer")
    CALLBACK = "callback", _("Callback")


class CustomerTier(models.TextChoices):
    """Value pyramid tiers that standards can target; '' matches every customer."""

    ANY = "", _("Any customer")
    VIP = "vip", _("VIP")
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class BreachAction(models.TextChoices):
    NOTIFY = "notify", _("Notify the owner")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")
    REASSIGN = "reassign", _("Reassign to the team lead")
    ESCALATE = "escalate", _("Escalate to the service manager")


class ComplaintStage(models.TextChoices):
    """The complaint workflow (投诉处理流程), in order."""

    RECEIVED = "received", _("Received")
    RECORDED = "recorded", _("Recorded")
    CLASSIFIED = "classified", _("Classified")
    ASSESSED = "assessed", _("Communicated and assessed")
    FORWARDED = "forwarded", _("Forwarded to the responsible department")
    FOLLOWING_UP = "following_up", _("Following up")
    REPLIED = "replied", _("Replied to the customer")
    VERIFIED = "verified", _("Result verified")


class ComplaintSeverity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Could not reach the customer")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")


class CtiEventType(models.TextChoices):
    CALL_STARTED = "call_started", _("Call started")
    CALL_ANSWERED = "call_answered", _("Call answered")
    CALL_ENDED = "call_ended", _("Call ended")
    IVR_KEY = "ivr_key", _("IVR key press")
