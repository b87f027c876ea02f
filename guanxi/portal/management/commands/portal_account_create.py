from django.core.management.base import BaseCommand, CommandError

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import DomainError
from guanxi.customers.models import Customer
from guanxi.portal.services import portal_account_create


class Command(BaseCommand):
    help = "Open the self-service portal to a customer (login: the customer's mobile, else e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("customer_code", help="the customer number, e.g. C000123")
        parser.add_argument("--password", default=None, help="an initial password (default: one-time codes only)")
        parser.add_argument("--login", default="", help="a mobile number or e-mail other than the customer's")

    def handle(self, *args, customer_code, password, login, **options):
        customer = Customer.objects.alive().filter(code=customer_code.strip()).first()
        if customer is None:
            raise CommandError(f"no customer {customer_code!r}")
        try:
            account = portal_account_create(actor=SYSTEM, customer=customer, login=login, password=password)
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(f"portal account {account.login} for {customer.code}")
