"""Writes of the portal: accounts, passwords, one-time codes, sign-in, and the customer's own
cases (opened and answered through the service desk's services)."""

import datetime as dt
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from guanxi.accounts.access import customer_actor, user_of
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers import normalize
from guanxi.customers.models import Customer
from guanxi.integrations.messaging.services import message_send
from guanxi.servicedesk.enums import Channel, TicketStatus
from guanxi.servicedesk.models import Ticket, TicketMessage
from guanxi.servicedesk.services.tickets import ticket_create, ticket_message_add

from . import permissions, selectors
from .errors import LoginFailed
from .models import OneTimeCode, PortalAccount

CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_MIN_INTERVAL = dt.timedelta(minutes=1)
CODE_MAX_PER_HOUR = 5
LOGIN_MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
# What a customer may open in the portal; business requests (installation…) go through an outlet.
PORTAL_TICKET_TYPES = ("consultation", "query", "complaint", "fault", "suggestion")


def login_normalize(value: str) -> str:
    """The stored form of a login: an e-mail in lower case, or a mobile number in E.164 ('' if neither)."""
    value = (value or "").strip()
    if "@" in value:
        return normalize.email_normalize(value)
    return normalize.phone_normalize(value) or ""


def _hash_code(account_id: int, code: str) -> str:
    return salted_hmac("guanxi.portal.one-time-code", f"{account_id}:{code}").hexdigest()


def _check_new_password(password: str) -> None:
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"password": " ".join(exc.messages)}) from exc


@transaction.atomic
def portal_account_create(*, actor, customer: Customer, login: str = "",
                          password: str | None = None) -> PortalAccount:
    """Open the portal to a customer (service staff, or the system from the CLI). The login defaults
    to the customer's mobile, else e-mail; without a password the customer signs in with one-time codes."""
    permissions.require(actor, "account", "configure")
    if customer.is_deleted:
        raise ValidationFailed(fields={"customer": "this customer was deleted"})
    if PortalAccount.objects.filter(customer=customer).exists():
        raise Conflict(_("This customer already has a portal account."), code="exists")
    normalized = login_normalize(login or customer.mobile or customer.email)
    if not normalized:
        raise ValidationFailed(fields={"login": "a mobile number or an e-mail address is required"})
    if PortalAccount.objects.filter(login=normalized).exists():
        raise Conflict(_("Another portal account already uses this login."), code="login_taken")
    if password:
        _check_new_password(password)
    return PortalAccount.objects.create(customer=customer, login=normalized, created_by=user_of(actor),
                                        password=make_password(password) if password else "")


@transaction.atomic
def portal_password_set(*, actor, account: PortalAccount, password: str) -> PortalAccount:
    """Set (or change) the account's password, by its customer (or the system); existing portal
    sessions of the account end."""
    permissions.require_own(actor, "account", account)
    _check_new_password(password)
    account.password = make_password(password)
    PortalAccount.objects.filter(pk=account.pk).update(password=account.password, updated_at=timezone.now())
    return account


def portal_code_request(*, login: str, now: dt.datetime | None = None) -> OneTimeCode | None:
    """Send a six-digit code to the account's mobile or e-mail, at most one a minute and five an
    hour. Returns None, silently, for an unknown login, a locked account or a request over the
    limit: callers answer the same either way. Locks the account row."""
    now = now or timezone.now()
    normalized = login_normalize(login)
    if not normalized:
        return None
    with transaction.atomic():
        account = PortalAccount.objects.select_for_update().filter(
            login=normalized, is_active=True, customer__deleted_at__isnull=True).first()
        if account is None or (account.locked_until and account.locked_until > now):
            return None
        recent = list(account.codes.filter(created_at__gt=now - dt.timedelta(hours=1))
                      .values_list("created_at", flat=True))
        if len(recent) >= CODE_MAX_PER_HOUR or any(at > now - CODE_MIN_INTERVAL for at in recent):
            return None
        code = f"{secrets.randbelow(1_000_000):06d}"
        # A new code replaces any earlier one.
        account.codes.filter(used_at__isnull=True).update(used_at=now)
        otc = OneTimeCode.objects.create(account=account, code_hash=_hash_code(account.pk, code),
                                         channel=account.code_channel, created_at=now,
                                         expires_at=now + CODE_LIFETIME)
        message_send(
            channel=account.code_channel, recipient=account.login, subject=_("Your sign-in code"),
            body=_("Your Guanxi customer service sign-in code is %(code)s. It is valid for 10 minutes. "
                   "Do not share it with anyone.") % {"code": code},
        )
    return otc


