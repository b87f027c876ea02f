"""A delivered order's units with serial numbers are registered for warranty (orders sends the signal,
warranty's receiver records the sale through its own services)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from guanxi.orders import services
from guanxi.orders.tests.factories import order, world
from guanxi.warranty.models import ProductSale

pytestmark = pytest.mark.django_db


def test_delivering_an_order_registers_the_warranty_sale_of_each_serial():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        w = world()
        made = order(w["rep"], w["customer"], w["product"], quantity=1, serial="SN-0001")
        assert not ProductSale.objects.exists()
        services.order_deliver(actor=w["rep"], order=made)
    sale = ProductSale.objects.get(serial__serial="SN-0001")
    assert sale.customer == w["customer"] and sale.price == Decimal("1000.00") and sale.serial.product == w["product"]
    assert sale.sold_at == dt.date(2026, 6, 1) and sale.invoice_date == dt.date(2026, 6, 1)
