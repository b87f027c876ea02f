import pytest
from django.core import mail
from django.db import transaction

from guanxi.core.errors import ValidationFailed
from guanxi.integrations.messaging.enums import MessageStatus
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.integrations.messaging.selectors import message_list
from guanxi.integrations.messaging.services import message_deliver, message_send

pytestmark = pytest.mark.django_db


class BrokenBackend:
    def send(self, message):
        raise ConnectionError("provider down")


def test_message_is_stored_then_delivered_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = message_send(channel="sms", recipient="+8613800138000", body="您的验证码是 123456")
        assert OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at is not None and message.error == ""
    assert message.backend.endswith("LocalBackend")
    assert list(message_list(recipient="+8613800138000")) == [message]


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                message_send(channel="email", recipient="a@example.com", subject="s", body="b")
                raise RuntimeError("request failed")
        except RuntimeError:
            pass
    assert callbacks == [] and not OutboundMessage.objects.exists()


def test_invalid_messages_are_refused():
    with pytest.raises(ValidationFailed) as exc:
        message_send(channel="fax", recipient="", body="")
    assert set(exc.value.fields) == {"channel", "recipient", "body"}
    with pytest.raises(ValidationFailed):
        message_send(channel="email", recipient="+8613800138000", body="x")


def test_backend_failure_is_recorded(settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_BACKENDS = {"sms": f"{__name__}.BrokenBackend"}
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(channel="sms", recipient="+8613800138000", body="hi")
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "provider down" in message.error


def test_django_email_backend(settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_BACKENDS = {"email": "guanxi.integrations.messaging.backends.DjangoEmailBackend"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(channel="email", recipient="a@example.com", subject="主题", body="正文")
    assert message_deliver(message_id=message.pk).status == MessageStatus.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.com"]


def test_outbox_is_readable_in_admin(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message_send(channel="sms", recipient="+8613800138000", body="您的验证码是 654321")
    response = admin_client.get("/admin/messaging/outboundmessage/")
    assert response.status_code == 200 and "+8613800138000" in response.content.decode()


def test_queued_messages_are_delivered_in_batches_once_each_failures_recorded(monkeypatch):
    from guanxi.integrations.messaging import services
    from guanxi.integrations.messaging.backends import LocalBackend

    monkeypatch.setattr(services, "DELIVERY_BATCH", 2)
    original = LocalBackend.send

    def send(self, message):
        if message.recipient == "+8613800000003":
            raise RuntimeError("provider down")
        original(self, message)

    monkeypatch.setattr(LocalBackend, "send", send)
    ids = services.message_queue_many(messages=[
        {"channel": "sms", "recipient": f"+861380000000{i}", "body": f"第 {i} 条"} for i in range(5)])
    assert services.messages_deliver_queued(limit=4) == 4
    statuses = dict(OutboundMessage.objects.filter(pk__in=ids).values_list("recipient", "status"))
    assert [statuses[f"+861380000000{i}"] for i in range(5)] == [
        MessageStatus.SENT, MessageStatus.SENT, MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.QUEUED]
    assert OutboundMessage.objects.get(recipient="+8613800000003").error == "provider down"
    assert services.messages_deliver_queued() == 1 and services.messages_deliver_queued() == 0
    assert OutboundMessage.objects.filter(pk__in=ids, status=MessageStatus.SENT).count() == 4
