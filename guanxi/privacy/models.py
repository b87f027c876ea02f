from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
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
