"""Demo step of the portal: one demo customer can sign in to the self-service portal.

The customer is an individual with a case still open, a phone bought from the company (三包) and
the longest history, so that every portal page has something to show. The account gets the demo
password; one-time codes work too (the local SMS backend writes them to the server log and the
outbox). `guanxi demo` prints the login with the staff logins.
"""

import datetime as dt

from django.db.models import Count, Q

from guanxi.accounts.demo import DEMO_PASSWORD, DemoStaff
from guanxi.customers.enums import CustomerKind
from guanxi.customers.models import Customer
from guanxi.servicedesk.enums import TicketStatus

from .models import PortalAccount
from .services import portal_account_create

CLOSED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def portal_demo_customer(customers: list[int]) -> Customer | None:
    """The demo customer who best shows the portal (see the module docstring): one with cases and
    purchases if there is one, the most open cases first."""
    candidates = (Customer.objects.alive()
                  .filter(pk__in=customers, kind=CustomerKind.INDIVIDUAL, portal_account=None).exclude(mobile="")
                  .annotate(open_cases=Count("tickets", filter=~Q(tickets__status__in=CLOSED), distinct=True),
                            cases=Count("tickets", distinct=True), purchases=Count("product_sales", distinct=True))
                  .order_by("-open_cases", "-cases", "-purchases", "created_at", "pk"))
    return candidates.filter(cases__gt=0, purchases__gt=0).first() or candidates.first()


def portal_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                     now: dt.datetime | None = None) -> str:
    """Open the portal to one demo customer with the demo password."""
    if PortalAccount.objects.exists():
        return "portal accounts exist already; none added"
    customer = portal_demo_customer(customers)
    if customer is None:
        return "no customer for a portal account"
    account = portal_account_create(actor=staff.admin, customer=customer, password=DEMO_PASSWORD)
    staff.other_logins.append(("/portal/login/", account.login, DEMO_PASSWORD, f"{customer.name} ({customer.code})"))
    return f"portal account {account.login} for {customer.name} ({customer.code})"
