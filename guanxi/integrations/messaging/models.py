from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel

from .enums import InboundStatus, MessageChannel, MessageStatus


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


class InboundSms(models.Model):
    """The inbound-SMS inbox (上行短信收件箱): a reply as the provider's hook delivered it, stored by one
    INSERT before anything is done with it, then applied once by `inbound.sms_inbox_apply` (status
    pending → applied, or failed with the error). `message_key` is the provider's message id (else the
    request's signature), unique: a re-delivered reply is not stored twice."""

    message_key = models.CharField(_("message id"), max_length=120, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(_("status"), max_length=10, choices=InboundStatus.choices,
                              default=InboundStatus.PENDING)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["message_key"], name="inbound_sms_message_key")]
        indexes = [
            models.Index(fields=["id"], name="inbound_sms_pending", condition=models.Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.phone}: {self.text[:30]}"
