from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel
from guanxi.core.uploads import random_upload_name
from guanxi.core.versioning import VersionedModel

from ..enums import Channel, ClockState, CustomerTier, Metric, Priority, TicketStatus, TicketType
from ..events import event_text
from .standards import ServiceStandard

OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.PENDING_THIRD_PARTY)
IS_OPEN = models.Q(status__in=[s.value for s in OPEN_STATUSES])


class TicketCategory(TimeStampedModel):
    """A node of the case category tree (业务分类)."""

    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_in_parent")]

    def __str__(self):
        return f"{self.parent} / {self.name}" if self.parent_id else self.name


class Ticket(VersionedModel, TimeStampedModel):
    """A service case (工单) on any channel. The owner (首问负责人) keeps it to the end; assignees
    in other departments work on it through assignments."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TicketType.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(TicketCategory, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    # No index of their own: ticket_customer_recent and ticket_recent lead with these columns. Every
    # index is written again by each update that cannot stay on its page (the sweep's breaches).
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tickets", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    customer_tier = models.CharField(_("customer tier"), max_length=10, choices=CustomerTier.choices, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_tickets")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="tickets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_tickets")
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    breached_at = models.DateTimeField(_("first breach"), null=True, blank=True,
                                       help_text=_("when a service standard of this case was first breached"))
    history = HistoricalRecords(excluded_fields=["next_due_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # The queues list open cases by next due time: partial indexes over open cases only give
        # that order directly, so a page is an index range scan however many cases are closed.
        indexes = [
            # The id ends each key because it ends the ORDER BY (a stable page order): the index
            # then gives the page's exact order and a LIMIT stops early, whatever the estimates.
            models.Index(fields=["next_due_at", "id"], condition=IS_OPEN, name="ticket_open_due_id"),
            models.Index(fields=["owner", "next_due_at", "id"], condition=IS_OPEN, name="ticket_open_owner_due_id"),
            models.Index(fields=["team", "next_due_at", "id"], condition=IS_OPEN, name="ticket_open_team_due_id"),
            models.Index(fields=["next_due_at", "id"], condition=IS_OPEN & models.Q(breached_at__isnull=False),
                         name="ticket_open_breached_due_id"),
            models.Index(fields=["status", "next_due_at"], name="ticket_status_due"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_recent"),
            models.Index(fields=["-created_at"], name="ticket_recent"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == TicketStatus.PENDING_CUSTOMER


def attachment_upload_to(instance, filename: str) -> str:
    return random_upload_name("tickets", filename)


class TicketMessage(TimeStampedModel):
    """A reply to the customer, a message from them, or an internal note.

    A `customer` message is the customer's own words, written through a customer channel (portal,
    e-mail, SMS, phone system) and so without a staff author; what a customer told a member of
    staff is `recorded`: a note, signed by that member of staff, that says so."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to customer")
        CUSTOMER = "customer", _("From customer")
        NOTE = "note", _("Internal note")
        RECORDED = "recorded", _("Customer's words, recorded by staff")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(_("text"))
    # Stored under a random name (never served directly); the uploader's name is kept for the download.
    attachment = models.FileField(_("attachment"), upload_to=attachment_upload_to, max_length=200, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=255, blank=True)
    # A note the system wrote: its code and parameters, put into words when shown (see events.py).
    event = models.CharField(_("system event"), max_length=40, blank=True)
    event_params = models.JSONField(_("event parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "id"]

    @property
    def text(self) -> str:
        """What the message says, in the reader's language for the system's own notes."""
        return event_text(self.event, self.event_params) if self.event else self.body

    @property
    def is_system(self) -> bool:
        """Written by the system, not by a person: signed as the system."""
        return self.author_id is None and self.kind != self.Kind.CUSTOMER

    @property
    def attachment_filename(self) -> str:
        return self.attachment_name if self.attachment else ""


class TicketAssignment(TimeStampedModel):
    """Work handed to someone (possibly in another department) with a hand-over note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    handover_note = models.TextField(_("hand-over note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["assignee", "is_active"], name="assignment_assignee_active")]


class TicketClock(TimeStampedModel):
    """One service standard running on one case. `due_at` is empty while the case is paused."""

    # No index of its own: one_clock_per_metric leads with the case.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks", db_index=False)
    standard = models.ForeignKey(ServiceStandard, on_delete=models.PROTECT, related_name="clocks")
    created_at = models.DateTimeField(auto_now_add=True)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    target_minutes = models.PositiveIntegerField(_("target (working minutes)"))
    started_at = models.DateTimeField(_("started at"))
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service clock")
        verbose_name_plural = _("service clocks")
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["ticket", "metric"], name="one_clock_per_metric")]
        indexes = [
            models.Index(fields=["state", "due_at"], name="clock_state_due"),
            models.Index(fields=["state", "warn_at"], name="clock_state_warn"),
        ]

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None


class ClockPause(models.Model):
    """A stretch during which the case's clocks stood still, with the reason (pending on customer…)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.reason}"
