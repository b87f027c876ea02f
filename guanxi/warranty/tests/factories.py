import datetime as dt
from decimal import Decimal

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.warranty import permissions
from guanxi.warranty.services import product_create, sale_record, serial_register


def make_sale(actor, *, customer=None, serial="SN0001", sold_at=dt.date(2025, 3, 1), price=Decimal("2000.00"),
              proof_kind="invoice", invoice_date=None, factory_date=dt.date(2025, 1, 10), is_gift=False,
              model_code=None):
    """A product with every seeded part, one unit of it, and its sale to a customer of `actor`."""
    customer = customer or make_customer(actor)
    # The catalogue is kept by administrators; the seller only records the sale.
    keeper = actor if permissions.can(actor, "product", "configure") else UserFactory(role=Role.ADMIN)
    product = product_create(actor=keeper, model_code=model_code or f"M-{serial}", name="智能手机 X1", brand="华星",
                             category="phone")
    unit = serial_register(actor=keeper, product=product, serial=serial, factory_date=factory_date)
    if invoice_date is None and proof_kind != "none":
        invoice_date = sold_at
    return sale_record(actor=actor, serial=unit, customer=customer, sold_at=sold_at, price=price,
                       proof_kind=proof_kind, invoice_date=invoice_date, is_gift=is_gift)
