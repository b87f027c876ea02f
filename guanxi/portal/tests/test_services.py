import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.accounts.access import customer_actor
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.enums import MessageStatus
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.portal.errors import LoginFailed
from guanxi.portal.models import OneTimeCode, PortalAccount
from guanxi.portal.services import (
    portal_account_create,
    portal_code_request,
    portal_login_with_code,
    portal_login_with_password,
    portal_password_set,
)

from .factories import PORTAL_PASSWORD, code_from_outbox, make_account

pytestmark = pytest.mark.django_db
LOGIN = "+8613800138000"


@pytest.fixture
def account(admin):
    return make_account(admin)


def request_code(capture, login=LOGIN, now=None):
    with capture(execute=True):
        return portal_code_request(login=login, now=now)


# ---------------------------------------------------------------- accounts


def test_account_login_is_the_customers_normalised_mobile(admin):
    customer = make_customer(admin, mobile="138-0013-8000")
    account = portal_account_create(actor=admin, customer=customer)
    assert account.login == LOGIN and account.password == "" and account.created_by == admin
    with pytest.raises(Conflict):
        portal_account_create(actor=admin, customer=customer)


def test_account_by_email_and_weak_password_refused(admin):
    customer = make_customer(admin, email="Li.Si@Example.COM")
    with pytest.raises(ValidationFailed) as exc:
        portal_account_create(actor=admin, customer=customer, password="123456")
    assert "password" in exc.value.fields
    account = portal_account_create(actor=admin, customer=customer, password=PORTAL_PASSWORD)
    assert account.login == "li.si@example.com" and account.code_channel == "email"
    assert account.password != PORTAL_PASSWORD  # hashed


def test_customer_without_mobile_or_email_gets_no_account(admin):
    with pytest.raises(ValidationFailed):
        portal_account_create(actor=admin, customer=make_customer(admin))


def test_management_command_creates_account(admin):
    customer = make_customer(admin, mobile="13900139000")
    call_command("portal_account_create", customer.code, "--password", PORTAL_PASSWORD)
    assert PortalAccount.objects.get(customer=customer).login == "+8613900139000"


# ---------------------------------------------------------------- password


def test_password_login(account):
    signed_in = portal_login_with_password(login="138 0013 8000", password=PORTAL_PASSWORD)
    assert signed_in.pk == account.pk
    account.refresh_from_db()
    assert account.last_login_at is not None and account.failed_login_count == 0


def test_wrong_password_and_unknown_login_fail_alike(account):
    with pytest.raises(LoginFailed) as wrong:
        portal_login_with_password(login=LOGIN, password="not-it")
    with pytest.raises(LoginFailed) as unknown:
        portal_login_with_password(login="13911112222", password="not-it")
    assert wrong.value.message == unknown.value.message
    account.refresh_from_db()
    assert account.failed_login_count == 1  # counted although the service raised


def test_five_failures_lock_the_account_for_15_minutes(account):
    now = timezone.now()
    for _ in range(5):
        with pytest.raises(LoginFailed):
            portal_login_with_password(login=LOGIN, password="wrong", now=now)
    account.refresh_from_db()
    assert account.locked_until == now + dt.timedelta(minutes=15)
    with pytest.raises(LoginFailed):  # even the right password
        portal_login_with_password(login=LOGIN, password=PORTAL_PASSWORD, now=now + dt.timedelta(minutes=14))
    assert portal_login_with_password(login=LOGIN, password=PORTAL_PASSWORD, now=now + dt.timedelta(minutes=16))


def test_inactive_account_cannot_sign_in(account):
    PortalAccount.objects.filter(pk=account.pk).update(is_active=False)
    with pytest.raises(LoginFailed):
        portal_login_with_password(login=LOGIN, password=PORTAL_PASSWORD)


def test_password_set(admin):
    customer = make_customer(admin, mobile="13700137000")
    account = portal_account_create(actor=admin, customer=customer)
    with pytest.raises(LoginFailed):
        portal_login_with_password(login="13700137000", password="")
    portal_password_set(actor=customer_actor(account.customer), account=account, password="Xin-mima-2026")
    assert portal_login_with_password(login="13700137000", password="Xin-mima-2026").pk == account.pk


