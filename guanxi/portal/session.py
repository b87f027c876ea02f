"""Portal sessions: the account id under the portal's own session key, never Django's auth login,
so staff and customer sign-ins cannot stand in for each other."""

import functools
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.cache import never_cache

from guanxi.accounts.access import customer_actor

from . import selectors
from .models import PortalAccount

SESSION_ACCOUNT_KEY = selectors.SESSION_ACCOUNT_KEY
SESSION_HASH_KEY = "guanxi_portal_auth_hash"


def _auth_hash(account: PortalAccount) -> str:
    # Changes with the password, so a new password ends the account's other sessions.
    return salted_hmac("guanxi.portal.session", f"{account.pk}:{account.password}").hexdigest()


def portal_session_start(request, account: PortalAccount) -> None:
    """Sign the customer in: a new session key (no fixation), then the account id and its hash."""
    request.session.cycle_key()
    request.session[SESSION_ACCOUNT_KEY] = account.pk
    request.session[SESSION_HASH_KEY] = _auth_hash(account)


def portal_session_refresh(request, account: PortalAccount) -> None:
    """Keep this session signed in after the account's password changed."""
    request.session.cycle_key()
    request.session[SESSION_HASH_KEY] = _auth_hash(account)


def portal_session_end(request) -> None:
    request.session.pop(SESSION_ACCOUNT_KEY, None)
    request.session.pop(SESSION_HASH_KEY, None)
    request.session.cycle_key()


def portal_session_account(request) -> PortalAccount | None:
    account_id = request.session.get(SESSION_ACCOUNT_KEY)
    if not isinstance(account_id, int):
        return None
    account = selectors.portal_account_for_session(account_id=account_id)
    if account is None or not constant_time_compare(request.session.get(SESSION_HASH_KEY, ""), _auth_hash(account)):
        return None
    return account


def portal_login_required(view):
    """Load the signed-in portal account (request.portal_account), its customer
    (request.portal_customer) and the customer as the actor of the portal's services
    (request.portal_actor), or send the visitor to the portal's sign-in page."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        account = portal_session_account(request)
        if account is None:
            if SESSION_ACCOUNT_KEY in request.session:
                portal_session_end(request)
            return redirect(f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}")
        request.portal_account = account
        request.portal_customer = account.customer
        request.portal_actor = customer_actor(account.customer)
        return view(request, *args, **kwargs)

    return wrapper