def _failure(account: PortalAccount, now: dt.datetime) -> None:
    account.failed_login_count += 1
    if account.failed_login_count >= LOGIN_MAX_FAILURES:
        account.failed_login_count, account.locked_until = 0, now + LOCKOUT
    PortalAccount.objects.filter(pk=account.pk).update(failed_login_count=account.failed_login_count,
                                                       locked_until=account.locked_until)


def _success(account: PortalAccount, now: dt.datetime) -> None:
    account.failed_login_count, account.locked_until, account.last_login_at = 0, None, now
    PortalAccount.objects.filter(pk=account.pk).update(failed_login_count=0, locked_until=None, last_login_at=now)


def _account_for_login(login: str) -> PortalAccount | None:
    """The account of a login (active or not, locked or not), locked for update; the caller is atomic."""
    normalized = login_normalize(login)
    if not normalized:
        return None
    return (PortalAccount.objects.select_for_update().select_related("customer")
            .filter(login=normalized, customer__deleted_at__isnull=True).first())


def portal_login_with_password(*, login: str, password: str, now: dt.datetime | None = None) -> PortalAccount:
    """Check a login and password. Five failures in a row lock the account for 15 minutes; every
    failure raises the same LoginFailed. The failure count is committed even though we raise."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _account_for_login(login)
        ok = False
        if account is None:
            make_password(password)  # spend the same time as a real check
        elif not account.is_active or (account.locked_until and account.locked_until > now):
            pass
        elif account.password and check_password(password, account.password):
            ok = True
            _success(account, now)
        else:
            _failure(account, now)
    if not ok:
        raise LoginFailed()
    return account


def portal_login_with_code(*, login: str, code: str, now: dt.datetime | None = None) -> PortalAccount:
    """Check a one-time code: the latest unused, unexpired code of the account, five tries per code;
    wrong codes count towards the account's lockout like wrong passwords."""
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        account = _account_for_login(login)
        ok = False
        if account is not None and account.is_active and not (account.locked_until and account.locked_until > now):
            otc = (OneTimeCode.objects.select_for_update().filter(account=account, used_at__isnull=True)
                   .order_by("-created_at", "-id").first())
            usable = otc is not None and otc.expires_at > now and otc.attempts < CODE_MAX_ATTEMPTS
            if usable and code.isdigit() and constant_time_compare(otc.code_hash, _hash_code(account.pk, code)):
                OneTimeCode.objects.filter(pk=otc.pk).update(used_at=now)
                _success(account, now)
                ok = True
            else:
                if usable:
                    OneTimeCode.objects.filter(pk=otc.pk).update(attempts=otc.attempts + 1)
                _failure(account, now)
    if not ok:
        raise LoginFailed()
    return account


# ---------------------------------------------------------------- the customer's cases


def portal_ticket_open(*, actor, account: PortalAccount, subject: str, type: str, description: str) -> Ticket:
    """A case opened by the customer on the web channel: unowned, for the agents' queue."""
    permissions.require_own(actor, "case", account)
    if type not in PORTAL_TICKET_TYPES:
        raise ValidationFailed(fields={"type": _("one of: %(values)s") % {"values": ', '.join(PORTAL_TICKET_TYPES)}})
    return ticket_create(actor=customer_actor(account.customer), customer=account.customer,
                         data={"subject": subject, "type": type, "description": description, "channel": Channel.WEB})


def portal_ticket_reply(*, actor, account: PortalAccount, ticket_id: int, body: str) -> TicketMessage:
    """The customer's message on one of their own cases (404 for anyone else's); a case pending on
    the customer resumes. Closed and merged cases take no more messages."""
    permissions.require_own(actor, "case", account)
    ticket = selectors.portal_ticket_get(customer=account.customer, ticket_id=ticket_id)
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.MERGED):
        raise Conflict(_("This case is closed. Please open a new case."), code="closed")
    return ticket_message_add(actor=customer_actor(account.customer), ticket=ticket, kind=TicketMessage.Kind.CUSTOMER,
                              body=body)
