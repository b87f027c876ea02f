"""Delivery backends. `settings.MESSAGING_BACKENDS` names one class per channel; a backend's
`send(message)` returns normally when the message is handed over and raises otherwise."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from .attachments import message_attachments
from .enums import MessageChannel
from .models import OutboundMessage

logger = logging.getLogger("guanxi.messaging")

DEFAULT_BACKENDS = {
    MessageChannel.SMS: "guanxi.integrations.messaging.backends.LocalBackend",
    MessageChannel.EMAIL: "guanxi.integrations.messaging.backends.LocalBackend",
}


class BaseBackend:
    def send(self, message: OutboundMessage) -> None:
        raise NotImplementedError


class LocalBackend(BaseBackend):
    """No provider: the message counts as sent and is written to the log; the outbox (admin) shows it."""

    def send(self, message: OutboundMessage) -> None:
        files = ", ".join(f"{a.filename} ({len(a.content)} bytes)" for a in message_attachments(message))
        logger.info("%s to %s: %s %s%s", message.channel, message.recipient, message.subject, message.body,
                    f" [{files}]" if files else "")

    @staticmethod
    def simulate_reply(*, phone: str, text: str, now=None):
        """Development: the customer at `phone` replies `text`, as a provider's inbound webhook would
        deliver it (see `inbound.sms_inbound_receive`)."""
        from .inbound import sms_inbound_receive

        return sms_inbound_receive(phone=phone, text=text, now=now)


class DjangoEmailBackend(BaseBackend):
    """E-mail through Django's configured EMAIL_BACKEND (SMTP, console, file…), with the message's
    attachments as MIME parts."""

    def send(self, message: OutboundMessage) -> None:
        if message.channel != MessageChannel.EMAIL:
            raise ValueError("DjangoEmailBackend sends e-mail only")
        email = EmailMessage(message.subject, message.body, None, [message.recipient])
        for attachment in message_attachments(message):
            email.attach(attachment.filename, attachment.content, attachment.content_type)
        email.send(fail_silently=False)


def backend_path_for(channel: str) -> str:
    configured = getattr(settings, "MESSAGING_BACKENDS", None) or {}
    return configured.get(channel) or DEFAULT_BACKENDS[channel]


def backend_for(channel: str) -> BaseBackend:
    return import_string(backend_path_for(channel))()
