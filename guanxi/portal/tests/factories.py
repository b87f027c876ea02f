import re

from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.portal.services import portal_account_create

PORTAL_PASSWORD = "Kehu-mima-2026"


def make_account(actor=None, *, password=PORTAL_PASSWORD, **customer_fields):
    """A customer (created by an administrator) with a portal account."""
    actor = actor or UserFactory(role="admin")
    customer_fields.setdefault("mobile", "13800138000")
    customer = make_customer(actor, **customer_fields)
    return portal_account_create(actor=actor, customer=customer, password=password)


def code_from_outbox(recipient: str) -> str:
    """The six digits of the newest message to a recipient."""
    message = OutboundMessage.objects.filter(recipient=recipient).order_by("-created_at", "-id").first()
    assert message is not None, f"no message to {recipient}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)
