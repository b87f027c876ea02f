from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel


class DataRequest(TimeStampedModel):
    """A data subject's request (个人信息主体请求) under PIPL: an export of what is held about them
    (done at once) or an erasure (requested, reviewed, executed). The row is the audit of the request;
    after an erasure it still names the customer record (now anonymous) by its id."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXECUTED = "executed", _("Executed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="data_requests"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("executed by"),
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    # Rows changed per table (erasure) or rows exported per section (export): what was done, no values.
    result = models.JSONField(_("result"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "kind"], name="datarequest_customer_kind"),
            models.Index(fields=["status", "-created_at"], name="datarequest_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class PersonalDataAccess(models.Model):
    """One showing of unmasked personal data to a member of staff (PIPL: access to personal data is
    logged): who, when, which customer, which fields, where (a page, the API, an export) and the
    request's id. Pages and API calls write one row per customer shown (one insert per request);
    an export writes one row for its whole file, with the customers' count and ids."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")
        EXPORT = "export", _("Export")

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("staff user"))
    # No database constraint: the log never blocks (nor is blocked by) the customer table, and the
    # customer's id stays meaningful after an erasure (the record is kept, anonymous).
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.DO_NOTHING,
                                 db_constraint=False, related_name="+", verbose_name=_("customer"))
    customer_count = models.PositiveIntegerField(_("customers"), default=1)
    # An export's customers as ",1,2,3," (a portable "contains" finds one of them).
    customer_ids = models.TextField(_("customer ids"), blank=True)
    fields = models.CharField(_("fields"), max_length=300)
    channel = models.CharField(_("where"), max_length=10, choices=Channel.choices)
    path = models.CharField(_("path"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="pdaccess_user_at"),
            models.Index(fields=["customer", "-at"], name="pdaccess_customer_at"),
            models.Index(fields=["channel", "-at"], name="pdaccess_channel_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {self.at:%Y-%m-%d %H:%M}"


class RetentionKind(models.TextChoices):
    """The kinds of personal data that a retention rule (保存期限规则) governs."""

    CALLS = "calls", _("Call records and CTI events")
    OUTBOUND_MESSAGES = "outbound_messages", _("Sent SMS and e-mail")
    INBOUND_SMS = "inbound_sms", _("Inbound SMS")
    LEADS = "leads", _("Unconverted leads")
    IMPORT_FILES = "import_files", _("Customer import files")
    ACCESS_LOG = "access_log", _("Personal data access log")
    PORTAL_ACCOUNTS = "portal_accounts", _("Inactive portal accounts")
    CLOSED_CUSTOMERS = "closed_customers", _("Closed customers")


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")


# What may happen to each kind after its period: only what makes sense for it (a log entry or a portal
# account has nothing left worth keeping once anonymised; a closed customer's orders and cases must
# stay, so the customer is anonymised, never deleted).
KIND_ACTIONS = {
    RetentionKind.CALLS: (RetentionAction.ANONYMISE, RetentionAction.DELETE),
    RetentionKind.OUTBOUND_MESSAGES: (RetentionAction.ANONYMISE, RetentionAction.DELETE),
    RetentionKind.INBOUND_SMS: (RetentionAction.ANONYMISE, RetentionAction.DELETE),
    RetentionKind.LEADS: (RetentionAction.ANONYMISE, RetentionAction.DELETE),
    RetentionKind.IMPORT_FILES: (RetentionAction.ANONYMISE, RetentionAction.DELETE),
    RetentionKind.ACCESS_LOG: (RetentionAction.DELETE,),
    RetentionKind.PORTAL_ACCOUNTS: (RetentionAction.DELETE,),
    RetentionKind.CLOSED_CUSTOMERS: (RetentionAction.ANONYMISE,),
}
# The shortest period an administrator may set: the access log is kept at least six months (网络安全法
# art. 21 keeps network logs that long), a closed customer at least a year; the rest a month.
MIN_DAYS = {RetentionKind.ACCESS_LOG: 180, RetentionKind.CLOSED_CUSTOMERS: 365}
DEFAULT_MIN_DAYS = 30
MAX_DAYS = 7300


class RetentionRule(TimeStampedModel):
    """How long one kind of personal data is kept (PIPL art. 19: no longer than needed) and what
    happens after: deleted or anonymised. One row per kind, edited by the privacy officer; the daily
    sweep (`retention.retention_sweep`) applies the enabled ones."""

    kind = models.CharField(_("kind of data"), max_length=20, choices=RetentionKind.choices, unique=True)
    period_days = models.PositiveIntegerField(_("kept for (days)"))
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    is_enabled = models.BooleanField(_("enabled"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_days__gte=1, period_days__lte=36500),
                                   name="retention_period_in_range"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        return tuple(KIND_ACTIONS.get(self.kind, ()))

    @property
    def min_days(self) -> int:
        return MIN_DAYS.get(self.kind, DEFAULT_MIN_DAYS)


class RetentionRun(models.Model):
    """One sweep of one retention rule (the audit, PIPL art. 19): when, by whom (empty: the system),
    the rule as it was, how many rows were past the period, how many were deleted or anonymised
    (per table in `changed`) and how many were kept for a legal hold or open business. Written in
    the same transaction as each batch, so a crashed run's row counts what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("run status", "Running")
        DONE = "done", pgettext_lazy("run status", "Done")
        PARTIAL = "partial", _("Stopped at the batch limit")
        FAILED = "failed", pgettext_lazy("run status", "Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    kind = models.CharField(_("kind of data"), max_length=20, choices=RetentionKind.choices)
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    period_days = models.PositiveIntegerField(_("kept for (days)"))
    cutoff = models.DateTimeField(_("older than"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("run by"))
    started_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("last batch"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expired = models.PositiveIntegerField(_("past the period"), default=0)
    processed = models.PositiveIntegerField(_("deleted or anonymised"), default=0)
    kept = models.PositiveIntegerField(_("kept (hold or open business)"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    changed = models.JSONField(_("rows per table"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="retention_run_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
