from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

from .kinds import kind_label


class Task(TimeStampedModel):
    """Something a person (or a team) must do by a time: a visit, a call, a follow-up, a hand-over…
    Created by any module through `services.task_create`; `source` is the record that asked for it
    (an opportunity, a case, a campaign), shown with its label and link."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task", "Open")
        DONE = "done", pgettext_lazy("task", "Done")
        CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")

    class Priority(models.IntegerChoices):
        LOW = 1, pgettext_lazy("task", "Low")
        NORMAL = 2, pgettext_lazy("task", "Normal")
        HIGH = 3, pgettext_lazy("task", "High")
        URGENT = 4, pgettext_lazy("task", "Urgent")

    # No choices here: the kinds are a registry (`kinds.py`) other modules may extend.
    kind = models.CharField(_("kind"), max_length=30)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    # No index of its own: (customer, created_at) and (customer, closed_at) below serve it.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tasks", db_index=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="tasks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", help_text=_("empty: the system"))
    start_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    all_day = models.BooleanField(_("all day"), default=False)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("what came of it, or why it was cancelled"))
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(_("source link"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_at__isnull=True) | models.Q(start_at__lte=models.F("due_at")),
                name="task_starts_before_due"),
            models.CheckConstraint(condition=models.Q(assignee__isnull=False) | models.Q(team__isnull=False),
                                   name="task_has_assignee_or_team"),
        ]
        indexes = [
            # "My work today": open tasks of an assignee (or a team's unassigned ones) by due date.
            models.Index(fields=["assignee", "due_at", "id"], name="task_assignee_open_due",
                         condition=models.Q(status="open")),
            models.Index(fields=["team", "due_at", "id"], name="task_team_open_due",
                         condition=models.Q(status="open")),
            # Calendars and filtered lists over every status.
            models.Index(fields=["assignee", "due_at"], name="task_assignee_due"),
            models.Index(fields=["team", "due_at"], name="task_team_due"),
            models.Index(fields=["created_by", "due_at"], name="task_creator_due"),
            models.Index(fields=["due_at", "id"], name="task_due"),
            models.Index(fields=["customer", "-created_at"], name="task_customer_created"),
            models.Index(fields=["customer", "-closed_at"], name="task_customer_closed"),
            models.Index(fields=["source_type", "source_id"], name="task_source"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def get_kind_display(self) -> str:
        return kind_label(self.kind)


class TaskReminder(models.Model):
    """One appointment reminder (预约提醒) of a task: sent once, at or after `remind_at`."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    remind_at = models.DateTimeField(_("remind at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    message = models.ForeignKey("messaging.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    skipped = models.CharField(_("not sent because"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("task reminder")
        verbose_name_plural = _("task reminders")
        ordering = ["remind_at", "id"]
        indexes = [models.Index(fields=["remind_at", "id"], name="task_reminder_pending",
                                condition=models.Q(sent_at__isnull=True))]

    def __str__(self):
        return f"{self.task_id} @ {self.remind_at:%Y-%m-%d %H:%M}"


class TaskHandOver(models.Model):
    """A task passed from one person or team to another (交接), with a note for the next one."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="hand_overs")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    from_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    from_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    to_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    to_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("hand-over note"), blank=True)

    class Meta:
        verbose_name = _("task hand-over")
        verbose_name_plural = _("task hand-overs")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.task_id}: {self.from_team} → {self.to_team}"
