"""No page scrolls sideways in a 1,280 px window: every page of the URL resolver, filled with ids
of demo data, as an administrator, an agent and a portal customer.

The pages come from the resolver, not from a list, so a page added later is checked from its first
day: a URL argument `<x>_id` takes the id of a row of the model named like x (explicit samples
below for the arguments whose model name differs). Routes that are not pages (POST actions, htmx
fragments, files, redirects, pages a role may not open) are left out by asking Django first.
"""

import os
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Page

from guanxi.accounts.models import User
from guanxi.customers.models import Customer
from guanxi.portal.models import PortalAccount
from guanxi.portal.services import portal_account_create
from guanxi.portal.session import portal_session_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1280
SCREENSHOTS = os.environ.get("GUANXI_SCREENSHOTS", "")
NOT_PAGES = ("api/", "admin/", "i18n/", "healthz", "media/", "static/")
# Arguments whose model is not named like the argument.
MODEL_OF = {"candidate_id": "customers.MatchCandidate", "merge_id": "customers.CustomerMerge",
            "job_id": "customers.ImportJob", "token_id": "accounts.ApiToken",
            "message_id": "servicedesk.TicketMessage", "category_id": "servicedesk.TicketCategory"}


def routes(patterns=None, prefix=""):
    """(route text, pattern) of every URL pattern, resolvers walked."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern


def sample_value(name: str, customer: Customer):
    """An existing value for a URL argument, or None when the database has no such row."""
    if name == "customer_id":
        return customer.pk
    if name == "ticket_id":  # the customer's own case, which the portal shows too
        return customer.tickets.order_by("pk").values_list("pk", flat=True).first()
    if name == "serial":
        model = apps.get_model("warranty", "SerialNumber")
        return model.objects.values_list("serial", flat=True).order_by("pk").first()
    if not name.endswith("_id"):
        return None
    label = MODEL_OF.get(name)
    if label:
        model = apps.get_model(label)
    else:
        base = name.removesuffix("_id").replace("_", "")
        found = [m for m in apps.get_models() if m.__name__.lower() == base and not m.__name__.startswith("Historical")]
        if not found:
            return None
        model = found[0]
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


def page_urls(customer: Customer) -> list[str]:
    """Every route of the resolver with sample values in place of its arguments."""
    urls = []
    for route, pattern in routes():
        if route.startswith(NOT_PAGES) or route.startswith("^"):
            continue
        path, ok = "/" + route, True
        for name, converter in getattr(pattern, "converters", {}).items():
            value = sample_value(name, customer)
            if value is None:
                ok = False
                break
            kind = type(converter).__name__.lower().removesuffix("converter")
            path = path.replace(f"<{kind}:{name}>", str(value)).replace(f"<{name}>", str(value))
        if ok and "<" not in path:
            urls.append(path)
    return urls


def pages_for(client: Client, urls: list[str]) -> list[str]:
    """The URLs that answer a GET from this client with a whole HTML page."""
    found = []
    for url in urls:
        if "logout" in url:
            continue
        response = client.get(url)
        if (response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")
                and b"<html" in response.content[:500]):
            found.append(url)
    return found


def staff_client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def portal_client(customer: Customer) -> Client:
    account = PortalAccount.objects.filter(customer=customer).first()
    if account is None:
        account = portal_account_create(actor=User.objects.get(username="admin"), customer=customer)
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    portal_session_start(request, account)
    request.session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return client


def too_wide(page: Page, base: str, client: Client, urls: list[str], label: str) -> list[str]:
    """The pages wider than the window, as "url: scroll width"."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": base,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    wide = []
    for url in urls:
        page.goto(base + url, wait_until="load")
        page.wait_for_timeout(150)  # charts draw after load
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if width[0] > width[1]:
            wide.append(f"{label} {url}: {width[0]} px in a {width[1]} px window")
            if SCREENSHOTS:
                page.screenshot(path=os.path.join(SCREENSHOTS, f"wide-{label}-{url.strip('/').replace('/', '-')}.png"),
                                full_page=True)
    return wide


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": WIDTH, "height": 900}}


def test_no_page_scrolls_sideways_at_1280_px(page: Page, live_server):
    # Live-server tests flush the database after them: seed again what the migrations seeded (the
    # 三包 part periods the demo's products are built from, the key-account tiers), whatever ran before in this worker.
    import_module("guanxi.warranty.migrations.0002_seed_policies_and_rules").seed(apps, None)
    import_module("guanxi.key_accounts.migrations.0001_initial").seed_tiers(apps, None)
    import_module("guanxi.key_accounts.migrations.0002_green_yellow_channels").seed(apps, None)
    call_command("demo", customers=120, seed=7, stdout=open(os.devnull, "w"))  # noqa: SIM115
    # A customer with everything on its page (addresses, contacts, cases), longest name first.
    customer = (Customer.objects.alive().filter(addresses__isnull=False, tickets__isnull=False)
                .order_by("-id").first() or Customer.objects.alive().first())
    urls = page_urls(customer)
    sessions = {"admin": staff_client("admin"), "agent": staff_client("agent1"), "portal": portal_client(customer)}
    visited, wide = 0, []
    for label, client in sessions.items():
        pages = pages_for(client, urls)
        assert pages, f"no page answered for {label}"
        visited += len(pages)
        wide += too_wide(page, live_server.url, client, pages, label)
    assert visited > 30
    assert not wide, "pages wider than the window:\n" + "\n".join(wide)

    # Squeezed and cut: the address form's selects keep a usable width, the brand donut's labels
    # stay inside its box (the last session's cookies are replaced by the administrator's).
    too_wide(page, live_server.url, sessions["admin"], [], "admin")
    page.set_viewport_size({"width": 1440, "height": 900})  # where the form's fields shared one row
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.click("#addresses-add summary")  # the form is fetched when its section opens
    page.wait_for_selector("#addresses-form select")
    fields = "#addresses-form select, #addresses-form input:not([type=hidden], [type=checkbox])"
    widths = page.eval_on_selector_all(fields, "els => els.map(e => e.getBoundingClientRect().width)")
    assert widths and min(widths) >= 100, widths
    page.goto(f"{live_server.url}/")
    page.wait_for_timeout(300)
    outside = page.evaluate("""() => {
      const box = document.querySelector('[data-gx-chart="pie"]').getBoundingClientRect();
      return [...document.querySelectorAll('[data-gx-chart="pie"] svg text')].map(t => t.getBoundingClientRect())
        .filter(r => r.width && (r.left < box.left - 1 || r.right > box.right + 1)).length;
    }""")
    assert outside == 0
