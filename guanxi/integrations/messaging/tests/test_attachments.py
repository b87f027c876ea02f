"""Attachments: kept privately with the queued message, sent as MIME parts by the e-mail backend,
refused on a channel that cannot carry them."""

import pytest
from django.core import mail

from guanxi.core.errors import ValidationFailed
from guanxi.integrations.messaging.attachments import Attachment, message_attachments
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.integrations.messaging.services import message_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MESSAGING_BACKENDS = {"email": "guanxi.integrations.messaging.backends.DjangoEmailBackend",
                                   "sms": "guanxi.integrations.messaging.backends.LocalBackend"}


def test_email_attachments_are_real_mime_parts(django_capture_on_commit_callbacks, tmp_path):
    files = [Attachment("日报/../2026.xlsx", "application/vnd.ms-excel", b"PK\x03\x04data"),
             Attachment("日报.pdf", "application/pdf", b"%PDF-1.4 x")]
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(channel="email", recipient="a@example.cn", subject="日报", body="见附件",
                               attachments=files)
    assert [(a.filename, a.content) for a in message_attachments(message)] == [
        ("日报..2026.xlsx", b"PK\x03\x04data"), ("日报.pdf", b"%PDF-1.4 x")]
    assert (tmp_path / "media" / "messages" / str(message.pk) / "manifest.json").is_file()
    sent = mail.outbox[0]
    assert sent.to == ["a@example.cn"] and sent.attachments[1] == ("日报.pdf", b"%PDF-1.4 x", "application/pdf")
    assert "filename" in sent.message().as_string()
    message.refresh_from_db()
    assert message.status == "sent"


def test_attachments_are_refused_where_the_channel_cannot_carry_them():
    with pytest.raises(ValidationFailed) as refused:
        message_send(channel="sms", recipient="+8613800138000", body="x",
                     attachments=[Attachment("a.pdf", "application/pdf", b"x")])
    assert "attachments" in refused.value.fields
    with pytest.raises(ValidationFailed):
        message_send(channel="email", recipient="a@example.cn", body="x",
                     attachments=[Attachment("", "application/pdf", b"x")])
    assert not OutboundMessage.objects.exists()
