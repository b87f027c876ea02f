"""Warranty hears of the orders below it: each delivered unit with a serial number is registered and
its sale recorded (the invoice date is the delivery day), through warranty's own services."""

from django.utils import timezone

from guanxi.accounts.access import SYSTEM

from . import selectors, services
from .models import ProofKind


def register_delivered_units(sender, *, order, lines_with_serial, actor, **kwargs) -> None:
    """The order's service has checked the actor; warranty records as the system on its behalf."""
    day = timezone.localdate(order.delivered_at)
    for line in lines_with_serial:
        unit = selectors.serial_by_number(serial=line.serial) or services.serial_register(
            actor=SYSTEM, product=line.product, serial=line.serial)
        services.sale_record(actor=SYSTEM, serial=unit, customer=order.customer, sold_at=day, price=line.unit_price,
                             proof_kind=ProofKind.INVOICE, invoice_date=day)