# ---------------------------------------------------------------- one-time codes


def test_code_is_sent_through_the_outbox_and_signs_in(account, django_capture_on_commit_callbacks):
    otc = request_code(django_capture_on_commit_callbacks)
    assert otc is not None and otc.channel == "sms"
    message = OutboundMessage.objects.get(recipient=LOGIN)
    assert message.channel == "sms" and message.status == MessageStatus.SENT and message.sent_at
    code = code_from_outbox(LOGIN)
    assert otc.code_hash != code and len(otc.code_hash) >= 40  # a digest is stored, never the code
    assert portal_login_with_code(login=LOGIN, code=code).pk == account.pk
    with pytest.raises(LoginFailed):  # used once only
        portal_login_with_code(login=LOGIN, code=code)


def test_code_expires_after_10_minutes(account, django_capture_on_commit_callbacks):
    now = timezone.now()
    request_code(django_capture_on_commit_callbacks, now=now)
    with pytest.raises(LoginFailed):
        portal_login_with_code(login=LOGIN, code=code_from_outbox(LOGIN), now=now + dt.timedelta(minutes=11))


def test_code_allows_five_attempts(account, django_capture_on_commit_callbacks):
    otc = request_code(django_capture_on_commit_callbacks)
    code = code_from_outbox(LOGIN)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(LoginFailed):
            portal_login_with_code(login=LOGIN, code=wrong)
    otc.refresh_from_db()
    assert otc.attempts == 5
    # Lift the account lockout the failures caused: the code itself is still spent.
    PortalAccount.objects.filter(pk=account.pk).update(locked_until=None)
    with pytest.raises(LoginFailed):
        portal_login_with_code(login=LOGIN, code=code)


def test_new_code_replaces_the_old_one(account, django_capture_on_commit_callbacks):
    now = timezone.now()
    request_code(django_capture_on_commit_callbacks, now=now)
    first = code_from_outbox(LOGIN)
    request_code(django_capture_on_commit_callbacks, now=now + dt.timedelta(minutes=2))
    second = code_from_outbox(LOGIN)
    later = now + dt.timedelta(minutes=3)
    if first != second:
        with pytest.raises(LoginFailed):
            portal_login_with_code(login=LOGIN, code=first, now=later)
    assert portal_login_with_code(login=LOGIN, code=second, now=later).pk == account.pk


def test_code_requests_are_rate_limited(account, django_capture_on_commit_callbacks):
    t0 = timezone.now()
    assert request_code(django_capture_on_commit_callbacks, now=t0)
    assert request_code(django_capture_on_commit_callbacks, now=t0 + dt.timedelta(seconds=30)) is None
    for minute in (2, 4, 6, 8):
        assert request_code(django_capture_on_commit_callbacks, now=t0 + dt.timedelta(minutes=minute))
    # The sixth within the hour is refused.
    assert request_code(django_capture_on_commit_callbacks, now=t0 + dt.timedelta(minutes=10)) is None
    assert OneTimeCode.objects.filter(account=account).count() == 5
    assert OutboundMessage.objects.filter(recipient=LOGIN).count() == 5
    assert request_code(django_capture_on_commit_callbacks, now=t0 + dt.timedelta(minutes=61))


def test_unknown_login_gets_no_code_and_no_message(account, django_capture_on_commit_callbacks):
    assert request_code(django_capture_on_commit_callbacks, login="13912345678") is None
    assert request_code(django_capture_on_commit_callbacks, login="nobody@example.com") is None
    assert request_code(django_capture_on_commit_callbacks, login="not a login") is None
    assert not OutboundMessage.objects.exists()


def test_code_by_email(admin, django_capture_on_commit_callbacks):
    account = make_account(admin, mobile="", email="wang@example.com")
    request_code(django_capture_on_commit_callbacks, login="WANG@example.com")
    message = OutboundMessage.objects.get()
    assert message.channel == "email" and message.recipient == "wang@example.com" and message.subject
    assert portal_login_with_code(login="wang@example.com", code=code_from_outbox("wang@example.com")).pk == account.pk
