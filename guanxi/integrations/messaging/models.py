from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel

from .enums import MessageChannel, MessageStatus


class OutboundMessage(TimeStampedModel):
    """An SMS or e-mail sent by the system (发件箱): what, to whom, and whether the backend took it."""

    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    backend = models.CharField(_("backend"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="outbound_recipient_recent"),
            models.Index(fields=["status", "created_at"], name="outbound_status_created"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}"
