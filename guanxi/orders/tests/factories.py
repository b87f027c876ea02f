"""Test worlds for orders: a sales team, a customer of one representative, a priced product."""

import datetime as dt
from decimal import Decimal

from guanxi.catalog.tests.factories import make_product
from guanxi.customers.tests.factories import make_customer
from guanxi.orders import services
from guanxi.sales.tests.factories import sales_team

DAY = dt.date(2026, 3, 2)


def world():
    team, manager, (rep, other) = sales_team()
    customer = make_customer(rep, name="华星客户")
    product = make_product("HX-T1", price="1000.00", since=dt.date(2026, 1, 1))
    return {"team": team, "manager": manager, "rep": rep, "other": other, "customer": customer, "product": product}


def order(actor, customer, product, *, quantity=2, unit_price=None, serial="", confirm=True, day=DAY, **extra):
    made = services.order_create(actor=actor, customer=customer, order_date=day,
                                 lines=[{"product": product, "quantity": quantity, "unit_price": unit_price,
                                         "serial": serial}], **extra)
    if confirm:
        made = services.order_confirm(actor=actor, order=made)
    return made


def pay(actor, customer, amount, *, orders=(), overpayment=False, day=DAY):
    allocations = [{"order": o, "amount": Decimal(str(a))} for o, a in orders]
    return services.payment_record(actor=actor, customer=customer, amount=Decimal(str(amount)), received_on=day,
                                   allocations=allocations, is_overpayment=overpayment)
