from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .calendars import BusinessCalendar
from .tickets import Ticket, TicketAssignment


class Commitment(TimeStampedModel):
    """A service commitment (服务承诺): what a member of staff promised a customer — a callback by a
    time, a technician's visit, a refund by a date — on a case or on the customer, and whether it
    was kept. An open promise past its due time is broken by the sweep, which raises a follow-up."""

    class Kind(models.TextChoices):
        CALLBACK = "callback", pgettext_lazy("promise", "Call back")
        VISIT = "visit", pgettext_lazy("promise", "Technician visit")
        REFUND = "refund", pgettext_lazy("promise", "Refund")
        REPLACEMENT = "replacement", pgettext_lazy("promise", "Replacement")
        ANSWER = "answer", pgettext_lazy("promise", "Answer / information")
        OTHER = "other", pgettext_lazy("promise", "Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("promise", "Open")
        KEPT = "kept", pgettext_lazy("promise", "Kept")
        BROKEN = "broken", pgettext_lazy("promise", "Broken")
        WITHDRAWN = "withdrawn", pgettext_lazy("promise", "Withdrawn")

    kind = models.CharField(_("kind of promise"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("what was promised"), max_length=500)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="commitments")
    ticket = models.ForeignKey(Ticket, verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="commitments")
    promised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("promised by"),
                                    on_delete=models.PROTECT, related_name="commitments")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="commitments",
                             help_text=_("the promiser's team when the promise was made"))
    promised_at = models.DateTimeField(_("promised at"))
    due_at = models.DateTimeField(_("due at"))
    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("business calendar"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    working_minutes = models.PositiveIntegerField(
        _("within (working minutes)"), null=True, blank=True,
        help_text=_("for a promise within working time: the due time counts on the business calendar"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True,
                                     help_text=_("when it was kept, broken or withdrawn"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text=_("empty when the sweep found it broken"))
    reason = models.TextField(_("reason"), blank=True)
    follow_up_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("follow-up by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="commitment_follow_ups")
    follow_up_at = models.DateTimeField(_("follow-up raised at"), null=True, blank=True)
    follow_up_assignment = models.ForeignKey(TicketAssignment, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(customer__isnull=False) | models.Q(ticket__isnull=False),
                                   name="commitment_to_a_customer_or_on_a_case"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="commitment_status_due"),
            models.Index(fields=["due_at", "id"], name="commitment_due"),
            models.Index(fields=["customer", "-promised_at"], name="commitment_customer_recent"),
            models.Index(fields=["customer", "-closed_at"], name="commitment_customer_closed"),
            models.Index(fields=["promised_by", "status", "due_at"], name="commitment_promiser_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
